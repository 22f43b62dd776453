/*
 * What a step journals about replication when it fences the source (or, in
 * an emergency failover, promotes without it): the lag as read, when it was
 * read, and the data-loss window at that moment, so a post-incident review
 * reads them from the run without asking the clusters again.
 */
import { LagReading } from '@multicluster/backstage-plugin-statefulsets-node';

/**
 * Seconds of writes the target may lack at `now`: the lag as read plus the
 * age of the reading (the target held what the source had written `lag`
 * seconds before the reading; since then nothing is known). Null when the
 * lag is unknown.
 */
export function dataLossWindowSeconds(
  reading: LagReading,
  now: number,
): number | null {
  if (reading.seconds === null || !Number.isFinite(reading.seconds)) {
    return null;
  }
  const observed = reading.observedAt ? Date.parse(reading.observedAt) : NaN;
  const age = Number.isFinite(observed) ? Math.max(0, now - observed) : 0;
  return Math.round((reading.seconds + age / 1000) * 1000) / 1000;
}

/** The journal entry of the lag at fence time, under the names the step uses for the lag. */
export function lagAtFenceTime(
  lagKey: 'lagAtFence' | 'lastKnownLag',
  reading: LagReading,
  now: number,
): Record<string, unknown> {
  return {
    [lagKey]: reading.seconds,
    lagObservedAt: reading.observedAt,
    dataLossWindowSeconds: dataLossWindowSeconds(reading, now),
  };
}
