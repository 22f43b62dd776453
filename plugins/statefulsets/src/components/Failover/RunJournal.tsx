/*
 * A run's journal: each step with its status, cluster, timing and outcome,
 * and the run's result (RPO, RTO, what a human must do).
 */
import Box from '@material-ui/core/Box';
import Table from '@material-ui/core/Table';
import TableBody from '@material-ui/core/TableBody';
import TableCell from '@material-ui/core/TableCell';
import TableHead from '@material-ui/core/TableHead';
import TableRow from '@material-ui/core/TableRow';
import Typography from '@material-ui/core/Typography';
import Alert from '@material-ui/lab/Alert';
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
  const icons: Record<string, JSX.Element> = {
    succeeded: <StatusOK />,
    running: <StatusRunning />,
    pending: <StatusPending />,
    deferred: <StatusPending />,
    skipped: <StatusAborted />,
    failed: <StatusError />,
    'rolled-back': <StatusWarning />,
    'needs-attention': <StatusError />,
  };
  return (
    <Box component="span" display="inline-flex" alignItems="center">
      {icons[props.status]}
      {props.status}
    </Box>
  );
}

function duration(start?: string, end?: string): string {
  if (!start || !end) return '';
  return `${((Date.parse(end) - Date.parse(start)) / 1000).toFixed(1)} s`;
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

/** The journal table of a run. */
export function RunJournal(props: { run: FailoverRunDetails }) {
  const { run } = props;
  return (
    <Box>
      <Typography variant="subtitle1" component="p">
        <StepStatus status={run.status} /> · {outcomeLine(run)}
      </Typography>
      {run.reason && (
        <Typography variant="body2">
          Forced by {run.actor} against a source that still answered: “
          {run.reason}”
        </Typography>
      )}
      {run.attention && (
        <Alert severity="error">What a human must do: {run.attention}</Alert>
      )}
      {run.error && !run.attention && (
        <Alert severity={run.status === 'rolled-back' ? 'warning' : 'error'}>
          {run.error}
        </Alert>
      )}
      <Table size="small" aria-label={`Steps of run ${run.id}`}>
        <TableHead>
          <TableRow>
            <TableCell>#</TableCell>
            <TableCell>Step</TableCell>
            <TableCell>Cluster</TableCell>
            <TableCell>Status</TableCell>
            <TableCell>Took</TableCell>
            <TableCell>Outcome</TableCell>
          </TableRow>
        </TableHead>
        <TableBody>
          {run.steps.map(step => (
            <TableRow key={step.index}>
              <TableCell>{step.index + 1}</TableCell>
              <TableCell>{step.title}</TableCell>
              <TableCell>{step.cluster}</TableCell>
              <TableCell>
                <StepStatus status={step.status} />
                {step.compensation === 'compensated' && ' (undone)'}
                {step.compensation === 'failed' && ' (undo failed)'}
              </TableCell>
              <TableCell>{duration(step.startedAt, step.finishedAt)}</TableCell>
              <TableCell>
                {step.error ??
                  (step.outcome ? JSON.stringify(step.outcome) : '')}
              </TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>
    </Box>
  );
}
