/*
 * The failover dialog: choose the target and mode, read the plan and its
 * checks, type the entity's name to confirm (and force an emergency
 * failover), then watch the steps progress live until the outcome.
 */
import { useEffect, useState } from 'react';
import useAsync from 'react-use/esm/useAsync';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Checkbox from '@material-ui/core/Checkbox';
import Dialog from '@material-ui/core/Dialog';
import DialogActions from '@material-ui/core/DialogActions';
import DialogContent from '@material-ui/core/DialogContent';
import DialogTitle from '@material-ui/core/DialogTitle';
import FormControlLabel from '@material-ui/core/FormControlLabel';
import List from '@material-ui/core/List';
import ListItem from '@material-ui/core/ListItem';
import ListItemText from '@material-ui/core/ListItemText';
import MenuItem from '@material-ui/core/MenuItem';
import TextField from '@material-ui/core/TextField';
import Typography from '@material-ui/core/Typography';
import Alert from '@material-ui/lab/Alert';
import { CompoundEntityRef } from '@backstage/catalog-model';
import { Progress } from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import {
  EntityTopology,
  FailoverMode,
  FailoverRunDetails,
} from '@multicluster/backstage-plugin-statefulsets-common';
import { multiClusterStatefulSetsApiRef } from '../../api';
import { serverMessage } from '../ErrorState';
import { WithStatus } from '../Panels/ReadinessPanel';
import { DataLossWindow } from './DataLossWindow';
import { isFinished, RunJournal } from './RunJournal';
import { failoverTargets, modesFor } from './targets';

/** How often a running run is re-read. */
export const RUN_POLL_MS = 1000;

/**
 * How often a run rolled back with repairs pending is re-read while the
 * dialog is open, so it shows the repairs when the cluster answers again.
 */
export const REPAIR_POLL_MS = 5000;

/** The fence budget of a plan made by a backend that does not state it. */
const DEFAULT_FENCE_BUDGET = 15;

const MODE_LABELS: Record<FailoverMode, string> = {
  switchover: 'Planned switchover',
  failover: 'Emergency failover (source unreachable)',
  drain: 'Drain traffic from the cluster',
};

