/*
 * The SQL subset the MySQL emulator understands: SELECT of system variables
 * and GTID functions, SET GLOBAL/PERSIST of the read-only flags, the
 * replication statements, SHOW REPLICA STATUS / SHOW VARIABLES, and writes
 * refused or accepted by the read-only flags. Anything else is ERROR 1064.
 */
import { MalformedGtidSet, isGtidSubset, parseGtidSet } from './gtid';
import { replicaStatus } from './replicaStatus';
import {
  MysqlHost,
  MysqlState,
  ReplicationSource,
  executedAt,
  materialize,
  withOwnTransaction,
  withWriteClock,
} from './state';
import {
  ResultSet,
  SqlError,
  splitOutside,
  stringLiteral,
  syntaxError,
} from './sqlTypes';
import {
  SHOWN_VARIABLES,
  readVariable,
  setVariable,
  shownValue,
} from './variables';

/** Who runs the statements, and how to wait. */
export interface SqlSession {
  host: MysqlHost;
  /** The user name; `root` has SUPER (passes read_only, not super_read_only). */
  user: string;
  sleep(ms: number): Promise<void>;
  /** Whether the client has gone; a wait then ends early. */
  gone?(): boolean;
}

const WRITE =
  /^(insert|update|delete|replace|create|drop|alter|truncate|rename|grant|revoke)\b/i;
const NO_RESULT =
  /^(begin|commit|rollback|start\s+transaction|use\s+\S+|flush\s+(privileges|logs|tables))$/i;

/** Runs one statement (without its terminator); a result set, or none. */
export async function runStatement(
  sql: string,
  session: SqlSession,
): Promise<ResultSet | undefined> {
  const stmt = sql.trim().replace(/\s+/g, ' ');
  const { host } = session;
  if (!stmt || NO_RESULT.test(stmt)) return undefined;
  const selectOf = /^select (.+)$/i.exec(stmt);
  if (selectOf) return select(selectOf[1], session);
  const setOf = /^set (.+)$/i.exec(stmt);
  if (setOf) {
    let s = host.load();
    for (const part of splitOutside(setOf[1], ',')) s = setOne(part, s, host);
    host.save(s);
    return undefined;
  }
  if (/^show (global )?variables like ('[^']*')$/i.test(stmt)) {
    const pattern = stringLiteral(stmt.replace(/^.* like /i, ''))!;
    const re = new RegExp(
      `^${pattern
        .replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
        .replace(/%/g, '.*')
        .replace(/_/g, '.')}$`,
      'i',
    );
    const s = host.load();
    return {
      columns: ['Variable_name', 'Value'],
      rows: SHOWN_VARIABLES.filter(v => re.test(v)).map(v => [
        v,
        shownValue(v, s, host),
      ]),
    };
  }
  const replication = replicationStatement(stmt, host);
  if (replication !== false) return replication;
  if (WRITE.test(stmt)) {
    const s = host.load();
    if (s.superReadOnly) throw readOnlyError('--super-read-only');
    if (s.readOnly && session.user !== 'root')
      throw readOnlyError('--read-only');
    host.save(withOwnTransaction(materialize(s, host, host.now())));
    return undefined;
  }
  throw syntaxError(stmt);
}

/**
 * The replication statements, each with an optional `FOR CHANNEL '<name>'`.
 * A server holds one channel (the emulated topology gives each server one
 * source): naming another one is refused as MySQL refuses an unknown
 * channel. Returns false for any other statement.
 */
function replicationStatement(
  stmt: string,
  host: MysqlHost,
): ResultSet | undefined | false {
  const m = /^(.*?)(?: for channel '([^']*)')?$/i.exec(stmt)!;
  const [body, channel] = [m[1], m[2]];
  if (/^show (replica|slave) status$/i.test(body)) {
    const s = host.load();
    requireChannel(s, channel);
    return replicaStatus(s, host);
  }
  const changeOf = /^change replication source to (.+)$/i.exec(body);
  if (changeOf) {
    changeSource(changeOf[1], channel ?? '', host);
    return undefined;
  }
  const threads = /^(start|stop) replica$/i.exec(body);
  if (threads) {
    const s = host.load();
    requireChannel(s, channel);
    runThreads(s, threads[1].toLowerCase() === 'start', host);
    return undefined;
  }
  const resetOf = /^reset replica( all)?$/i.exec(body);
  if (resetOf) {
    const s = host.load();
    requireChannel(s, channel);
    if (s.replicaRunning) throw runningReplica();
    host.save(resetOf[1] ? { ...s, source: undefined, channel: undefined } : s);
    return undefined;
  }
  return false;
}

function requireChannel(s: MysqlState, channel: string | undefined): void {
  if (channel === undefined || (channel === '' && !s.source)) return;
  if (!s.source || (s.channel ?? '') !== channel)
    throw new SqlError(
      3074,
      'HY000',
      `Replication channel '${channel}' does not exist.`,
    );
}

function runThreads(s: MysqlState, start: boolean, host: MysqlHost): void {
  if (start && !s.source)
    throw new SqlError(
      1200,
      'HY000',
      'The server is not configured as replica; fix in config file or with CHANGE REPLICATION SOURCE TO',
    );
  if (s.replicaRunning === start) return;
  const next = { ...materialize(s, host, host.now()), replicaRunning: start };
  host.save(withWriteClock(next, host.now()));
}

function readOnlyError(option: string): SqlError {
  return new SqlError(
    1290,
    'HY000',
    `The MySQL server is running with the ${option} option so it cannot execute this statement`,
  );
}

