// How far a replica side of a CloudNativePG topology lags its source, moved
// on each reconcile by the same lag model as the StatefulSet replication
// exporter's (./lagModel), so both kinds of workload move alike.
import { createHash } from 'node:crypto';
import { isoSeconds } from '../../api/timestamp';
import {
  lagIntervalMs,
  nextLag as nextModelLag,
  type ReplicationSettings,
} from '../lagModel';
import type { ControllerContext, KubeObject } from '../types';

/**
 * Deterministic jitter in [0, 1) for one replica side and second, so the
 * status is reproducible and tests need no randomness.
 */
function jitter(now: number, key: string): () => number {
  return () =>
    createHash('sha1')
      .update(`${key}@${Math.floor(now / 1000)}`)
      .digest()
      .readUInt16BE(0) / 65536;
}

/** `status.replicationLag`: the lag last measured, and from which source. */
export interface ReplicationLagStatus {
  source: string;
  seconds: number;
  observedAt: string;
}

/**
 * Moves a replica side's lag with the shared lag model (jitter while
 * streaming, growth while cut off, draining once the source takes no
 * writes); `restart` starts the measurement afresh.
 */
export function nextLag(
  ctx: ControllerContext,
  cluster: KubeObject,
  source: string,
  sourceWrites: boolean,
  restart: boolean,
): ReplicationLagStatus {
  const now = ctx.now();
  const settings = (ctx.replication ?? {}) as ReplicationSettings;
  const prev: ReplicationLagStatus | undefined = cluster.status?.replicationLag;
  const prevAt = prev ? Date.parse(prev.observedAt) : NaN;
  if (
    !restart &&
    prev &&
    prev.source === source &&
    now - prevAt < lagIntervalMs(settings)
  ) {
    return prev;
  }
  const cut = ctx.isDown(source) || ctx.isPartitioned(source, ctx.cluster.name);
  const measured = nextModelLag(
    restart || !prev || !Number.isFinite(prevAt)
      ? undefined
      : { lag: Number(prev.seconds) || 0, at: prevAt },
    now,
    { cut, quiesced: !cut && !sourceWrites },
    settings,
    jitter(now, `${ctx.cluster.name}/${cluster.metadata.name}`),
  );
  return {
    source,
    seconds: Math.round(measured.lag * 1000) / 1000,
    observedAt: isoSeconds(now),
  };
}
