/*
 * The `psql` client of the emulated PostgreSQL: its options (-c, -A, -t,
 * -q, -X, -v ON_ERROR_STOP=1, -U, -d, -h, -p, -F), each -c run in order
 * (or the script on stdin), results printed aligned with a header and a
 * row count or, with -A/-t, unaligned and tuples only, command tags unless
 * -q, errors as `ERROR:  <message>` (and `HINT:`) on stderr. A failed -c
 * makes psql exit 1, stopping there with ON_ERROR_STOP; a server that does
 * not run refuses the connection (exit 2).
 */
import type { ProgramIo } from '../programs';
import { PgError, Value } from './expr';
import {
  formatValue,
  PgSession,
  runStatement,
  splitStatements,
  StatementResult,
} from './sql';
import { serverVersion } from './settings';
import { isRunning, PgHost } from './state';

interface Options {
  commands: string[];
  unaligned: boolean;
  tuplesOnly: boolean;
  quiet: boolean;
  onErrorStop: boolean;
  separator: string;
  user: string;
  host?: string;
  port: number;
}

class UsageError extends Error {}

const WITH_VALUE: Record<string, string> = {
  c: 'command',
  U: 'username',
  d: 'dbname',
  h: 'host',
  p: 'port',
  v: 'set',
  F: 'field-separator',
  f: 'file',
  P: 'pset',
};
const FLAGS: Record<string, string> = {
  A: 'no-align',
  t: 'tuples-only',
  q: 'quiet',
  X: 'no-psqlrc',
  w: 'no-password',
  e: 'echo-queries',
  a: 'echo-all',
  b: 'echo-errors',
  n: 'no-readline',
  1: 'single-transaction',
};

function parseArgs(args: string[], env: Record<string, string>): Options {
  const o: Options = {
    commands: [],
    unaligned: false,
    tuplesOnly: false,
    quiet: false,
    onErrorStop: false,
    separator: '|',
    user: env.PGUSER ?? 'postgres',
    host: env.PGHOST,
    port: Number(env.PGPORT ?? 5432),
  };
  const bare: string[] = [];
  const set = (name: string, value?: string) => {
    switch (name) {
      case 'command':
        o.commands.push(value ?? '');
        break;
      case 'username':
        o.user = value ?? o.user;
        break;
      case 'host':
        o.host = value;
        break;
      case 'port':
        o.port = Number(value);
        break;
      case 'set':
      case 'variable': {
        const [k, v] = (value ?? '').split(/=(.*)/s);
        if (k === 'ON_ERROR_STOP')
          o.onErrorStop = !['0', 'off', 'false'].includes(
            (v ?? '').toLowerCase(),
          );
        break;
      }
      case 'field-separator':
        o.separator = value ?? '|';
        break;
      case 'no-align':
        o.unaligned = true;
        break;
      case 'tuples-only':
        o.tuplesOnly = true;
        break;
      case 'quiet':
        o.quiet = true;
        break;
      case 'file':
        throw new UsageError(
          `psql: error: ${value}: the simulator's psql runs -c commands and stdin, not files`,
        );
      case 'password':
        throw new UsageError(
          'psql: error: a password prompt needs a terminal, and this exec has none; set PGPASSWORD or a .pgpass file in the pod',
        );
      default:
    }
  };
  const longValued = [...Object.values(WITH_VALUE), 'variable'];
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a.startsWith('--')) {
      const [name, value] = a.slice(2).split(/=(.*)/s);
      if (longValued.includes(name))
        set(name, value !== undefined ? value : args[++i]);
      else if (Object.values(FLAGS).includes(name) || name === 'password')
        set(name);
      else throw new UsageError(`psql: error: unrecognized option '--${name}'`);
    } else if (a.startsWith('-') && a.length > 1) {
      for (let j = 1; j < a.length; j++) {
        const c = a[j];
        if (c === 'W') {
          set('password');
          break;
        }
        if (WITH_VALUE[c]) {
          set(WITH_VALUE[c], a.length > j + 1 ? a.slice(j + 1) : args[++i]);
          break;
        }
        if (!FLAGS[c])
          throw new UsageError(`psql: error: invalid option -- '${c}'`);
        set(FLAGS[c]);
      }
    } else bare.push(a);
  }
  if (bare.length > 1) o.user = bare[1];
  return o;
}