function runningReplica(): SqlError {
  return new SqlError(
    3081,
    'HY000',
    "This operation cannot be performed with running replication threads; run STOP REPLICA FOR CHANNEL '' first",
  );
}

function setOne(part: string, s: MysqlState, host: MysqlHost): MysqlState {
  const m =
    /^\s*(?:(global|persist|persist_only|session|local)\s+|@@(global|persist|persist_only|session|local)\.|@@)?([a-z_]+)\s*(?:=|:=)\s*(.+?)\s*$/i.exec(
      part,
    );
  if (!m) throw syntaxError(part.trim());
  const scope = (m[1] ?? m[2] ?? 'session').toLowerCase();
  const name = m[3].toLowerCase();
  if (scope === 'session' || scope === 'local') {
    readVariable(name, s, host);
    throw new SqlError(
      1229,
      'HY000',
      `Variable '${name}' is a GLOBAL variable and should be set with SET GLOBAL`,
    );
  }
  return setVariable(name, m[4], s, host);
}

function changeSource(options: string, channel: string, host: MysqlHost): void {
  const s = host.load();
  if (s.source && (s.channel ?? '') !== channel)
    throw new SqlError(
      3074,
      'HY000',
      `Replication channel '${channel}' does not exist: the emulated server replicates on channel '${
        s.channel ?? ''
      }' only; RESET REPLICA ALL first to replicate from another source`,
    );
  if (s.replicaRunning)
    throw new SqlError(
      3021,
      'HY000',
      "This operation cannot be performed with a running replica io thread; run STOP REPLICA IO_THREAD FOR CHANNEL '' first.",
    );
  const src: ReplicationSource = s.source
    ? { ...s.source }
    : { host: '', port: 3306, user: '', autoPosition: false };
  for (const part of splitOutside(options, ',')) {
    const m = /^\s*([a-z_]+)\s*=\s*(.+?)\s*$/i.exec(part);
    if (!m) throw syntaxError(part.trim());
    const key = m[1].toUpperCase();
    const str = stringLiteral(m[2]);
    const num = /^\d+$/.test(m[2]) ? Number(m[2]) : undefined;
    if (key === 'SOURCE_HOST' && str !== undefined) src.host = str;
    else if (key === 'SOURCE_USER' && str !== undefined) src.user = str;
    else if (key === 'SOURCE_PORT' && num !== undefined) src.port = num;
    else if (key === 'SOURCE_AUTO_POSITION' && (num === 0 || num === 1))
      src.autoPosition = num === 1;
    else if (
      [
        'SOURCE_PASSWORD',
        'SOURCE_SSL',
        'GET_SOURCE_PUBLIC_KEY',
        'SOURCE_CONNECT_RETRY',
        'SOURCE_RETRY_COUNT',
      ].includes(key)
    )
      continue;
    else throw syntaxError(part.trim());
  }
  host.save({ ...s, source: src, channel });
}

async function select(list: string, session: SqlSession): Promise<ResultSet> {
  if (/\sfrom\s/i.test(list))
    throw syntaxError(`from ${list.split(/\sfrom\s/i)[1]}`);
  const columns: string[] = [];
  const row: Array<string | null> = [];
  for (const raw of splitOutside(list, ',')) {
    const alias = /^(.*?)\s+as\s+([a-z_][a-z0-9_]*|`[^`]+`)$/i.exec(raw.trim());
    const expr = (alias ? alias[1] : raw).trim();
    columns.push(alias ? alias[2].replace(/`/g, '') : expr);
    row.push(await evaluate(expr, session));
  }
  return { columns, rows: [row] };
}

function gtidArg(text: string): ReturnType<typeof parseGtidSet> {
  const lit = stringLiteral(text);
  if (lit === undefined) throw syntaxError(text);
  try {
    return parseGtidSet(lit);
  } catch (e) {
    if (e instanceof MalformedGtidSet)
      throw new SqlError(1772, 'HY000', e.message);
    throw e;
  }
}

async function evaluate(
  expr: string,
  session: SqlSession,
): Promise<string | null> {
  const { host } = session;
  const variableOf = /^@@(?:(?:global|session)\.)?([a-z_]+)$/i.exec(expr);
  if (variableOf) return readVariable(variableOf[1], host.load(), host);
  if (/^-?\d+$/.test(expr)) return String(Number(expr));
  if (/^null$/i.test(expr)) return null;
  const lit = stringLiteral(expr);
  if (lit !== undefined) return lit;
  if (/^version\(\)$/i.test(expr))
    return readVariable('version', host.load(), host);
  const subsetOf = /^gtid_subset\((.+)\)$/i.exec(expr);
  if (subsetOf) {
    const [a, b] = splitOutside(subsetOf[1], ',');
    if (b === undefined) throw syntaxError(expr);
    return isGtidSubset(gtidArg(a), gtidArg(b)) ? '1' : '0';
  }
  const waitOf = /^wait_for_executed_gtid_set\((.+)\)$/i.exec(expr);
  if (waitOf) {
    const [setText, timeoutText] = splitOutside(waitOf[1], ',');
    const want = gtidArg(setText);
    const timeout = timeoutText === undefined ? Infinity : Number(timeoutText);
    if (Number.isNaN(timeout)) throw syntaxError(timeoutText!.trim());
    const deadline = host.now() + timeout * 1000;
    for (;;) {
      const have = parseGtidSet(executedAt(host.load(), host, host.now()));
      if (isGtidSubset(want, have)) return '0';
      if (host.now() >= deadline || session.gone?.()) return '1';
      await session.sleep(Math.min(100, Math.max(1, deadline - host.now())));
    }
  }
  throw syntaxError(expr);
}
