/*
 * A run's journal: each step with its status, cluster, timing and outcome,
 * the run's result (RPO, RTO, what a human must do) and, after a rollback,
 * every change the run made with what became of it: undone, pending until
 * its cluster answers again, or failed.
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
  CompensationStatus,
  FailoverChange,
  FailoverRunDetails,
  FailoverRunStatus,
  FailoverRunStep,
  FailoverStepStatus,
} from '@multicluster/backstage-plugin-statefulsets-common';

const TERMINAL: FailoverRunStatus[] = [
  'succeeded',
  'rolled-back',
  'rolled-back-with-pending-repair',
  'needs-attention',
  'failed',
];

/** Statuses whose runs undid (or tried to undo) what they changed. */
const UNDOING: FailoverRunStatus[] = [
  'rolled-back',
  'rolled-back-with-pending-repair',
  'needs-attention',
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

function undoText(change: FailoverChange): string {
  switch (change.undo) {
    case 'undone':
      return `undone${
        change.undoneAt
          ? ` at ${new Date(change.undoneAt).toLocaleTimeString()}`
          : ''
      }`;
    case 'pending':
      return `pending: restored by the backend when ${change.cluster} answers again`;
    case 'failed':
      return `failed: ${change.undoError ?? 'the undo was refused'}`;
    case 'not-needed':
      return 'not needed';
    default:
      return 'not undone';
  }
}

/**
 * The changes that reached (or may have reached) a cluster, with their step:
 * applied, or sent without a recorded answer. A write the cluster refused
 * changed nothing there and has nothing to restore.
 */
function madeChanges(
  steps: FailoverRunStep[],
): Array<{ step: FailoverRunStep; change: FailoverChange }> {
  return steps.flatMap(step =>
    (step.changes ?? [])
      .filter(c => c.state !== 'refused')
      .map(change => ({ step, change })),
  );
}

/** The clusters whose restore waits for them to answer again. */
function pendingClusters(run: FailoverRunDetails): string[] {
  const clusters = madeChanges(run.steps)
    .filter(({ change }) => change.undo === 'pending')
    .map(({ change }) => change.cluster);
  return clusters.filter((c, i) => clusters.indexOf(c) === i);
}

/** True when every started step journaled its writes (runs since the change journal). */
function journaled(run: FailoverRunDetails): boolean {
  const started = run.steps.filter(s => s.status !== 'pending');
  return started.length > 0 && started.every(s => s.changes !== undefined);
}

/** What the run changed and what the rollback did with each change. */
function UndoneChanges(props: { run: FailoverRunDetails }) {
  const made = madeChanges(props.run.steps);
  if (!made.length) {
    return journaled(props.run) ? (
      <Typography variant="body2">
        The run changed nothing in any cluster: nothing to undo.
      </Typography>
    ) : null;
  }
  return (
    <Box mt={2}>
      <Typography variant="subtitle2" component="h4">
        What the run changed, and what became of it
      </Typography>
      <Table size="small" aria-label={`Changes of run ${props.run.id}`}>
        <TableHead>
          <TableRow>
            <TableCell>Cluster</TableCell>
            <TableCell>Object</TableCell>
            <TableCell>Step</TableCell>
            <TableCell>Undo</TableCell>
          </TableRow>
        </TableHead>
        <TableBody>
          {made.map(({ step, change }, i) => (
            <TableRow key={`${step.index}-${i}`}>
              <TableCell>{change.cluster}</TableCell>
              <TableCell>
                {change.object}
                {change.state === 'unknown' && ' (answer lost: may be changed)'}
                {change.state === 'attempted' &&
                  ' (sent, no answer recorded: may be changed)'}
              </TableCell>
              <TableCell>{step.title}</TableCell>
              <TableCell>{undoText(change)}</TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>
    </Box>
  );
}

const COMPENSATION: Record<CompensationStatus, string> = {
  none: '',
  compensated: ' (undone)',
  'not-needed': ' (nothing to undo)',
  pending: ' (undo pending: done when the cluster answers again)',
  failed: ' (undo failed)',
};

/** The run's note: what a human must do, or what the product does itself. */
function RunNote(props: { run: FailoverRunDetails }) {
  const { run } = props;
  if (run.status === 'rolled-back-with-pending-repair') {
    const clusters = pendingClusters(run);
    const when = clusters.length
      ? `${clusters.join(', ')} ${
          clusters.length === 1 ? 'answers' : 'answer'
        } again`
      : 'the cluster answers again';
    return (
      <Alert severity="warning">
        The rollback completed in every cluster that answered. The backend
        finishes the pending repairs when {when}: nothing to do by hand.
        {!clusters.length && run.attention && ` ${run.attention}`}
      </Alert>
    );
  }
  if (!run.attention) return null;
  if (run.status === 'needs-attention' || run.status === 'failed') {
    return (
      <Alert severity="error">What a human must do: {run.attention}</Alert>
    );
  }
  return <Alert severity="info">{run.attention}</Alert>;
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
      <RunNote run={run} />
      {run.error && (
        <Alert
          severity={run.status.startsWith('rolled-back') ? 'warning' : 'error'}
        >
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
                {COMPENSATION[step.compensation] ?? ''}
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
      {UNDOING.includes(run.status) && <UndoneChanges run={run} />}
    </Box>
  );
}
