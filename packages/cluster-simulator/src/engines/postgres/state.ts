/*
 * The state of one emulated PostgreSQL server and how its WAL moves with
 * time.
 *
 * Deterministic write rule: a running primary whose effective
 * `default_transaction_read_only` is off takes simulated client writes at
 * one transaction per WRITE_INTERVAL_MS, each WRITE_BYTES of WAL; an
 * accepted INSERT/DDL and a CHECKPOINT add their own records. A standby in
 * recovery whose primary_conninfo host resolves to a running server of the
 * same system, on its timeline's history, has received and replayed all that
 * server's WAL (no apply lag) and follows its timeline switches; a standby
 * whose timeline diverged from its upstream's (it wrote past the point where
 * the upstream's timeline forked) stays where it is until pg_rewind.
 * Nothing is written while time passes: positions are computed when read and
 * stored ("materialized") only when something changes the server or the
 * reachability between clusters changes.
 *
 * Replay lag (../replicaLag): a streaming standby replayed all its primary
 * wrote, so it is 0 s behind and its last replayed transaction is as of
 * now; once it stops streaming (upstream cut off, stopped or gone), its
 * last replayed transaction is the last moment it received WAL, and the lag
 * is now minus that moment (pg_last_xact_replay_timestamp(), and the
 * exporter's `pg_replication_lag_seconds`).
 */
import { createHash } from 'node:crypto';
import { type ReplicaLag, secondsSince } from '../replicaLag';

/** Milliseconds between two simulated client writes on a writable primary. */
export const WRITE_INTERVAL_MS = 500;
/** WAL bytes of one simulated client transaction. */
export const WRITE_BYTES = 0x1c8;
/** WAL bytes of a checkpoint record (CHECKPOINT, shutdown). */
export const CHECKPOINT_BYTES = 0x78;
/** WAL bytes of a promotion's end-of-recovery record. */
export const END_OF_RECOVERY_BYTES = 0x60;
/** WAL bytes of an accepted INSERT/UPDATE/DELETE. */
export const ROW_WRITE_BYTES = 0x90;
/** WAL bytes of accepted DDL (CREATE TABLE, …). */
export const DDL_WRITE_BYTES = 0x1f40;
/** Where a fresh system's WAL starts (0/3000000). */
export const INITIAL_LSN = 0x3000000;

/** A timeline that ended: `tli` switched to the next at WAL position `end`. */
export interface TimelineSwitch {
  tli: number;
  end: number;
}

/** Where a server's WAL stands. */
export interface WalPosition {
  timeline: number;
  /** The timelines before `timeline`, oldest first (the history file). */
  history: TimelineSwitch[];
  /** Current (primary) or replayed (standby) WAL position, in bytes. */
  lsn: number;
}

/** What is stored of one server: its data directory and whether it runs. */
export interface PgState extends WalPosition {
  /** pg_control's database system identifier, shared by a primary and its standbys. */
  systemId: string;
  /** The last checkpoint's position. */
  checkpoint: number;
  /** Start of the simulated client writes, while they run. */
  writesSinceMs?: number;
  /** `standby.signal` is in the data directory. */
  standbySignal: boolean;
  /** The server runs in recovery (started with standby.signal, not promoted since). */
  inRecovery: boolean;
  /** postgresql.auto.conf (ALTER SYSTEM, pg_rewind --write-recovery-conf). */
  autoConf: Record<string, string>;
  /** The settings in effect (postgresql.auto.conf as of the last start or reload). */
  settings: Record<string, string>;
  /** The server's version (from its image). */
  version?: string;
  /** The uid of the pod in which `pg_ctl stop` stopped the server (a new pod starts it). */
  stoppedInPod?: string;
  /** When the standby last received WAL (the last materialize while streaming). */
  receivedAtMs?: number;
}

/** The upstream a standby connects to, as it sees it. */
export type UpstreamView =
  | {
      ok: true;
      systemId: string;
      position: WalPosition;
      /** Its postgresql.auto.conf, which pg_rewind copies. */
      autoConf?: Record<string, string>;
    }
  | { ok: false; error: string };

