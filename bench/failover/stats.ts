/*
 * The figures the failover benchmarks print: percentiles of a series, one
 * aligned line of p50/p95/max, and the catch-up wait read from a run's
 * journal (the part of a switchover's RTO that is replication speed, not
 * the engine's own work).
 */
import { FailoverRunDetails } from '../../plugins/statefulsets-common/src';

/** The p-th percentile (nearest rank) of `values`; NaN when there are none. */
export function pct(values: number[], p: number): number {
  if (!values.length) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[
    Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))
  ];
}

/** `label  p50 … ms   p95 … ms   max … ms`. */
export function line(label: string, values: number[]): string {
  return `${label.padEnd(34)} p50 ${pct(values, 50)
    .toFixed(0)
    .padStart(6)} ms   p95 ${pct(values, 95)
    .toFixed(0)
    .padStart(6)} ms   max ${Math.max(...values)
    .toFixed(0)
    .padStart(6)} ms`;
}

/** How long the run's wait-catch-up step took, in ms (0 without one). */
export function catchUpMs(run: FailoverRunDetails): number {
  const wait = run.steps.find(s => s.kind === 'wait-catch-up');
  if (!wait?.startedAt || !wait.finishedAt) return 0;
  return Date.parse(wait.finishedAt) - Date.parse(wait.startedAt);
}

/** A switchover's RTO without its catch-up wait, in ms. */
export function rtoExclCatchUpMs(run: FailoverRunDetails): number {
  return (run.rtoMs ?? NaN) - catchUpMs(run);
}
