/*
 * The `mysql` command-line client of the emulator: its options, the
 * statements of `-e` (or stdin) run one after the other, results printed
 * as batch mode prints them (tab-separated, NULL, a header line unless
 * -N, vertical with -E or \G), and errors as `ERROR <code> (<state>) at line
 * <n>: <message>` with exit status 1.
 */
import type { ProgramIo } from '../programs';
import { runStatement, SqlSession } from './sql';
import { forEachUnquoted, ResultSet, SqlError } from './sqlTypes';
import type { MysqlHost } from './state';

const PASSWORD_WARNING =
  'mysql: [Warning] Using a password on the command line interface can be insecure.\n';

interface Options {
  execute?: string;
  skipColumnNames: boolean;
  vertical: boolean;
  user: string;
  passwordOnCommandLine: boolean;
}

class UsageError extends Error {}

const WITH_VALUE: Record<string, string> = {
  e: 'execute',
  u: 'user',
  h: 'host',
  P: 'port',
  D: 'database',
  S: 'socket',
};
const FLAGS: Record<string, string> = {
  N: 'skip-column-names',
  B: 'batch',
  s: 'silent',
  E: 'vertical',
  r: 'raw',
  n: 'unbuffered',
};

function parseArgs(args: string[]): Options {
  const o: Options = {
    skipColumnNames: false,
    vertical: false,
    user: 'root',
    passwordOnCommandLine: false,
  };
  const set = (name: string, value?: string) => {
    if (name === 'execute') o.execute = value;
    else if (name === 'user') o.user = value ?? 'root';
    else if (name === 'skip-column-names') o.skipColumnNames = true;
    else if (name === 'vertical') o.vertical = true;
    else if (name === 'password') {
      if (value === undefined)
        throw new UsageError(
          'mysql: [ERROR] a password prompt needs a terminal, and this exec has none; pass -p<password> or set MYSQL_PWD.',
        );
      o.passwordOnCommandLine = true;
    }
  };
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a.startsWith('--')) {
      const [name, value] = a.slice(2).split(/=(.*)/s);
      const known = [...Object.values(WITH_VALUE), ...Object.values(FLAGS)];
      if (name === 'password') set(name, value);
      else if (known.includes(name) && Object.values(FLAGS).includes(name))
        set(name);
      else if (known.includes(name))
        set(name, value !== undefined ? value : args[++i]);
      else if (
        ['protocol', 'default-character-set', 'connect-timeout'].includes(name)
      ) {
        if (value === undefined) i++;
      } else throw new UsageError(`mysql: [ERROR] unknown option '--${name}'.`);
    } else if (a.startsWith('-') && a.length > 1) {
      for (let j = 1; j < a.length; j++) {
        const c = a[j];
        if (c === 'p') {
          set('password', a.length > j + 1 ? a.slice(j + 1) : undefined);
          break;
        }
        if (WITH_VALUE[c]) {
          set(WITH_VALUE[c], a.length > j + 1 ? a.slice(j + 1) : args[++i]);
          break;
        }
        if (!FLAGS[c])
          throw new UsageError(`mysql: [ERROR] unknown option '-${c}'.`);
        set(FLAGS[c]);
      }
    }
    // A bare word is the default database; the emulator has none to pick.
  }
  return o;
}

/** The statements of a script, with the line each starts on and its terminator. */
export function splitScript(
  text: string,
): Array<{ sql: string; line: number; vertical: boolean }> {
  const out: Array<{ sql: string; line: number; vertical: boolean }> = [];
  let start = 0;
  const push = (end: number, vertical: boolean, next: number) => {
    const sql = text.slice(start, end);
    if (sql.trim()) {
      const lead = start + sql.search(/\S/);
      const line = text.slice(0, lead).split('\n').length;
      out.push({ sql: sql.trim(), line, vertical });
    }
    start = next;
  };
  forEachUnquoted(text, i => {
    if (i < start) return;
    if (text[i] === ';') push(i, false, i + 1);
    else if (text[i] === '\\' && /^[gG]/.test(text[i + 1] ?? ''))
      push(i, text[i + 1] === 'G', i + 2);
  });
  push(text.length, false, text.length);
  return out;
}

function cell(v: string | null): string {
  if (v === null) return 'NULL';
  return v.replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n');
}

/** A result set as batch mode prints it. */
export function formatResult(
  r: ResultSet,
  opts: { skipColumnNames: boolean; vertical: boolean },
): string {
  if (r.rows.length === 0) return '';
  if (opts.vertical) {
    const width = Math.max(...r.columns.map(c => c.length));
    return r.rows
      .map(
        (row, n) =>
          `${'*'.repeat(27)} ${n + 1}. row ${'*'.repeat(27)}\n${r.columns
            .map((c, k) => `${c.padStart(width)}: ${row[k] ?? 'NULL'}\n`)
            .join('')}`,
      )
      .join('');
  }
  const lines = opts.skipColumnNames ? [] : [r.columns.join('\t')];
  for (const row of r.rows) lines.push(row.map(cell).join('\t'));
  return `${lines.join('\n')}\n`;
}

/** Runs `mysql <args>` against a server. */
export async function mysqlClient(
  args: string[],
  io: ProgramIo,
  host: MysqlHost,
): Promise<number> {
  let opts: Options;
  try {
    opts = parseArgs(args);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    io.stderr(`${e.message}\n`);
    return e.message.includes('unknown option') ? 7 : 1;
  }
  if (opts.passwordOnCommandLine) io.stderr(PASSWORD_WARNING);
  const script = opts.execute ?? (await io.stdin());
  const session: SqlSession = {
    host,
    user: opts.user,
    sleep: ms => new Promise(r => setTimeout(r, ms)),
    gone: () => io.gone?.() ?? false,
  };
  for (const st of splitScript(script)) {
    try {
      const r = await runStatement(st.sql, session);
      if (r)
        io.stdout(
          formatResult(r, {
            skipColumnNames: opts.skipColumnNames,
            vertical: opts.vertical || st.vertical,
          }),
        );
    } catch (e) {
      if (!(e instanceof SqlError)) throw e;
      io.stderr(
        `ERROR ${e.code} (${e.sqlState}) at line ${st.line}: ${e.message}\n`,
      );
      return 1;
    }
  }
  return 0;
}
