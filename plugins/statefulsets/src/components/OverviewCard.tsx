/*
 * The overview card: which cluster is active, the passive ones with their
 * lag, the readiness verdict, and a link to the Multi-cluster tab.
 */
import List from '@material-ui/core/List';
import ListItem from '@material-ui/core/ListItem';
import ListItemText from '@material-ui/core/ListItemText';
import { getCompoundEntityRef } from '@backstage/catalog-model';
import { InfoCard, Progress } from '@backstage/core-components';
import { useRouteRef } from '@backstage/core-plugin-api';
import { entityRouteRef, useEntity } from '@backstage/plugin-catalog-react';
import { EntityTopology } from '@multicluster/backstage-plugin-statefulsets-common';
import { useEntityTopology } from '../hooks/useEntityTopology';
import { ErrorState } from './ErrorState';
import { FailoverButton } from './Failover/FailoverButton';
import { Verdict } from './Panels/ReadinessPanel';
import { CONTENT_PATH } from './paths';
import { lagLabel } from './presentation';

function Summary(props: { topology: EntityTopology }) {
  const { clusters, replication, readiness } = props.topology;
  const active = clusters.filter(c => c.role === 'active');
  const passive = clusters.filter(c => c.role === 'passive');
  const fenced = clusters.filter(c => c.role === 'fenced');
  const unreachable = clusters.filter(c => c.error);
  const lagOf = (name: string) => {
    const link = replication.find(l => l.to === name);
    return link ? lagLabel(link) : 'no replication reported';
  };
  const weight = (w?: number) => (w === undefined ? '' : ` · ${w}% traffic`);
  return (
    <List dense>
      <ListItem>
        <ListItemText
          primary="Active"
          secondary={
            active.map(c => `${c.name}${weight(c.trafficWeight)}`).join('; ') ||
            'none'
          }
        />
      </ListItem>
      <ListItem>
        <ListItemText
          primary="Passive"
          secondary={
            passive
              .map(
                c => `${c.name} · ${lagOf(c.name)}${weight(c.trafficWeight)}`,
              )
              .join('; ') || 'none'
          }
        />
      </ListItem>
      {fenced.length > 0 && (
        <ListItem>
          <ListItemText
            primary="Fenced"
            secondary={fenced.map(c => c.name).join(', ')}
          />
        </ListItem>
      )}
      {unreachable.length > 0 && (
        <ListItem>
          <ListItemText
            primary="Unreachable"
            secondary={unreachable
              .map(c => `${c.name} (${c.error!.reason})`)
              .join(', ')}
          />
        </ListItem>
      )}
      <ListItem>
        <ListItemText
          primary="DR readiness"
          secondary={<Verdict readiness={readiness} />}
        />
      </ListItem>
    </List>
  );
}

/** Summary card for the entity's overview page. */
export function OverviewCard() {
  const { entity } = useEntity();
  const entityRoute = useRouteRef(entityRouteRef);
  const ref = getCompoundEntityRef(entity);
  const { topology, loading, error } = useEntityTopology(ref);
  const link = `${entityRoute({
    kind: ref.kind.toLocaleLowerCase('en-US'),
    namespace: ref.namespace,
    name: ref.name,
  })}/${CONTENT_PATH}`;
  let content;
  if (topology) content = <Summary topology={topology} />;
  else if (loading) content = <Progress />;
  else content = <ErrorState error={error ?? new Error('No topology')} />;
  return (
    <InfoCard
      title="Multi-cluster"
      action={<FailoverButton topology={topology} />}
      deepLink={{ title: 'Open the Multi-cluster tab', link }}
    >
      {content}
    </InfoCard>
  );
}
