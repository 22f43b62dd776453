/*
 * A run's journal: its timeline (each step with its status, cluster,
 * timing and outcome; the run's RPO, RTO and fence-time figures), what a
 * human must do, and, after a rollback, every change the run made with what
 * became of it: undone, pending until its cluster answers again, or failed.
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
  FailoverChange,
  FailoverRunDetails,
  FailoverRunStatus,
  FailoverRunStep,
} from '@multicluster/backstage-plugin-statefulsets-common';
import { undoText } from './timelineModel';
import { RunTimeline } from './RunTimeline';

export { isFinished, outcomeLine, StepStatus } from './runStatus';

/** Statuses whose runs undid (or tried to undo) what they changed. */
const UNDOING: FailoverRunStatus[] = [
  'rolled-back',
  'rolled-back-with-pending-repair',
  'needs-attention',
];

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

/** The journal of a run: its timeline, notes and what a rollback undid. */
export function RunJournal(props: { run: FailoverRunDetails }) {
  const { run } = props;
  return (
    <Box>
      <RunTimeline run={run}>
        <RunNote run={run} />
        {run.error && (
          <Alert
            severity={
              run.status.startsWith('rolled-back') ? 'warning' : 'error'
            }
          >
            {run.error}
          </Alert>
        )}
      </RunTimeline>
      {UNDOING.includes(run.status) && <UndoneChanges run={run} />}
    </Box>
  );
}