function useRun(entityRef: CompoundEntityRef, runId?: string) {
  const api = useApi(multiClusterStatefulSetsApiRef);
  const [run, setRun] = useState<FailoverRunDetails>();
  const [error, setError] = useState<Error>();
  useEffect(() => {
    if (!runId) return undefined;
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const read = async () => {
      try {
        const next = await api.getFailoverRun(entityRef, runId);
        if (stopped) return;
        setRun(next);
        if (!isFinished(next.status)) timer = setTimeout(read, RUN_POLL_MS);
        else if (next.status === 'rolled-back-with-pending-repair') {
          timer = setTimeout(read, REPAIR_POLL_MS);
        }
      } catch (e) {
        if (!stopped) setError(e as Error);
      }
    };
    read();
    return () => {
      stopped = true;
      if (timer) clearTimeout(timer);
    };
    // entityRef is stable for the dialog's life
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [api, runId]);
  return { run, error };
}

/** The dialog; `onFinished` fires when a started run reaches its outcome. */
export function FailoverDialog(props: {
  open: boolean;
  onClose(): void;
  entityRef: CompoundEntityRef;
  topology: EntityTopology;
  onFinished?(): void;
}) {
  const { open, onClose, entityRef, topology, onFinished } = props;
  const api = useApi(multiClusterStatefulSetsApiRef);
  const modes = modesFor(topology);
  const [mode, setMode] = useState<FailoverMode>(modes[0]);
  const targets = failoverTargets(topology, mode);
  const [target, setTarget] = useState(targets[0] ?? '');
  const [confirm, setConfirm] = useState('');
  const [force, setForce] = useState(false);
  const [reason, setReason] = useState('');
  const [runId, setRunId] = useState<string>();
  const [startError, setStartError] = useState<Error>();
  const [starting, setStarting] = useState(false);

  // The plan is made again whenever the live topology changes (lag, pods,
  // reachability), so its checks never describe a state that has passed. The
  // last plan for the same target and mode stays on screen meanwhile.
  const planKey = `${target}|${mode}`;
  const planned = useAsync(
    async () =>
      open && target && !runId
        ? {
            key: planKey,
            plan: await api.planFailover(entityRef, {
              targetCluster: target,
              mode,
            }),
          }
        : undefined,
    [open, target, mode, runId, topology],
  );
  const plan = {
    loading: planned.loading,
    error: planned.error,
    value: planned.value?.key === planKey ? planned.value.plan : undefined,
  };
  const { run, error: runError } = useRun(entityRef, runId);
  useEffect(() => {
    if (run && isFinished(run.status)) onFinished?.();
    // report once per outcome
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [run?.status]);

  const needsForce = mode === 'failover';
  const canStart =
    !!plan.value &&
    plan.value.allowed &&
    confirm === entityRef.name &&
    (!needsForce || force) &&
    !starting;

  const start = async () => {
    setStarting(true);
    setStartError(undefined);
    try {
      const { id } = await api.startFailover(entityRef, {
        targetCluster: target,
        mode,
        confirm,
        force: needsForce ? force : undefined,
        reason: needsForce && reason.trim() ? reason.trim() : undefined,
      });
      setRunId(id);
    } catch (e) {
      setStartError(e as Error);
    } finally {
      setStarting(false);
    }
  };

  const targetLabel = mode === 'drain' ? 'Cluster to drain' : 'Target cluster';

  return (
    <Dialog open={open} onClose={onClose} maxWidth="md" fullWidth>
      <DialogTitle>Failover of {entityRef.name}</DialogTitle>
      <DialogContent>
        {!runId && (
          <>
            <Box display="flex" gridGap={16} mb={2}>
              <TextField
                id="mcss-failover-target"
                select
                label={targetLabel}
                value={target}
                onChange={e => setTarget(e.target.value)}
                style={{ minWidth: 200 }}
              >
                {targets.map(t => (
                  <MenuItem key={t} value={t}>
                    {t}
                  </MenuItem>
                ))}
              </TextField>
              <TextField
                id="mcss-failover-mode"
                select
                label="Mode"
                value={mode}
                onChange={e => {
                  const next = e.target.value as FailoverMode;
                  setMode(next);
                  // A target of one mode may not be one of the other's.
                  const nextTargets = failoverTargets(topology, next);
                  if (!nextTargets.includes(target)) {
                    setTarget(nextTargets[0] ?? '');
                  }
                }}
                style={{ minWidth: 280 }}
              >
                {modes.map(m => (
                  <MenuItem key={m} value={m}>
                    {MODE_LABELS[m]}
                  </MenuItem>
                ))}
              </TextField>
            </Box>
            {plan.loading && !plan.value && <Progress />}
            {plan.error && (
              <Alert severity="error">
                The plan could not be made: {serverMessage(plan.error)}
              </Alert>
            )}
            {plan.value && (
              <Box>
                <Typography variant="h6" component="h3">
                  Checks
                </Typography>
                <List dense aria-label="Failover checks">
                  {plan.value.checks.map(c => (
                    <ListItem key={c.id}>
                      <ListItemText
                        primary={
                          <WithStatus status={c.status}>{c.title}</WithStatus>
                        }
                        secondary={c.evidence}
                      />
                    </ListItem>
                  ))}
                </List>
                <Typography variant="h6" component="h3">
                  Steps
                </Typography>
                <List dense aria-label="Failover steps">
                  {plan.value.steps.map(s => (
                    <ListItem key={s.index}>
                      <ListItemText
                        primary={`${s.index + 1}. ${s.title} (${s.cluster})`}
                        secondary={s.changes.join('; ')}
                      />
                    </ListItem>
                  ))}
                </List>
                <DataLossWindow plan={plan.value} />
                <Typography variant="body2" gutterBottom>
                  Data loss: {plan.value.dataLoss}. Fence:{' '}
                  {plan.value.fenceMethod}.
                </Typography>
                {/* Only a switchover holds a source that still takes writes. */}
                {plan.value.mode === 'switchover' && (
                  <Typography variant="body2" gutterBottom>
                    Writes pause for at most{' '}
                    {plan.value.fenceBudgetSeconds ?? DEFAULT_FENCE_BUDGET} s
                    (fence budget): if {plan.value.targetCluster} is not
                    promoted by then, the run rolls back and{' '}
                    {plan.value.sourceCluster ?? 'the source'} takes writes
                    again.
                  </Typography>
                )}
                {plan.value.warnings.map(w => (
                  <Alert key={w} severity="warning">
                    {w}
                  </Alert>
                ))}
                {!plan.value.allowed && (
                  <Alert severity="error">
                    A check failed: this {mode} would not be safe now.
                    {plan.value.offeredModes.length > 0 &&
                      ` Possible now: ${plan.value.offeredModes.join(', ')}.`}
                  </Alert>
                )}
                <Box mt={2}>
                  <TextField
                    id="mcss-failover-confirm"
                    fullWidth
                    label={`Type ${entityRef.name} to confirm`}
                    value={confirm}
                    onChange={e => setConfirm(e.target.value)}
                  />
                  {needsForce && (
                    <FormControlLabel
                      control={
                        <Checkbox
                          checked={force}
                          onChange={e => setForce(e.target.checked)}
                        />
                      }
                      label="Force: promote without waiting for the target to catch up; writes not yet replicated may be lost"
                    />
                  )}
                  {needsForce && (
                    <TextField
                      id="mcss-failover-reason"
                      fullWidth
                      label="Reason (recorded in the run and the audit log)"
                      inputProps={{ maxLength: 500 }}
                      value={reason}
                      onChange={e => setReason(e.target.value)}
                    />
                  )}
                </Box>
              </Box>
            )}
            {startError && (
              <Alert severity="error">
                The run did not start: {serverMessage(startError)}
              </Alert>
            )}
          </>
        )}
        {runId && !run && !runError && <Progress />}
        {runError && (
          <Alert severity="error">
            Could not read the run: {serverMessage(runError)}
          </Alert>
        )}
        {run && <RunJournal run={run} />}
      </DialogContent>
      <DialogActions>
        <Button onClick={onClose}>{runId ? 'Close' : 'Cancel'}</Button>
        {!runId && (
          <Button
            color="secondary"
            variant="contained"
            disabled={!canStart}
            onClick={start}
          >
            Start {mode}
          </Button>
        )}
      </DialogActions>
    </Dialog>
  );
}
