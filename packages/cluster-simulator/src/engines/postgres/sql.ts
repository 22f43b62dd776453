/*
 * The statements the emulated PostgreSQL server answers: SELECT over the
 * recovery, WAL and settings functions (and pg_stat_activity,
 * pg_stat_replication, pg_stat_wal_receiver), SHOW, ALTER SYSTEM SET/RESET,
 * CHECKPOINT, and writes (CREATE/INSERT/UPDATE/DELETE/…), which a standby
 * or a read-only default refuses as PostgreSQL does.
 */
import {
  EvalContext,
  evaluate,
  Expr,
  Interval,
  Lsn,
  Parser,
  PgError,
  Timestamp,
  tokenize,
  Value,
} from './expr';
import { serverVersion, SETTING_DEFAULTS } from './settings';
import { relationRows } from './relations';
import {
  CHECKPOINT_BYTES,
  DDL_WRITE_BYTES,
  formatLsn,
  lastReplayAt,
  materialize,
  parseLsn,
  PgHost,
  PgState,
  positionAt,
  promoted,
  reloaded,
  ROW_WRITE_BYTES,
  settingOn,
  withWal,
} from './state';

/** What a statement's functions change once it succeeded. */
type Effect = 'promote' | 'reload';

/** The answer to one statement: rows, or a command tag only. */
export interface StatementResult {
  columns: string[];
  rows: Value[][];
  tag: string;
}

/** One client session. */
export interface PgSession {
  host: PgHost;
  user: string;
  /** The session's backend pid. */
  pid: number;
}

const WRITE_COMMANDS =
  /^(insert|update|delete|merge|truncate|copy|create|drop|alter|grant|revoke|comment|reindex|cluster|vacuum)\b/i;

/** The statements of one `-c` string, split at unquoted semicolons. */
export function splitStatements(text: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quote: string | undefined;
  for (const c of text) {
    if (quote) {
      if (c === quote) quote = undefined;
    } else if (c === "'" || c === '"') quote = c;
    else if (c === ';') {
      if (cur.trim()) out.push(cur.trim());
      cur = '';
      continue;
    }
    cur += c;
  }
  if (cur.trim()) out.push(cur.trim());
  return out;
}

/** A value as psql prints it. */
export function formatValue(v: Value): string {
  if (v === null) return '';
  if (typeof v === 'boolean') return v ? 't' : 'f';
  if (v instanceof Lsn) return formatLsn(v.bytes);
  if (v instanceof Timestamp) {
    const iso = new Date(v.ms).toISOString();
    return `${iso.slice(0, 10)} ${iso.slice(11, 23)}000+00`;
  }
  if (v instanceof Interval) {
    const s = v.ms / 1000;
    const h = Math.floor(Math.abs(s) / 3600);
    const m = Math.floor((Math.abs(s) % 3600) / 60);
    const sec = (Math.abs(s) % 60).toFixed(6).padStart(9, '0');
    return `${s < 0 ? '-' : ''}${String(h).padStart(2, '0')}:${String(
      m,
    ).padStart(2, '0')}:${sec}`;
  }
  if (typeof v === 'number' && !Number.isInteger(v)) return v.toFixed(6);
  return String(v);
}

function toChar(ms: number, fmt: string): string {
  const d = new Date(ms).toISOString();
  const parts: Record<string, string> = {
    YYYY: d.slice(0, 4),
    MM: d.slice(5, 7),
    DD: d.slice(8, 10),
    HH24: d.slice(11, 13),
    MI: d.slice(14, 16),
    SS: d.slice(17, 19),
    MS: d.slice(20, 23),
  };
  return fmt.replace(/"([^"]*)"|YYYY|HH24|MM|DD|MI|SS|MS/g, (m, lit) =>
    lit !== undefined ? lit : parts[m],
  );
}

function readOnlyError(tag: string): PgError {
  return new PgError(`cannot execute ${tag} in a read-only transaction`);
}

function commandTag(sql: string): string {
  const words = sql
    .trim()
    .split(/\s+/)
    .map(w => w.toUpperCase());
  if (['CREATE', 'DROP', 'ALTER'].includes(words[0])) {
    const kind = words[1] === 'UNIQUE' ? words[2] : words[1];
    return `${words[0]} ${kind ?? ''}`.trim();
  }
  return words[0];
}

