/*
 * One workload in one cluster: its pods as chips (status colour, role badge,
 * restarts) and its claims (size, class, access mode, bound, shared volume).
 */
import { useState } from 'react';
import Box from '@material-ui/core/Box';
import Chip from '@material-ui/core/Chip';
import Link from '@material-ui/core/Link';
import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import ShareIcon from '@material-ui/icons/Share';
import {
  TopologyPod,
  TopologyVolume,
  TopologyWorkload,
} from '@multicluster/backstage-plugin-statefulsets-common';
import {
  describePod,
  podHealth,
  shortAccessMode,
  SIGNAL_SOURCE_TITLES,
} from '../presentation';
import { Selection } from '../selection';

const useStyles = makeStyles(theme => ({
  pods: { display: 'flex', flexWrap: 'wrap', gap: theme.spacing(0.5) },
  pod: {
    border: 0,
    borderRadius: 12,
    padding: theme.spacing(0.25, 1),
    fontSize: theme.typography.pxToRem(12),
    lineHeight: 1.6,
    cursor: 'pointer',
    '&:focus-visible': {
      outline: `2px solid ${theme.palette.primary.main}`,
      outlineOffset: 2,
    },
  },
  ready: {
    backgroundColor: theme.palette.success.main,
    color: theme.palette.success.contrastText,
  },
  starting: {
    backgroundColor: theme.palette.warning.main,
    color: theme.palette.warning.contrastText,
  },
  failed: {
    backgroundColor: theme.palette.error.main,
    color: theme.palette.error.contrastText,
  },
  badge: {
    fontWeight: theme.typography.fontWeightBold as number,
    marginLeft: theme.spacing(0.5),
  },
  volumes: { margin: 0, paddingLeft: theme.spacing(2) },
}));

/*
 * A pod is a plain button rather than a MUI Chip: a tab may hold a thousand
 * pods, and each Chip brings its own ripple and focus machinery.
 */
function PodChip(props: { pod: TopologyPod; onClick(): void }) {
  const classes = useStyles();
  const { pod } = props;
  return (
    <button
      type="button"
      className={`${classes.pod} ${classes[podHealth(pod)]}`}
      onClick={props.onClick}
      aria-label={`Pod ${describePod(pod)}`}
      title={describePod(pod)}
    >
      {pod.ordinal !== undefined ? `#${pod.ordinal}` : pod.name}
      {pod.role === 'primary' && <span className={classes.badge}>P</span>}
      {pod.role === 'replica' && <span className={classes.badge}>R</span>}
      {pod.restarts > 0 && ` ↻${pod.restarts}`}
    </button>
  );
}

function VolumeLine(props: { volume: TopologyVolume }) {
  const { volume } = props;
  return (
    <li>
      <Typography variant="body2" component="span">
        {volume.claimName}: {volume.capacity ?? volume.size ?? '?'}
        {volume.storageClass && ` ${volume.storageClass}`}{' '}
        {volume.accessModes.map(shortAccessMode).join(',')}{' '}
        {volume.bound ? 'bound' : 'pending'}
      </Typography>
      {volume.sharedWith.length > 0 && (
        <Chip
          size="small"
          variant="outlined"
          icon={<ShareIcon />}
          label={`shared with ${volume.sharedWith.join(', ')}`}
          style={{ marginLeft: 4 }}
        />
      )}
    </li>
  );
}

/** Claims alike in size, class, access mode and binding, counted. */
export function summariseVolumes(volumes: TopologyVolume[]): string[] {
  const groups = new Map<string, number>();
  for (const v of volumes) {
    const key = [
      v.capacity ?? v.size ?? '?',
      v.storageClass,
      v.accessModes.map(shortAccessMode).join(','),
      v.bound ? 'bound' : 'pending',
    ]
      .filter(Boolean)
      .join(' ');
    groups.set(key, (groups.get(key) ?? 0) + 1);
  }
  return [...groups].map(([key, n]) => `${n} × ${key}`);
}

