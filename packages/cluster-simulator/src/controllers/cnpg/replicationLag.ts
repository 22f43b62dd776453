// How far a replica side of a CloudNativePG topology lags its source,
// moved on each reconcile like the StatefulSet replication exporter moves it.
import { createHash } from 'node:crypto';
import { isoSeconds } from '../timestamps';
import type { ControllerContext, KubeObject } from '../types';

/**
 * The lag model, shaped like the StatefulSet replication exporter's so both
 * kinds of workload move alike; the world's `replication` settings
 * (minLagSeconds, maxLagSeconds, catchUpSecondsPerSecond, intervalMs,
 * fixedLagSeconds) override these defaults.
 */
interface LagModel {
  min: number;
  max: number;
  catchUp: number;
  /** Lag is re-measured at most this often, so writes don't loop on themselves. */
  intervalMs: number;
  fixed?: number;
}

function lagModel(ctx: ControllerContext): LagModel {
  const r = ctx.replication ?? {};
  const num = (key: string, fallback: number) =>
    typeof r[key] === 'number' && (r[key] as number) >= 0
      ? (r[key] as number)
      : fallback;
  const min = num('minLagSeconds', 0.2);
  return {
    min,
    max: Math.max(min, num('maxLagSeconds', 1.5)),
    catchUp: num('catchUpSecondsPerSecond', 5),
    intervalMs: num('intervalMs', 1000),
    fixed:
      typeof r.fixedLagSeconds === 'number'
        ? (r.fixedLagSeconds as number)
        : undefined,
  };
}

/** Deterministic jitter in [min, max), so tests need no randomness. */
function jitter(now: number, key: string, model: LagModel): number {
  if (model.fixed !== undefined) {
    return model.fixed;
  }
  const h = createHash('sha1')
    .update(`${key}@${Math.floor(now / 1000)}`)
    .digest();
  return model.min + (h.readUInt16BE(0) / 65536) * (model.max - model.min);
}

/** `status.replicationLag`: the lag last measured, and from which source. */
export interface LagState {
  source: string;
  seconds: number;
  observedAt: string;
}

/** Moves a replica side's lag: jitter when streaming, growth when cut off. */
export function nextLag(
  ctx: ControllerContext,
  cluster: KubeObject,
  source: string,
  sourceWrites: boolean,
  restart: boolean,
): LagState {
  const now = ctx.now();
  const model = lagModel(ctx);
  const prev: LagState | undefined = cluster.status?.replicationLag;
  const prevAt = prev ? Date.parse(prev.observedAt) : NaN;
  if (
    !restart &&
    prev &&
    prev.source === source &&
    now - prevAt < model.intervalMs
  ) {
    return prev;
  }
  const elapsed = Number.isFinite(prevAt)
    ? Math.max(0, (now - prevAt) / 1000)
    : 0;
  const prevSeconds = restart || !prev ? 0 : Number(prev.seconds) || 0;
  const cut = ctx.isDown(source) || ctx.isPartitioned(source, ctx.cluster.name);
  let seconds: number;
  if (cut) {
    seconds = prevSeconds + elapsed;
  } else if (!sourceWrites) {
    // The source stopped taking writes (demoted or fenced): drain to zero.
    seconds = Math.max(0, prevSeconds - model.catchUp * elapsed);
  } else {
    const floor = jitter(
      now,
      `${ctx.cluster.name}/${cluster.metadata.name}`,
      model,
    );
    seconds = Math.max(floor, prevSeconds - model.catchUp * elapsed);
  }
  return {
    source,
    seconds: Math.round(seconds * 1000) / 1000,
    observedAt: isoSeconds(now),
  };
}