/** What the SQL layer and the tools need of the server they talk to. */
export interface PgHost {
  now(): number;
  /** The server's host name (the pod name). */
  hostname: string;
  /** The pod's uid: a server stopped in an earlier pod runs again. */
  podUid: string;
  load(): PgState;
  save(state: PgState): void;
  /** Connects to the server a libpq connection string names. */
  upstream(conninfo: string): UpstreamView;
  /** The standbys streaming from this server. */
  downstreams?(): Array<{
    hostname: string;
    conninfo: string;
    lsn: number;
    host: PgHost;
  }>;
  /**
   * When the standby last received WAL, given whether it streams now and
   * what its state recorded (see ../replicaLag); without it, the recorded
   * time.
   */
  lastReceived?(
    streaming: boolean,
    storedMs: number | undefined,
  ): number | undefined;
}

/** A system identifier derived from a stable key (a primary and its standbys share it). */
export function systemIdentifier(key: string): string {
  const h = createHash('sha256').update(key).digest('hex');
  return BigInt(`0x${h.slice(0, 15)}`).toString();
}

/** An LSN as PostgreSQL prints it (`0/3000060`). */
export function formatLsn(lsn: number): string {
  const hi = Math.floor(lsn / 2 ** 32);
  const lo = lsn - hi * 2 ** 32;
  return `${hi.toString(16).toUpperCase()}/${lo.toString(16).toUpperCase()}`;
}

/** `X/Y` as a byte position, or undefined when it is not an LSN. */
export function parseLsn(text: string): number | undefined {
  const m = /^([0-9A-F]{1,8})\/([0-9A-F]{1,8})$/i.exec(text.trim());
  return m ? parseInt(m[1], 16) * 2 ** 32 + parseInt(m[2], 16) : undefined;
}

/** A fresh server: a primary, or a standby of `primaryConninfo`. */
export function initialState(
  systemKey: string,
  now: number,
  primaryConninfo?: string,
): PgState {
  const standby = primaryConninfo !== undefined;
  const autoConf: Record<string, string> = standby
    ? { primary_conninfo: primaryConninfo }
    : {};
  return {
    systemId: systemIdentifier(systemKey),
    timeline: 1,
    history: [],
    lsn: INITIAL_LSN,
    checkpoint: INITIAL_LSN,
    writesSinceMs: standby ? undefined : now,
    standbySignal: standby,
    inRecovery: standby,
    autoConf,
    settings: { ...autoConf },
  };
}

/** Whether the server runs (not stopped with pg_ctl in this pod). */
export function isRunning(s: PgState, host: PgHost): boolean {
  return s.stoppedInPod === undefined || s.stoppedInPod !== host.podUid;
}

/** The effective value of a boolean setting. */
export function settingOn(s: PgState, name: string): boolean {
  return ['on', 'true', '1', 'yes'].includes(
    (s.settings[name] ?? '').toLowerCase(),
  );
}

/** Whether simulated client writes run on the server. */
export function takesWrites(s: PgState): boolean {
  return !s.inRecovery && !settingOn(s, 'default_transaction_read_only');
}

/**
 * Whether a standby at `own` can stream from an upstream at `up`: same
 * timeline and not ahead, or its timeline is one the upstream left after
 * the standby's position.
 */
export function canFollow(own: WalPosition, up: WalPosition): boolean {
  if (own.timeline === up.timeline) return own.lsn <= up.lsn;
  const sw = up.history.find(h => h.tli === own.timeline);
  return sw !== undefined && own.lsn <= sw.end;
}

/** Where a standby's upstream stands, when it streams from it now. */
export function streamingFrom(
  s: PgState,
  host: PgHost,
): { conninfo: string; position: WalPosition } | undefined {
  const conninfo = s.settings.primary_conninfo;
  if (!s.inRecovery || !conninfo || !isRunning(s, host)) return undefined;
  const up = host.upstream(conninfo);
  if (!up.ok || up.systemId !== s.systemId || !canFollow(s, up.position))
    return undefined;
  return { conninfo, position: up.position };
}

