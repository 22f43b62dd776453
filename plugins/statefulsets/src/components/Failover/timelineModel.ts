/*
 * What a run's timeline says, worked out from the run as the API returned
 * it: each step's duration and outcome, the lag and data-loss window the
 * journal recorded at fence time, the fields a write changed as they were
 * before it, and the run exported as a JSON file for a post-incident review.
 */
import { parseEntityRef } from '@backstage/catalog-model';
import {
  FailoverChange,
  FailoverRunDetails,
  FailoverRunStep,
} from '@multicluster/backstage-plugin-statefulsets-common';

/** How an outcome reads at a glance; the timeline colours it from the theme. */
export type Tone = 'ok' | 'error' | 'warning' | 'running' | 'neutral';

/** Milliseconds a step took, or undefined while it has not finished. */
export function stepDurationMs(step: FailoverRunStep): number | undefined {
  if (!step.startedAt || !step.finishedAt) return undefined;
  const ms = Date.parse(step.finishedAt) - Date.parse(step.startedAt);
  return Number.isFinite(ms) ? Math.max(0, ms) : undefined;
}

/** A duration as shown: `850 ms`, `1.2 s`, `2 min 5 s`. */
export function shortDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const s = Math.round(ms / 1000);
  return `${Math.floor(s / 60)} min ${s % 60} s`;
}

/** The same duration in words, for screen readers. */
export function spokenDuration(ms: number): string {
  const plural = (n: number | string, unit: string) =>
    `${n} ${unit}${n === 1 || n === '1.0' ? '' : 's'}`;
  if (ms < 1000) return plural(Math.round(ms), 'millisecond');
  if (ms < 60_000) return plural((ms / 1000).toFixed(1), 'second');
  const s = Math.round(ms / 1000);
  return `${plural(Math.floor(s / 60), 'minute')} ${plural(s % 60, 'second')}`;
}

/** A step's outcome chip: what became of the step, its rollback included. */
export function stepOutcome(step: FailoverRunStep): {
  label: string;
  tone: Tone;
} {
  if (step.compensation === 'compensated') {
    return { label: 'compensated', tone: 'warning' };
  }
  if (step.compensation === 'pending') {
    return { label: 'undo pending', tone: 'warning' };
  }
  if (step.compensation === 'failed') {
    return { label: 'undo failed', tone: 'error' };
  }
  const tones: Record<FailoverRunStep['status'], Tone> = {
    succeeded: 'ok',
    failed: 'error',
    running: 'running',
    deferred: 'warning',
    skipped: 'neutral',
    pending: 'neutral',
  };
  const label = step.status === 'pending' ? 'not started' : step.status;
  return { label, tone: tones[step.status] ?? 'neutral' };
}

/** The lag and data-loss window the journal recorded when the run fenced. */
export interface FenceFigures {
  /** `Lag at fence` (switchover) or `Last known lag` (emergency failover). */
  lagLabel: string;
  /** Seconds; null when unknown, undefined when not (yet) recorded. */
  lagSeconds?: number | null;
  lagObservedAt?: string;
  /** `Data-loss window at fence` or `… at promotion` (emergency failover). */
  windowLabel: string;
  /** Seconds of writes the target may have lacked; null when unknown. */
  windowSeconds?: number | null;
}

function num(v: unknown): number | null | undefined {
  if (typeof v === 'number') return v;
  return v === null ? null : undefined;
}

/**
 * Reads the fence-time figures from the step that records them: the fence
 * of a switchover, the promotion of an emergency failover. A drain fences
 * nothing (undefined). Runs journaled before the window was recorded show
 * their lag as the window, which is what their RPO says.
 */
export function fenceFigures(
  run: FailoverRunDetails,
): FenceFigures | undefined {
  if (run.mode === 'drain') return undefined;
  const switchover = run.mode === 'switchover';
  const step = run.steps.find(
    s => s.kind === (switchover ? 'fence' : 'promote'),
  );
  const inputs = step?.inputs ?? {};
  const lag = num(inputs[switchover ? 'lagAtFence' : 'lastKnownLag']);
  const window = num(inputs.dataLossWindowSeconds);
  return {
    lagLabel: switchover ? 'Lag at fence' : 'Last known lag',
    lagSeconds: lag,
    lagObservedAt:
      typeof inputs.lagObservedAt === 'string'
        ? inputs.lagObservedAt
        : undefined,
    windowLabel: `Data-loss window at ${switchover ? 'fence' : 'promotion'}`,
    windowSeconds: window === undefined ? lag : window,
  };
}

/** Seconds as the header shows them: `1.25 s`, `unknown`, or `not recorded`. */
export function secondsText(v: number | null | undefined): string {
  if (v === undefined) return 'not recorded';
  if (v === null) return 'unknown';
  return `${Number(v.toFixed(3))} s`;
}

function valueText(v: unknown): string {
  if (v === null || v === undefined) return 'absent';
  if (typeof v === 'string') return v;
  const text = JSON.stringify(v);
  // The export holds it whole.
  return text.length > 400 ? `${text.slice(0, 399)}…` : text;
}

/**
 * The fields of a journaled `previous` as `path = value` lines: nested
 * objects are walked, anything else (arrays, scalars) is shown whole.
 */
export function fieldLines(previous: unknown, prefix = ''): string[] {
  if (typeof previous !== 'object' || previous === null) {
    return prefix ? [`${prefix} = ${valueText(previous)}`] : [];
  }
  if (Array.isArray(previous)) return [`${prefix} = ${valueText(previous)}`];
  return Object.entries(previous as Record<string, unknown>).flatMap(
    ([key, value]) => fieldLines(value, prefix ? `${prefix}.${key}` : key),
  );
}

/** What the rollback did with a change, in words. */
export function undoText(change: FailoverChange): string {
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

/** The objects a rollback put back (or must still put back) for a step. */
export function undoneObjects(step: FailoverRunStep): string[] {
  const wanted =
    step.compensation === 'pending' ? ['pending'] : ['undone', 'failed'];
  const out = (step.changes ?? [])
    .filter(c => c.state !== 'refused' && wanted.includes(c.undo ?? ''))
    .map(c => `${c.object} in ${c.cluster}`);
  return out.filter((o, i) => out.indexOf(o) === i);
}

/** `failover-run-<entity>-<id>.json`, safe as a file name. */
export function exportFileName(run: FailoverRunDetails): string {
  let entity = run.entityRef;
  try {
    entity = parseEntityRef(run.entityRef).name;
  } catch {
    // A ref the catalog would not parse: keep it whole, made safe below.
  }
  const safe = (s: string) => s.replace(/[^A-Za-z0-9._-]+/g, '-');
  return `failover-run-${safe(entity)}-${safe(run.id)}.json`;
}

/**
 * Downloads the run exactly as the API returned it (the run carries no
 * credential: the actor and the cluster identity it acted as are part of
 * the record) as a JSON file.
 */
export function downloadRun(run: FailoverRunDetails, doc = document): void {
  const blob = new Blob([`${JSON.stringify(run, null, 2)}\n`], {
    type: 'application/json',
  });
  const url = URL.createObjectURL(blob);
  const link = doc.createElement('a');
  link.href = url;
  link.download = exportFileName(run);
  link.style.display = 'none';
  doc.body.appendChild(link);
  try {
    link.click();
  } finally {
    link.remove();
    // Revoked after the click has handed the file to the browser.
    setTimeout(() => URL.revokeObjectURL(url), 0);
  }
}