/** Above this many claims a workload lists them only on request. */
const CLAIMS_LISTED = 6;

function Claims(props: { workload: TopologyWorkload }) {
  const classes = useStyles();
  const { workload } = props;
  const [expanded, setExpanded] = useState(false);
  const shared = workload.volumes.filter(v => v.sharedWith.length > 0);
  if (workload.volumes.length <= CLAIMS_LISTED || expanded) {
    return (
      <ul className={classes.volumes} aria-label={`Claims of ${workload.name}`}>
        {workload.volumes.map(v => (
          <VolumeLine key={v.claimName} volume={v} />
        ))}
      </ul>
    );
  }
  return (
    <Box aria-label={`Claims of ${workload.name}`} role="group">
      <Typography variant="body2">
        Claims: {summariseVolumes(workload.volumes).join('; ')}{' '}
        <Link
          component="button"
          variant="body2"
          onClick={() => setExpanded(true)}
        >
          list all {workload.volumes.length}
        </Link>
      </Typography>
      {shared.length > 0 && (
        <ul className={classes.volumes}>
          {shared.map(v => (
            <VolumeLine key={v.claimName} volume={v} />
          ))}
        </ul>
      )}
    </Box>
  );
}

const ROLE_LABELS: Record<string, string> = {
  active: 'primary',
  passive: 'replica',
  fenced: 'fenced',
};

/**
 * Where a workload's role was read, for the page; undefined when it came
 * from the `multicluster-statefulsets/role` annotation (the explicit
 * override) or no role is known.
 */
export function describeRoleSource(
  workload: TopologyWorkload,
): string | undefined {
  const role = ROLE_LABELS[workload.role] ?? workload.role;
  switch (workload.roleSource) {
    case 'chart-component-label':
      return `${role} · role from the chart's component label (${workload.component})`;
    case 'chart-replication-env':
      return `${role} · role from the chart's replication settings`;
    case undefined:
      return undefined;
    default:
      return `${role} · role from ${
        SIGNAL_SOURCE_TITLES[workload.roleSource] ?? workload.roleSource
      }${declaredNote(workload)}`;
  }
}

/** Where the engine contradicts the declared role: what was declared. */
function declaredNote(workload: TopologyWorkload): string {
  if (!workload.declaredRole) return '';
  const declared = ROLE_LABELS[workload.declaredRole] ?? workload.declaredRole;
  return ` (declared ${declared}: the engine wins)`;
}

/** A workload's pods and claims inside a cluster panel. */
export function WorkloadBlock(props: {
  cluster: string;
  workload: TopologyWorkload;
  onSelect(selection: Selection): void;
}) {
  const classes = useStyles();
  const { cluster, workload, onSelect } = props;
  const select = (pod?: string) =>
    onSelect({ cluster, workload: workload.name, pod });
  const roleSource = describeRoleSource(workload);
  return (
    <Box mt={1}>
      <Typography variant="subtitle2">
        <Link component="button" variant="subtitle2" onClick={() => select()}>
          {workload.kind} {workload.name}
        </Link>
      </Typography>
      <Typography variant="body2" color="textSecondary">
        {workload.replicas.ready}/{workload.replicas.desired} ready
        {workload.image && ` · ${workload.image}`}
      </Typography>
      {roleSource && (
        <Typography
          variant="body2"
          color="textSecondary"
          aria-label={`Role of ${workload.name}`}
        >
          {roleSource}
        </Typography>
      )}
      <Box
        className={classes.pods}
        mt={0.5}
        role="list"
        aria-label={`Pods of ${workload.name} in ${cluster}`}
      >
        {workload.pods.map(pod => (
          <span role="listitem" key={pod.name}>
            <PodChip pod={pod} onClick={() => select(pod.name)} />
          </span>
        ))}
        {workload.pods.length === 0 && (
          <Typography variant="body2">no pods</Typography>
        )}
      </Box>
      {workload.volumes.length > 0 && <Claims workload={workload} />}
    </Box>
  );
}
