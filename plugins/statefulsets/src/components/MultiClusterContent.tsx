/*
 * The "Multi-cluster" tab of an entity: the Failover action, any objects
 * not stamped for the entity, readiness and replication on top, every cluster grouped by region, the drift table, the
 * failover history, and a detail drawer.
 * Live updates replace the data in place: no spinner after the first load,
 * the drawer, scroll position and selection stay as they are.
 */
import { useState } from 'react';
import Box from '@material-ui/core/Box';
import Grid from '@material-ui/core/Grid';
import Typography from '@material-ui/core/Typography';
import Alert from '@material-ui/lab/Alert';
import { getCompoundEntityRef } from '@backstage/catalog-model';
import { Progress } from '@backstage/core-components';
import { useEntity } from '@backstage/plugin-catalog-react';
import { useEntityTopology } from '../hooks/useEntityTopology';
import { DetailDrawer } from './DetailDrawer';
import { ErrorState, serverMessage } from './ErrorState';
import { FailoverButton } from './Failover/FailoverButton';
import { FailoverHistory } from './Failover/FailoverHistory';
import { DriftTable } from './Panels/DriftTable';
import { OwnershipNotice } from './Panels/OwnershipNotice';
import { ReadinessPanel } from './Panels/ReadinessPanel';
import { ReplicationPanel } from './Panels/ReplicationPanel';
import { Selection } from './selection';
import { TopologyView } from './TopologyView/TopologyView';

/** The entity tab with the whole multi-cluster picture. */
export function MultiClusterContent() {
  const { entity } = useEntity();
  const entityRef = getCompoundEntityRef(entity);
  const { topology, loading, error } = useEntityTopology(entityRef);
  const [selection, setSelection] = useState<Selection>();
  const [runsVersion, setRunsVersion] = useState(0);

  if (!topology) {
    if (loading) return <Progress />;
    return <ErrorState error={error ?? new Error('No topology')} />;
  }

  const { policy } = topology;
  return (
    <Box>
      <Box
        display="flex"
        alignItems="center"
        justifyContent="space-between"
        mb={1}
      >
        <Typography variant="body2" color="textSecondary">
          {policy.engine} · {policy.strategy}
          {policy.allowedRegions.length > 0 &&
            ` · allowed regions ${policy.allowedRegions.join(', ')}`}
          {` · max failover lag ${policy.maxFailoverLagSeconds} s`}
        </Typography>
        <FailoverButton
          topology={topology}
          onFinished={() => setRunsVersion(v => v + 1)}
        />
      </Box>
      {error && (
        <Box mb={2}>
          <Alert severity="warning">
            Could not refresh the topology ({serverMessage(error)}); showing the
            last answer.
          </Alert>
        </Box>
      )}
      {topology.ownership && topology.ownership.status !== 'owned' && (
        <Box mb={2}>
          <OwnershipNotice topology={topology} />
        </Box>
      )}
      <Grid container spacing={2}>
        <Grid item xs={12} md={6}>
          <ReadinessPanel readiness={topology.readiness} />
        </Grid>
        <Grid item xs={12} md={6}>
          <ReplicationPanel topology={topology} />
        </Grid>
        <Grid item xs={12}>
          <TopologyView topology={topology} onSelect={setSelection} />
        </Grid>
        <Grid item xs={12}>
          <DriftTable topology={topology} />
        </Grid>
        <Grid item xs={12}>
          <FailoverHistory entityRef={entityRef} version={runsVersion} />
        </Grid>
      </Grid>
      <DetailDrawer
        topology={topology}
        selection={selection}
        onClose={() => setSelection(undefined)}
      />
    </Box>
  );
}