/** The functions of a session against its server. */
function functions(
  session: PgSession,
  state: () => PgState,
  effects: Set<Effect>,
): EvalContext['call'] {
  const { host } = session;
  const standbyOnly = (fn: string) => {
    if (!state().inRecovery)
      throw new PgError(
        'recovery is not in progress',
        'Recovery control functions can only be executed during recovery.',
      );
    return fn;
  };
  return (name, args) => {
    const s = state();
    const pos = () => positionAt(s, host, host.now());
    switch (name) {
      case 'pg_is_in_recovery':
        return s.inRecovery;
      case 'pg_current_wal_lsn':
      case 'pg_current_wal_insert_lsn':
      case 'pg_current_wal_flush_lsn':
        if (s.inRecovery)
          throw new PgError(
            'recovery is in progress',
            'WAL control functions cannot be executed during recovery.',
          );
        return new Lsn(pos().lsn);
      case 'pg_last_wal_replay_lsn':
      case 'pg_last_wal_receive_lsn':
        return s.inRecovery ? new Lsn(pos().lsn) : null;
      case 'pg_last_xact_replay_timestamp': {
        const at = lastReplayAt(s, host);
        return at === undefined ? null : new Timestamp(at);
      }
      case 'pg_is_wal_replay_paused':
        standbyOnly(name);
        return false;
      case 'pg_promote':
        standbyOnly(name);
        effects.add('promote');
        return true;
      case 'pg_reload_conf':
        effects.add('reload');
        return true;
      case 'current_setting':
        return setting(s, String(args[0] ?? ''));
      case 'now':
      case 'clock_timestamp':
      case 'statement_timestamp':
        return new Timestamp(host.now());
      case 'to_char':
        return args[0] instanceof Timestamp
          ? toChar(args[0].ms, String(args[1]))
          : String(args[0]);
      case 'pg_backend_pid':
        return session.pid;
      case 'pg_terminate_backend':
      case 'pg_cancel_backend':
        return true;
      case 'version':
        return `PostgreSQL ${serverVersion(
          s,
        )} on x86_64-pc-linux-gnu, compiled by gcc, 64-bit`;
      case 'current_user':
        return session.user;
      case 'current_database':
        return 'postgres';
      case 'inet_server_addr':
        return null;
      case 'pg_wal_lsn_diff': {
        const [a, b] = args.map(v =>
          v instanceof Lsn ? v.bytes : parseLsn(String(v)),
        );
        if (a === undefined || b === undefined)
          throw new PgError('invalid input syntax for type pg_lsn');
        return a - b;
      }
      case 'pg_lsn': {
        const lsn = parseLsn(String(args[0]));
        if (lsn === undefined)
          throw new PgError(
            `invalid input syntax for type pg_lsn: "${String(args[0])}"`,
          );
        return new Lsn(lsn);
      }
      case 'text':
        return formatValue(args[0] ?? null);
      case 'coalesce':
        return args.find(a => a !== null) ?? null;
      default:
        throw new PgError(
          `function ${name}() does not exist`,
          `The simulator's PostgreSQL answers the recovery, WAL and settings functions only.`,
        );
    }
  };
}

function setting(s: PgState, name: string): string {
  const key = name.toLowerCase();
  if (key === 'transaction_read_only')
    return s.inRecovery || settingOn(s, 'default_transaction_read_only')
      ? 'on'
      : 'off';
  if (key === 'in_hot_standby') return s.inRecovery ? 'on' : 'off';
  if (key === 'server_version') return serverVersion(s);
  const v = s.settings[key] ?? SETTING_DEFAULTS[key];
  if (v === undefined)
    throw new PgError(`unrecognized configuration parameter "${name}"`);
  return v;
}

/** A SELECT: its select list over the rows of its FROM relation (one empty row without). */
function select(
  sql: string,
  session: PgSession,
  state: () => PgState,
  effects: Set<Effect>,
): StatementResult {
  const p = new Parser(tokenize(sql));
  p.expect('select');
  const items: Array<{ e?: Expr; name: string }> = [];
  do {
    if (p.take('*')) {
      items.push({ name: '*' });
      continue;
    }
    const e = p.expr();
    let name = '?column?';
    if (e.k === 'call' || e.k === 'col') name = e.name;
    else if (e.k === 'cast' && e.e.k === 'call') name = e.e.name;
    if (e.k === 'case') name = 'case';
    if (e.k === 'extract') name = 'extract';
    if (p.take('as')) name = p.name();
    else if (
      p.toks[p.i]?.t === 'id' &&
      !['from', 'where'].includes(p.toks[p.i].v)
    )
      name = p.name();
    items.push({ e, name });
  } while (p.take(','));
  let rows: Array<Record<string, Value>> = [{}];
  let columns: string[] = [];
  if (p.take('from')) {
    const rel = p.name();
    const r = relationRows(rel, session, state());
    rows = r.rows;
    columns = r.columns;
  }
  const call = functions(session, state, effects);
  let where: Expr | undefined;
  if (p.take('where')) where = p.expr();
  p.take(';');
  if (!p.done()) p.fail();
  const ctxOf = (row: Record<string, Value>): EvalContext => ({
    call,
    column: n => {
      if (!(n in row)) throw new PgError(`column "${n}" does not exist`);
      return row[n];
    },
  });
  rows = rows.filter(r => !where || evaluate(where, ctxOf(r)) === true);
  const aggregate = items.some(
    i => i.e?.k === 'call' && ['count', 'sum', 'max', 'min'].includes(i.e.name),
  );
  const outColumns = items.flatMap(i => (i.e ? [i.name] : columns));
  if (aggregate) {
    const row = items.map(i => {
      const e = i.e!;
      if (e.k !== 'call')
        throw new PgError(
          `column "${i.name}" must appear in the GROUP BY clause or be used in an aggregate function`,
        );
      const vals = e.star
        ? rows.map(() => 1)
        : rows.map(r => evaluate(e.args[0], ctxOf(r))).filter(v => v !== null);
      if (e.name === 'count') return vals.length;
      const nums = vals.map(v => (v instanceof Lsn ? v.bytes : Number(v)));
      if (nums.length === 0) return null;
      if (e.name === 'sum') return nums.reduce((a, b) => a + b, 0);
      return e.name === 'max' ? Math.max(...nums) : Math.min(...nums);
    });
    return { columns: outColumns, rows: [row], tag: 'SELECT 1' };
  }
  const out = rows.map(r =>
    items.flatMap(i =>
      i.e ? [evaluate(i.e, ctxOf(r))] : columns.map(c => r[c]),
    ),
  );
  return { columns: outColumns, rows: out, tag: `SELECT ${out.length}` };
}

