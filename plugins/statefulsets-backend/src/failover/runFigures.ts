/*
 * What a finished run reports, read from its journal alone so that a
 * resumed run reports the same: the recovery point and time (RPO, RTO),
 * the notes on steps still deferred, and what a human must do after a step
 * failed past promotion.
 */
import {
  FailoverRunDetails,
  FailoverRunStep,
} from '@multicluster/backstage-plugin-statefulsets-common';
import { STEP_HANDLERS } from './steps';

/** RPO and RTO of a run as its journal records them. */
export function runFigures(run: FailoverRunDetails): {
  rpoSeconds?: number | null;
  rtoMs?: number | null;
} {
  const steps = run.steps;
  const find = (kind: string) => steps.find(s => s.kind === kind);
  const at = (v: string | undefined) => (v ? Date.parse(v) : NaN);
  let rpo: number | null | undefined;
  let start: number;
  let end: number;
  if (run.mode === 'drain') {
    rpo = 0;
    const drain = find('drain-traffic');
    start = at(drain?.startedAt);
    end = at(drain?.finishedAt);
  } else {
    const first = steps.find(s => s.startedAt);
    start = at(first?.startedAt);
    const moved = find('move-traffic');
    end =
      moved?.status === 'succeeded'
        ? at(moved.finishedAt)
        : at(find('promote')?.finishedAt);
    const inputs =
      run.mode === 'switchover'
        ? find('fence')?.inputs
        : find('promote')?.inputs;
    const raw =
      inputs?.[run.mode === 'switchover' ? 'lagAtFence' : 'lastKnownLag'];
    rpo = typeof raw === 'number' ? raw : null;
  }
  const rto =
    Number.isFinite(start) && Number.isFinite(end) ? end - start : null;
  return { rpoSeconds: rpo, rtoMs: rto };
}

/** What a succeeded run says about the steps it left deferred, if any. */
export function deferredNotes(run: FailoverRunDetails): string | undefined {
  const src = run.sourceCluster;
  const notes = run.steps
    .filter(s => s.status === 'deferred')
    .map(s => {
      if (s.kind === 'fence-old-source') {
        return `${src} could not be fenced yet; the engine fences it as soon as it answers. Until then make sure it takes no writes.`;
      }
      return `${s.title}: ${String(
        (s.outcome as { reason?: string } | undefined)?.reason ??
          `waits for ${src} to answer`,
      )}.`;
    });
  return notes.length ? notes.join(' ') : undefined;
}

/** What a human must do after a step failed past promotion. */
export function attentionFor(
  run: FailoverRunDetails,
  step: FailoverRunStep,
): string {
  const src = run.sourceCluster ?? 'the old primary';
  const tgt = run.targetCluster;
  const route = run.plan.route
    ? `${run.plan.route.namespace}/${run.plan.route.name}`
    : 'the route';
  return (
    STEP_HANDLERS[step.kind].attention?.({ src, tgt, route }, step) ??
    `Step "${step.title}" failed after promotion: check ${tgt} and ${src} by hand.`
  );
}
