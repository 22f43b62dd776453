/*
 * A run's and a step's status with its icon, whether a run is finished, and
 * the run's outcome in one line: shared by the history, the dialog and the
 * run's timeline.
 */
import Box from '@material-ui/core/Box';
import {
  StatusAborted,
  StatusError,
  StatusOK,
  StatusPending,
  StatusRunning,
  StatusWarning,
} from '@backstage/core-components';
import {
  FailoverRunDetails,
  FailoverRunStatus,
  FailoverStepStatus,
} from '@multicluster/backstage-plugin-statefulsets-common';

const TERMINAL: FailoverRunStatus[] = [
  'succeeded',
  'rolled-back',
  'rolled-back-with-pending-repair',
  'needs-attention',
  'failed',
];

/** True once a run will change no more. */
export function isFinished(status: FailoverRunStatus): boolean {
  return TERMINAL.includes(status);
}

/** A status with its icon. */
export function StepStatus(props: {
  status: FailoverStepStatus | FailoverRunStatus;
}) {
  const icons: Record<FailoverStepStatus | FailoverRunStatus, JSX.Element> = {
    succeeded: <StatusOK />,
    running: <StatusRunning />,
    pending: <StatusPending />,
    deferred: <StatusPending />,
    skipped: <StatusAborted />,
    failed: <StatusError />,
    'rolled-back': <StatusWarning />,
    'rolled-back-with-pending-repair': <StatusWarning />,
    'needs-attention': <StatusError />,
  };
  return (
    <Box component="span" display="inline-flex" alignItems="center">
      {icons[props.status]}
      {props.status}
    </Box>
  );
}

/** The run's outcome in one line. */
export function outcomeLine(run: FailoverRunDetails): string {
  const parts = [
    `${run.mode} ${run.sourceCluster ?? '?'} → ${run.targetCluster}`,
  ];
  if (run.rpoSeconds !== undefined && run.rpoSeconds !== null) {
    parts.push(`RPO ${run.rpoSeconds.toFixed(1)} s`);
  }
  if (run.rtoMs !== undefined && run.rtoMs !== null) {
    parts.push(`RTO ${(run.rtoMs / 1000).toFixed(2)} s`);
  }
  return parts.join(' · ');
}