/** Runs one statement against the session's server. */
export function runStatement(sql: string, session: PgSession): StatementResult {
  const { host } = session;
  let s = host.load();
  const state = () => s;
  const save = (next: PgState) => {
    s = next;
    host.save(next);
  };
  const now = host.now();
  const text = sql.trim().replace(/;\s*$/, '');
  const lower = text.toLowerCase();
  const tagOnly = (tag: string): StatementResult => ({
    columns: [],
    rows: [],
    tag,
  });

  if (/^select\b/.test(lower)) {
    const effects = new Set<Effect>();
    const r = select(text, session, state, effects);
    if (effects.has('promote')) save(promoted(materialize(s, host, now), now));
    if (effects.has('reload')) save(reloaded(materialize(s, host, now), now));
    return r;
  }
  let m = /^show\s+([a-z_.]+)$/i.exec(text);
  if (m)
    return {
      columns: [m[1].toLowerCase()],
      rows: [[setting(s, m[1])]],
      tag: 'SHOW',
    };
  m = /^alter\s+system\s+set\s+([a-z_.]+)\s*(?:=|\bto\b)\s*(.+)$/i.exec(text);
  if (m) {
    const value = m[2]
      .trim()
      .replace(/^'(.*)'$/s, '$1')
      .replace(/''/g, "'");
    const key = m[1].toLowerCase();
    if (value.toLowerCase() === 'default') {
      const { [key]: _gone, ...rest } = s.autoConf;
      save({ ...s, autoConf: rest });
    } else save({ ...s, autoConf: { ...s.autoConf, [key]: value } });
    return tagOnly('ALTER SYSTEM');
  }
  m = /^alter\s+system\s+reset\s+([a-z_.]+)$/i.exec(text);
  if (m) {
    const key = m[1].toLowerCase();
    if (key === 'all') save({ ...s, autoConf: {} });
    else {
      const { [key]: _gone, ...rest } = s.autoConf;
      save({ ...s, autoConf: rest });
    }
    return tagOnly('ALTER SYSTEM');
  }
  if (lower === 'checkpoint') {
    const next = materialize(s, host, now);
    // A standby makes a restartpoint, which writes no WAL.
    save(
      next.inRecovery
        ? { ...next, checkpoint: next.lsn }
        : { ...withWal(next, CHECKPOINT_BYTES), checkpoint: next.lsn },
    );
    return tagOnly('CHECKPOINT');
  }
  if (/^(begin|start\s+transaction|commit|end|rollback|abort)\b/.test(lower)) {
    if (lower.startsWith('begin') || lower.startsWith('start'))
      return tagOnly('BEGIN');
    if (lower.startsWith('rollback') || lower.startsWith('abort'))
      return tagOnly('ROLLBACK');
    return tagOnly('COMMIT');
  }
  if (WRITE_COMMANDS.test(lower)) {
    const tag = commandTag(text);
    if (s.inRecovery || settingOn(s, 'default_transaction_read_only'))
      throw readOnlyError(tag);
    const ddl = !/^(insert|update|delete|merge|copy)\b/.test(lower);
    save(
      withWal(
        materialize(s, host, now),
        ddl ? DDL_WRITE_BYTES : ROW_WRITE_BYTES,
      ),
    );
    if (tag === 'INSERT') return tagOnly('INSERT 0 1');
    return tagOnly(/^(UPDATE|DELETE)$/.test(tag) ? `${tag} 1` : tag);
  }
  const first = text.split(/\s+/)[0] ?? '';
  throw new PgError(
    `syntax error at or near "${first}"`,
    `The simulator's PostgreSQL answers SELECT, SHOW, ALTER SYSTEM, CHECKPOINT and simple writes.`,
  );
}
