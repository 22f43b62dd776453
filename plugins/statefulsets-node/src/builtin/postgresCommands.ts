/*
 * The commands the PostgreSQL streaming-replication provider runs in a
 * database pod, and the parsing of what they print. Pure, so the failover
 * dialog can show exactly what a step will run. No command carries a
 * credential: psql and pg_rewind take the password, if the server asks for
 * one, from the pod's environment (`PGPASSWORD`) or a mounted `.pgpass`.
 */

/** psql as the pod's database user, unaligned and tuples-only, stopping at the first error. */
const PSQL =
  'psql -X -A -t -q -v ON_ERROR_STOP=1 -U "${PGUSER:-${POSTGRES_USER:-postgres}}" -d postgres';

/** A shell command running each statement through psql, in one session and in order. */
export function psql(...statements: string[]): string[] {
  const args = statements.map(s => `-c ${shellQuote(s)}`).join(' ');
  return ['sh', '-c', `${PSQL} ${args}`];
}

/** Single-quotes a string for `sh`. */
export function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/** The statements that fence a primary: read-only for new transactions, client sessions ended, a checkpoint. */
export const FENCE_STATEMENTS = [
  'ALTER SYSTEM SET default_transaction_read_only = on',
  'SELECT pg_reload_conf()',
  // Sessions opened before the reload keep their read-write default.
  "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE backend_type = 'client backend' AND pid <> pg_backend_pid()",
  // A recent common checkpoint keeps the WAL pg_rewind needs at rejoin.
  'CHECKPOINT',
];

/** The statements that take a fence back. */
export const UNFENCE_STATEMENTS = [
  'ALTER SYSTEM RESET default_transaction_read_only',
  'SELECT pg_reload_conf()',
];

/**
 * Makes a fenced primary writable again once it restarts, without a reload:
 * it stays read-only until the rejoin stops it, so nothing it takes in
 * between is lost to pg_rewind.
 */
export const REJOIN_PREPARE_STATEMENTS = [
  'ALTER SYSTEM RESET default_transaction_read_only',
];

/**
 * Promotes a standby, waiting up to 60 s for it to leave recovery, and lets
 * it take writes: a standby rewound from a fenced primary carries that
 * primary's read-only default in its copied postgresql.auto.conf.
 */
export const PROMOTE_STATEMENTS = [
  'SELECT pg_promote(true, 60)',
  'ALTER SYSTEM RESET default_transaction_read_only',
  'SELECT pg_reload_conf()',
  // Writes the new timeline to the control file, which pg_rewind reads.
  'CHECKPOINT',
];

/** One line: `in recovery|current or replayed LSN|received LSN|seconds behind|now|read-only default`. */
export const STATE_QUERY = [
  'SELECT pg_is_in_recovery(),',
  'CASE WHEN pg_is_in_recovery() THEN pg_last_wal_replay_lsn() ELSE pg_current_wal_lsn() END,',
  'pg_last_wal_receive_lsn(),',
  'CASE WHEN NOT pg_is_in_recovery() THEN 0',
  'WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0',
  'ELSE extract(epoch FROM now() - pg_last_xact_replay_timestamp()) END,',
  `to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),`,
  "current_setting('default_transaction_read_only')",
].join(' ');

/** What STATE_QUERY reports of one server. */
export interface PostgresState {
  inRecovery: boolean;
  /** pg_current_wal_lsn() on a primary, pg_last_wal_replay_lsn() on a standby. */
  lsn: string | null;
  /** pg_last_wal_receive_lsn() (standbys only). */
  receivedLsn: string | null;
  secondsBehind: number | null;
  observedAt: string;
  readOnlyDefault: boolean;
}

/** Parses STATE_QUERY's line. */
export function parseState(stdout: string): PostgresState {
  const line = stdout.trim().split('\n').pop() ?? '';
  const [recovery, lsn, received, seconds, observedAt, readOnly] =
    line.split('|');
  if (observedAt === undefined) {
    throw new Error(`Unexpected answer from PostgreSQL: ${stdout.trim()}`);
  }
  return {
    inRecovery: recovery === 't',
    lsn: lsn || null,
    receivedLsn: received || null,
    secondsBehind: seconds ? Number(seconds) : null,
    observedAt,
    readOnlyDefault: readOnly === 'on',
  };
}

/** An LSN (`16/B374D848`) as a byte position. */
export function lsnToBigInt(lsn: string): bigint {
  const m = /^([0-9A-F]+)\/([0-9A-F]+)$/i.exec(lsn.trim());
  if (!m) throw new Error(`Not a PostgreSQL LSN: ${lsn}`);
  return (BigInt(`0x${m[1]}`) << 32n) + BigInt(`0x${m[2]}`);
}

/** Bytes of WAL `from` lacks to reach `to` (0 when it is there or past). */
export function lsnBytesBehind(from: string, to: string): number {
  const d = lsnToBigInt(to) - lsnToBigInt(from);
  return d > 0n ? Number(d) : 0;
}

/** The later of two LSNs, either of which may be unknown. */
export function laterLsn(a: string | null, b: string | null): string | null {
  if (!a || !b) return a ?? b;
  return lsnToBigInt(a) >= lsnToBigInt(b) ? a : b;
}

/**
 * Stops the server, rewinds its data directory to the new primary's
 * timeline (pg_rewind says "no rewind required" when it did not diverge)
 * writing `standby.signal` and `primary_conninfo`, and starts it as a
 * standby. Stops at the first failure, leaving the server down rather than
 * a second writable primary.
 */
export function rejoinScript(primaryConninfo: string): string[] {
  return [
    'sh',
    '-c',
    [
      'set -e',
      'if pg_ctl -D "$PGDATA" status >/dev/null; then pg_ctl -D "$PGDATA" -m fast -w stop; fi',
      `pg_rewind --target-pgdata="$PGDATA" --source-server=${shellQuote(
        primaryConninfo,
      )} --write-recovery-conf`,
      'pg_ctl -D "$PGDATA" -l "$PGDATA/rejoin.log" -w -t 60 start',
    ].join('\n'),
  ];
}

/** Refuses a connection string holding a password (the command would be journaled). */
export function requireNoPassword(conninfo: string): string {
  if (/password\s*=/i.test(conninfo) || /:\/\/[^/@]*:[^/@]*@/.test(conninfo)) {
    throw new Error(
      `The PostgreSQL connection string for rejoining carries a password; give it without one and set PGPASSWORD or a .pgpass file in the database pods instead`,
    );
  }
  return conninfo;
}