function aligned(r: StatementResult, tuplesOnly: boolean): string {
  const cells = r.rows.map(row => row.map(formatValue));
  const numeric = r.columns.map((_, k) =>
    r.rows.every(row => typeof row[k] === 'number' || row[k] === null),
  );
  const widths = r.columns.map((c, k) =>
    Math.max(tuplesOnly ? 0 : c.length, ...cells.map(row => row[k].length)),
  );
  const line = (vals: string[], header: boolean) =>
    vals
      .map((v, k) => {
        const last = k === vals.length - 1;
        let text: string;
        if (header) {
          const pad = widths[k] - v.length;
          text =
            ' '.repeat(Math.floor(pad / 2)) +
            v +
            ' '.repeat(Math.ceil(pad / 2));
        } else if (numeric[k]) text = v.padStart(widths[k]);
        else text = last ? v : v.padEnd(widths[k]);
        return ` ${text}${last && !header && !numeric[k] ? '' : ' '}`;
      })
      .join('|')
      .replace(/ +$/, m => (header ? m : ''));
  const out: string[] = [];
  if (!tuplesOnly) {
    out.push(line(r.columns, true));
    out.push(widths.map(w => '-'.repeat(w + 2)).join('+'));
  }
  for (const row of cells) out.push(line(row, false));
  if (!tuplesOnly)
    out.push(`(${r.rows.length} ${r.rows.length === 1 ? 'row' : 'rows'})`, '');
  return out.length ? `${out.join('\n')}\n` : '';
}

function unaligned(r: StatementResult, o: Options): string {
  const lines = r.rows.map(row =>
    row.map((v: Value) => formatValue(v)).join(o.separator),
  );
  if (!o.tuplesOnly) {
    lines.unshift(r.columns.join(o.separator));
    lines.push(`(${r.rows.length} ${r.rows.length === 1 ? 'row' : 'rows'})`);
  }
  return lines.length ? `${lines.join('\n')}\n` : '';
}

/** How psql prints one statement's result. */
export function formatStatementResult(
  r: StatementResult,
  o: Pick<Options, 'unaligned' | 'tuplesOnly' | 'quiet' | 'separator'>,
): string {
  if (r.columns.length === 0) return o.quiet ? '' : `${r.tag}\n`;
  return o.unaligned ? unaligned(r, o as Options) : aligned(r, o.tuplesOnly);
}

const LOCAL_HOSTS = new Set(['', 'localhost', '127.0.0.1', '::1']);

/** Runs `psql <args>` against the pod's server (or the server -h names). */
export async function psqlClient(
  args: string[],
  io: ProgramIo,
  local: PgHost,
  env: Record<string, string>,
  remote: (host: string) => PgHost | undefined,
): Promise<number> {
  if (args[0] === '--version' || args[0] === '-V') {
    io.stdout(`psql (PostgreSQL) ${serverVersion(local.load())}\n`);
    return 0;
  }
  let o: Options;
  try {
    o = parseArgs(args, env);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    io.stderr(`${e.message}\n`);
    return 1;
  }
  const hostName = o.host ?? '';
  const isLocal =
    LOCAL_HOSTS.has(hostName) ||
    hostName.startsWith('/') ||
    hostName === local.hostname;
  const host = isLocal ? local : remote(hostName);
  if (!host) {
    io.stderr(
      `psql: error: could not translate host name "${hostName}" to address: Name or service not known\n`,
    );
    return 2;
  }
  if (!isRunning(host.load(), host)) {
    io.stderr(
      isLocal
        ? `psql: error: connection to server on socket "/var/run/postgresql/.s.PGSQL.${o.port}" failed: No such file or directory\n\tIs the server running locally and accepting connections on that socket?\n`
        : `psql: error: connection to server at "${hostName}", port ${o.port} failed: Connection refused\n\tIs the server running on that host and accepting TCP/IP connections?\n`,
    );
    return 2;
  }
  const session: PgSession = {
    host,
    user: o.user,
    pid: 4000 + (Math.floor(host.now()) % 1000),
  };
  const scripts = o.commands.length ? o.commands : [await io.stdin()];
  let ok = true;
  for (const script of scripts) {
    ok = true;
    for (const sql of splitStatements(script)) {
      try {
        io.stdout(formatStatementResult(runStatement(sql, session), o));
      } catch (e) {
        if (!(e instanceof PgError)) throw e;
        io.stderr(
          `ERROR:  ${e.message}\n${e.hint ? `HINT:  ${e.hint}\n` : ''}`,
        );
        ok = false;
        break;
      }
    }
    if (!ok && o.onErrorStop) return o.commands.length ? 1 : 3;
  }
  return ok ? 0 : 1;
}
