/*
 * Replication between clusters: a graph of links with direction and lag,
 * the same links as a list for readers that cannot see the graph, and each
 * link's lag over time against the failover lag bound.
 */
import { useEffect, useState } from 'react';
import Box from '@material-ui/core/Box';
import Typography from '@material-ui/core/Typography';
import {
  DependencyGraph,
  DependencyGraphTypes,
  InfoCard,
} from '@backstage/core-components';
import { parseEntityRef } from '@backstage/catalog-model';
import { EntityTopology } from '@multicluster/backstage-plugin-statefulsets-common';
import { lagLabel, linkSourceLabel } from '../presentation';
import { LagHistoryCharts } from './LagHistoryCharts';
import { WithStatus } from './ReadinessPanel';

/** Replication links of an entity. */
export function ReplicationPanel(props: { topology: EntityTopology }) {
  const { replication, clusters } = props.topology;
  // The graph's layout is the costliest part of the tab: draw it after the
  // clusters have painted, so a large topology shows its data at once.
  const [showGraph, setShowGraph] = useState(false);
  useEffect(() => {
    const frame = requestAnimationFrame(() => setShowGraph(true));
    return () => cancelAnimationFrame(frame);
  }, []);
  if (replication.length === 0) {
    return (
      <InfoCard title="Replication">
        <Typography variant="body2">
          No replication links were reported. Links are read from the database's
          operator (CloudNativePG, Strimzi MirrorMaker 2, ECK, Percona,
          Zalando), from a Helm chart's replication settings, or from the
          StatefulSet annotation multicluster-statefulsets/replication-source on
          the passive side.
        </Typography>
      </InfoCard>
    );
  }
  const names = new Set(replication.flatMap(l => [l.from, l.to]));
  const nodes = clusters
    .filter(c => names.has(c.name))
    .map(c => ({ id: c.name }));
  // Which links there are (not their lag): after a failover the direction
  // flips, and the graph and the history start again from the new links.
  const linksKey = replication
    .map(l => `${l.workload}:${l.from}:${l.to}`)
    .join(',');
  const edges = replication.map(l => ({
    from: l.from,
    to: l.to,
    label: `${l.workload}: ${lagLabel(l)}`,
  }));
  return (
    <Box component="section" aria-label="Replication">
      <InfoCard title="Replication">
        <Box aria-hidden>
          {showGraph && (
            <DependencyGraph
              key={linksKey}
              nodes={nodes}
              edges={edges}
              direction={DependencyGraphTypes.Direction.LEFT_RIGHT}
              paddingX={16}
              paddingY={16}
              fit="contain"
              labelPosition={DependencyGraphTypes.LabelPosition.RIGHT}
              zoom="disabled"
            />
          )}
        </Box>
        <ul aria-label="Replication links">
          {replication.map(l => (
            <li key={`${l.workload}:${l.from}:${l.to}`}>
              <Typography variant="body2" component="span">
                <WithStatus status={l.healthy ? 'pass' : 'fail'}>
                  {l.from} → {l.to} ({l.workload}): {lagLabel(l)}
                  {linkSourceLabel(l) && ` (${linkSourceLabel(l)})`}
                  {l.reason && ` — ${l.reason}`}
                </WithStatus>
              </Typography>
            </li>
          ))}
        </ul>
        <LagHistoryCharts
          entityRef={parseEntityRef(props.topology.entityRef)}
          linksKey={linksKey}
        />
      </InfoCard>
    </Box>
  );
}
