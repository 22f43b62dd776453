/*
 * The state of one emulated MySQL server and how it moves with time.
 *
 * Deterministic write rule: a server that is writable (read_only=OFF) and
 * not running replication takes simulated client writes at one transaction
 * per WRITE_INTERVAL_MS (two a second), each a GTID `<server_uuid>:N`; an
 * accepted INSERT/UPDATE/DDL adds one more. A replica whose replication
 * threads run and whose source is reachable has executed everything its
 * source has (no apply lag). Nothing is written while time passes: the set
 * is computed when read, and stored ("materialized") only when a statement
 * changes the server or the reachability between clusters changes.
 *
 * Seconds_Behind_Source (../replicaLag): 0 while the replica is linked to
 * its source; while the source is cut off (I/O thread connecting), the
 * whole seconds since the replica last received from it. MySQL itself
 * shows NULL while the I/O thread reconnects; the emulator keeps counting
 * so the time a replica falls behind shows in the topology. NULL when the
 * replication threads are stopped, or when the replica never received
 * anything.
 */
import { createHash } from 'node:crypto';
import {
  formatGtidSet,
  lastOf,
  parseGtidSet,
  unionGtidSets,
  withRange,
} from './gtid';
import { type ReplicaLag, secondsSince } from '../replicaLag';

/** Milliseconds between two simulated client writes on a writable server. */
export const WRITE_INTERVAL_MS = 500;

/** Where a replica replicates from (CHANGE REPLICATION SOURCE TO). */
export interface ReplicationSource {
  host: string;
  port: number;
  user: string;
  autoPosition: boolean;
}

/** What is stored of one server. */
export interface MysqlState {
  serverUuid: string;
  serverId: number;
  readOnly: boolean;
  superReadOnly: boolean;
  /** The executed GTID set as of the last change. */
  gtidExecuted: string;
  /** Start of the simulated client writes, while they run. */
  writesSinceMs?: number;
  source?: ReplicationSource;
  /** The name of the source's channel (`FOR CHANNEL`; '' for the default one). */
  channel?: string;
  replicaRunning: boolean;
  /** When the replica last received from its source (the last materialize while linked). */
  receivedAtMs?: number;
}

/** The source as a replica sees it. */
export type SourceView =
  | { ok: true; executed: string; serverUuid: string; serverId: number }
  | { ok: false; error: string };

/** What the SQL layer needs of the server it talks to. */
export interface MysqlHost {
  now(): number;
  /** The server's host name (the pod name). */
  hostname: string;
  load(): MysqlState;
  save(state: MysqlState): void;
  /** Connects to a source: its executed set, or why it cannot be reached. */
  source(src: ReplicationSource): SourceView;
  /**
   * When the replica last received from its source, given whether it is
   * linked now and what its state recorded (see ../replicaLag); without
   * it, the recorded time.
   */
  lastReceived?(
    linked: boolean,
    storedMs: number | undefined,
  ): number | undefined;
}

/** A uuid derived from a stable key (a server keeps it across restarts). */
export function stableUuid(key: string): string {
  const h = createHash('sha256').update(key).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(
    16,
    20,
  )}-${h.slice(20, 32)}`;
}

/** A fresh server: writable unless `readOnly`, nothing executed yet. */
export function initialState(
  key: string,
  readOnly: boolean,
  now: number,
): MysqlState {
  const serverUuid = stableUuid(key);
  return {
    serverUuid,
    serverId: (parseInt(serverUuid.slice(0, 6), 16) % 4000000) + 1,
    readOnly,
    superReadOnly: readOnly,
    gtidExecuted: '',
    writesSinceMs: readOnly ? undefined : now,
    replicaRunning: false,
  };
}

/** Whether simulated client writes run on the server. */
export function takesWrites(s: MysqlState): boolean {
  return !s.readOnly && !s.replicaRunning;
}

/** How the replication threads stand right now. */
export function replicaView(s: MysqlState, host: MysqlHost): SourceView {
  if (!s.source) return { ok: false, error: 'no source configured' };
  if (!s.replicaRunning) return { ok: false, error: 'replication stopped' };
  return host.source(s.source);
}

/** The executed GTID set at `now`. */
export function executedAt(
  s: MysqlState,
  host: MysqlHost,
  now: number,
): string {
  let set = parseGtidSet(s.gtidExecuted);
  if (takesWrites(s) && s.writesSinceMs !== undefined) {
    const n = Math.floor((now - s.writesSinceMs) / WRITE_INTERVAL_MS);
    const last = lastOf(set, s.serverUuid);
    set = withRange(set, s.serverUuid, last + 1, last + n);
  }
  const src = replicaView(s, host);
  if (src.ok) set = unionGtidSets(set, parseGtidSet(src.executed));
  return formatGtidSet(set);
}

/**
 * Stores what time has done so far, so a change applies from now on: the
 * executed set as of `now`, the write clock restarted when writes run.
 */
export function materialize(
  s: MysqlState,
  host: MysqlHost,
  now: number,
): MysqlState {
  const next = { ...s, gtidExecuted: executedAt(s, host, now) };
  if (replicaView(s, host).ok) next.receivedAtMs = now;
  if (takesWrites(s) && s.writesSinceMs !== undefined) {
    const n = Math.floor((now - s.writesSinceMs) / WRITE_INTERVAL_MS);
    next.writesSinceMs = s.writesSinceMs + n * WRITE_INTERVAL_MS;
  }
  return next;
}

/** Restarts or stops the write clock after a change of flags or replication. */
export function withWriteClock(s: MysqlState, now: number): MysqlState {
  if (!takesWrites(s)) return { ...s, writesSinceMs: undefined };
  return { ...s, writesSinceMs: s.writesSinceMs ?? now };
}

/** Adds one transaction of the server's own (an accepted write statement). */
export function withOwnTransaction(s: MysqlState): MysqlState {
  const set = parseGtidSet(s.gtidExecuted);
  const last = lastOf(set, s.serverUuid);
  return {
    ...s,
    gtidExecuted: formatGtidSet(
      withRange(set, s.serverUuid, last + 1, last + 1),
    ),
  };
}

/**
 * How far behind its source the replica is (Seconds_Behind_Source, whole
 * seconds), or why there is no number (the column is NULL then).
 */
export function replicaLagOf(s: MysqlState, host: MysqlHost): ReplicaLag {
  if (!s.source) return { error: 'no replication source configured' };
  if (!s.replicaRunning)
    return { error: 'replication threads stopped (Replica_IO_Running: No)' };
  const view = replicaView(s, host);
  const now = host.now();
  const recorded = view.ok ? now : s.receivedAtMs;
  const at = host.lastReceived
    ? host.lastReceived(view.ok, s.receivedAtMs)
    : recorded;
  if (view.ok) return { lagSeconds: 0 };
  if (at === undefined)
    return {
      error: `error connecting to source '${s.source.host}:${s.source.port}'`,
    };
  return { lagSeconds: Math.floor(secondsSince(now, at)) };
}
