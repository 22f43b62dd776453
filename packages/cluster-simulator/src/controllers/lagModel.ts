/*
 * The replication lag model of the replica sides whose engine no emulator
 * plays (an emulated engine reports its own lag, see ../engines/replicaLag):
 * the StatefulSet replication exporter for those and CloudNativePG's replica
 * clusters move their lag with the same rules and the same world settings.
 */

/** The `replication` settings of a world (per cluster or top level). */
export interface ReplicationSettings {
  /** Lower bound of the steady-state lag in seconds (default 0.2). */
  minLagSeconds?: number;
  /** Upper bound of the steady-state lag in seconds (default 1.5). */
  maxLagSeconds?: number;
  /** How fast a grown lag shrinks once replication flows again (default 5 s/s). */
  catchUpSecondsPerSecond?: number;
  /** How often the annotations are refreshed (default 1000 ms). */
  intervalMs?: number;
  /** A fixed lag in seconds instead of the jittering one (tests, demos). */
  fixedLagSeconds?: number;
}

/** The state the lag model keeps per StatefulSet. */
export interface LagState {
  lag: number;
  at: number;
}

/** The source side as the lag model sees it. */
export interface SourceCondition {
  /** Partitioned away or down: nothing arrives. */
  cut: boolean;
  /** Fenced or scaled to zero: nothing new is written there. */
  quiesced: boolean;
}

/** How often a lag is re-measured (default 1000 ms). */
export function lagIntervalMs(settings: ReplicationSettings): number {
  return settings.intervalMs ?? 1000;
}

/**
 * One step of the lag model (pure): a jittering steady lag while replication
 * flows, growth while the source is cut off, catching up at
 * `catchUpSecondsPerSecond` afterwards, and draining to zero once the source
 * takes no more writes. `random` picks the jitter in [0, 1).
 */
export function nextLag(
  prev: LagState | undefined,
  now: number,
  source: SourceCondition,
  settings: ReplicationSettings,
  random: () => number,
): LagState {
  const min = settings.minLagSeconds ?? 0.2;
  const max = Math.max(min, settings.maxLagSeconds ?? 1.5);
  const rate = settings.catchUpSecondsPerSecond ?? 5;
  const steady = settings.fixedLagSeconds ?? min + random() * (max - min);
  if (!prev) {
    if (source.quiesced) return { lag: 0, at: now };
    return { lag: source.cut ? max : steady, at: now };
  }
  const dt = Math.max(0, (now - prev.at) / 1000);
  if (source.cut && !source.quiesced) return { lag: prev.lag + dt, at: now };
  if (source.quiesced)
    return { lag: Math.max(0, prev.lag - Math.max(rate, 1) * dt), at: now };
  if (prev.lag > max)
    return { lag: Math.max(steady, prev.lag - rate * dt), at: now };
  return { lag: steady, at: now };
}
