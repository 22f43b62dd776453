/*
 * Every cluster of an entity at once, grouped by region side by side.
 */
import Grid, { GridSize } from '@material-ui/core/Grid';
import Typography from '@material-ui/core/Typography';
import {
  EntityTopology,
  TopologyCluster,
} from '@multicluster/backstage-plugin-statefulsets-common';
import { Selection } from '../selection';
import { ClusterPanel } from './ClusterPanel';

/** Clusters by region, regions sorted, unknown region last. */
export function groupByRegion(
  clusters: TopologyCluster[],
): Array<[string, TopologyCluster[]]> {
  const groups = new Map<string, TopologyCluster[]>();
  for (const c of clusters) {
    const region = c.region ?? 'unknown region';
    groups.set(region, [...(groups.get(region) ?? []), c]);
  }
  return [...groups.entries()].sort(([a], [b]) => {
    if (a === 'unknown region') return 1;
    if (b === 'unknown region') return -1;
    return a.localeCompare(b);
  });
}

/** The region columns with their cluster panels. */
export function TopologyView(props: {
  topology: EntityTopology;
  onSelect(selection: Selection): void;
}) {
  const regions = groupByRegion(props.topology.clusters);
  return (
    <Grid container spacing={2}>
      {regions.map(([region, clusters]) => (
        <Grid
          item
          key={region}
          xs={12}
          md={Math.max(3, Math.floor(12 / regions.length)) as GridSize}
        >
          <Typography variant="overline" component="h3">
            {region}
          </Typography>
          {clusters.map(c => (
            <ClusterPanel key={c.name} cluster={c} onSelect={props.onSelect} />
          ))}
        </Grid>
      ))}
    </Grid>
  );
}