/** The server's WAL position at `now`. */
export function positionAt(s: PgState, host: PgHost, now: number): WalPosition {
  const own: WalPosition = {
    timeline: s.timeline,
    history: s.history,
    lsn: s.lsn,
  };
  if (s.inRecovery) return streamingFrom(s, host)?.position ?? own;
  if (takesWrites(s) && s.writesSinceMs !== undefined && isRunning(s, host)) {
    const n = Math.max(
      0,
      Math.floor((now - s.writesSinceMs) / WRITE_INTERVAL_MS),
    );
    return { ...own, lsn: s.lsn + n * WRITE_BYTES };
  }
  return own;
}

/**
 * Stores what time has done so far, so a change applies from now on: the
 * position as of `now`, the write clock restarted when writes run.
 */
export function materialize(s: PgState, host: PgHost, now: number): PgState {
  const next: PgState = { ...s, ...positionAt(s, host, now) };
  if (streamingFrom(s, host)) next.receivedAtMs = now;
  if (s.writesSinceMs !== undefined) {
    const n = Math.max(
      0,
      Math.floor((now - s.writesSinceMs) / WRITE_INTERVAL_MS),
    );
    next.writesSinceMs = s.writesSinceMs + n * WRITE_INTERVAL_MS;
  }
  return next;
}

/** Restarts or stops the write clock after a change of settings or role. */
export function withWriteClock(s: PgState, now: number): PgState {
  if (!takesWrites(s) || s.stoppedInPod !== undefined)
    return { ...s, writesSinceMs: undefined };
  return { ...s, writesSinceMs: s.writesSinceMs ?? now };
}

/** Appends WAL of the server's own (a write, a checkpoint record). */
export function withWal(s: PgState, bytes: number): PgState {
  return { ...s, lsn: s.lsn + bytes };
}

/** Leaves recovery on a new timeline (pg_promote, pg_ctl promote). */
export function promoted(s: PgState, now: number): PgState {
  const highest = Math.max(s.timeline, ...s.history.map(h => h.tli));
  const next: PgState = {
    ...s,
    history: [...s.history, { tli: s.timeline, end: s.lsn }],
    timeline: highest + 1,
    lsn: s.lsn + END_OF_RECOVERY_BYTES,
    standbySignal: false,
    inRecovery: false,
  };
  return withWriteClock(next, now);
}

/** Loads postgresql.auto.conf into the settings in effect (pg_reload_conf, start). */
export function reloaded(s: PgState, now: number): PgState {
  return withWriteClock({ ...s, settings: { ...s.autoConf } }, now);
}

/**
 * Where two WAL histories part: the last timeline both went through and the
 * position where the first of them left it.
 */
export function divergence(
  target: WalPosition,
  source: WalPosition,
): { tli: number; at: number } | undefined {
  const ends = (p: WalPosition) =>
    new Map<number, number>([
      ...p.history.map(h => [h.tli, h.end] as [number, number]),
      [p.timeline, Number.POSITIVE_INFINITY],
    ]);
  const t = ends(target);
  const s = ends(source);
  const common = [...t.keys()].filter(tli => s.has(tli));
  if (common.length === 0) return undefined;
  const tli = Math.max(...common);
  return { tli, at: Math.min(t.get(tli)!, s.get(tli)!) };
}

/**
 * When a standby replayed its last transaction: now while it streams, else
 * the last moment it received WAL. Undefined on a primary, and on a
 * standby that never received anything.
 */
export function lastReplayAt(s: PgState, host: PgHost): number | undefined {
  if (!s.inRecovery) return undefined;
  const streaming = streamingFrom(s, host) !== undefined;
  const recorded = streaming ? host.now() : s.receivedAtMs;
  return host.lastReceived
    ? host.lastReceived(streaming, s.receivedAtMs)
    : recorded;
}

/**
 * A standby's replay lag: 0 while it streams, else the seconds since it
 * last received WAL. Undefined for a stopped server (nothing answers).
 */
export function replayLagOf(s: PgState, host: PgHost): ReplicaLag | undefined {
  if (!isRunning(s, host)) return undefined;
  if (!s.inRecovery)
    return { error: 'not in recovery (the server is a primary)' };
  const at = lastReplayAt(s, host);
  if (streamingFrom(s, host)) return { lagSeconds: 0 };
  if (at === undefined)
    return {
      error: `not streaming from ${
        s.settings.primary_conninfo ?? 'a primary (no primary_conninfo)'
      }`,
    };
  return { lagSeconds: secondsSince(host.now(), at) };
}
