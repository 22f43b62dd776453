/*
 * One cluster as a panel: role, traffic share, workloads — or, when the
 * cluster did not answer, the reason, in the same place.
 */
import Box from '@material-ui/core/Box';
import Chip from '@material-ui/core/Chip';
import LinearProgress from '@material-ui/core/LinearProgress';
import Paper from '@material-ui/core/Paper';
import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import Alert from '@material-ui/lab/Alert';
import { TopologyCluster } from '@multicluster/backstage-plugin-statefulsets-common';
import { roleLabel } from '../presentation';
import { Selection } from '../selection';
import { WorkloadBlock } from './WorkloadBlock';

const useStyles = makeStyles(theme => ({
  panel: { padding: theme.spacing(2), marginBottom: theme.spacing(2) },
  header: {
    display: 'flex',
    alignItems: 'center',
    justifyContent: 'space-between',
    gap: theme.spacing(1),
  },
  active: {
    backgroundColor: theme.palette.success.main,
    color: theme.palette.success.contrastText,
  },
  passive: {
    backgroundColor: theme.palette.info.main,
    color: theme.palette.info.contrastText,
  },
  fenced: {
    backgroundColor: theme.palette.error.main,
    color: theme.palette.error.contrastText,
  },
  unknown: {},
}));

/** A cluster's panel in the topology view. */
export function ClusterPanel(props: {
  cluster: TopologyCluster;
  onSelect(selection: Selection): void;
}) {
  const classes = useStyles();
  const { cluster, onSelect } = props;
  const titleId = `mcss-cluster-${cluster.name}`;
  return (
    <Paper
      variant="outlined"
      className={classes.panel}
      component="section"
      aria-labelledby={titleId}
    >
      <div className={classes.header}>
        <Typography variant="h6" id={titleId}>
          {cluster.name}
        </Typography>
        {cluster.reachable && (
          <Chip
            size="small"
            label={roleLabel(cluster.role)}
            className={classes[cluster.role]}
          />
        )}
      </div>
      <Typography variant="body2" color="textSecondary">
        {[
          cluster.zones.join(', '),
          cluster.federationHost && `${cluster.federationHost} host`,
        ]
          .filter(Boolean)
          .join(' · ')}
      </Typography>
      {cluster.error && (
        <Box mt={1}>
          <Alert severity="error">
            Unreachable ({cluster.error.reason}): {cluster.error.message}
          </Alert>
        </Box>
      )}
      {cluster.stale && !cluster.error && (
        <Box mt={1}>
          <Alert severity="warning">
            Showing cached data: the connection to this cluster is failing.
          </Alert>
        </Box>
      )}
      {cluster.trafficWeight !== undefined &&
        (cluster.trafficWeight > 0 || cluster.workloads.length > 0) && (
          <Box mt={1}>
            <Typography variant="body2" id={`${titleId}-traffic`}>
              Traffic {cluster.trafficWeight}%
            </Typography>
            <LinearProgress
              variant="determinate"
              value={cluster.trafficWeight}
              aria-labelledby={`${titleId}-traffic`}
            />
          </Box>
        )}
      {cluster.workloads.map(w => (
        <WorkloadBlock
          key={`${w.kind}/${w.name}`}
          cluster={cluster.name}
          workload={w}
          onSelect={onSelect}
        />
      ))}
      {cluster.reachable && cluster.workloads.length === 0 && (
        <Typography variant="body2">
          No workload of this entity runs here.
        </Typography>
      )}
    </Paper>
  );
}
