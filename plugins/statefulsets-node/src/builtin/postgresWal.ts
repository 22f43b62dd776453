/*
 * Where the two sides' WAL stands against each other: how far the target
 * is behind the source (the switchover's LSN check), and what an emergency
 * promotion gives up, in WAL bytes.
 */
import { FailoverSide } from '../failover';
import {
  laterLsn,
  lsnBytesBehind,
  parseState,
  PostgresState,
  psql,
  STATE_QUERY,
} from './postgresCommands';
import { PostgresExec, PROBE_TIMEOUT_MS } from './postgresExec';

/** Bytes of WAL the target has not replayed of all the source wrote. */
export async function bytesBehind(
  pods: PostgresExec,
  target: FailoverSide,
  source: FailoverSide,
): Promise<{ bytes: number; target: PostgresState }> {
  const [s, t] = await Promise.all([pods.state(source), pods.state(target)]);
  if (!s.lsn || !t.lsn) {
    throw new Error(
      `No WAL position from ${s.lsn ? target.cluster : source.cluster}`,
    );
  }
  return { bytes: lsnBytesBehind(t.lsn, s.lsn), target: t };
}

/** The LSN check of a switchover: the target replayed all the fenced source wrote. */
export async function requireCaughtUp(
  pods: PostgresExec,
  target: FailoverSide,
  source: FailoverSide,
): Promise<void> {
  const { bytes } = await bytesBehind(pods, target, source);
  if (bytes > 0) {
    throw new Error(
      `${target.cluster} is ${bytes} bytes of WAL behind the fenced ${source.cluster}; not promoting (wait for catch-up, or fail over as an emergency)`,
    );
  }
}

/**
 * What an emergency promotion gives up, in WAL bytes: what the source
 * wrote past all the target received (a promotion replays what it
 * received). Unknown (null) when the source does not answer; the last
 * received LSN then marks where its lost writes start.
 */
export async function emergencyWindow(
  pods: PostgresExec,
  target: FailoverSide,
  source: FailoverSide,
): Promise<{ lastReceivedLsn: string | null; lostBytes: number | null }> {
  const t = await pods.state(target);
  const received = laterLsn(t.receivedLsn, t.lsn);
  const s = await pods
    .run(source, psql(STATE_QUERY), { timeoutMs: PROBE_TIMEOUT_MS })
    .then(parseState)
    .catch(() => undefined);
  return {
    lastReceivedLsn: received ?? null,
    lostBytes:
      s?.lsn && !s.inRecovery && received
        ? lsnBytesBehind(received, s.lsn)
        : null,
  };
}
