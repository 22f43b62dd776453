/*
 * The small shell `sh -c '<script>'` gets in the exec emulation: simple
 * commands (see shellWords) separated by newlines or `;`, `set -e`,
 * `if <command>; then …; [else …;] fi`, `exit [n]`, `true`, `false`, `:`,
 * `echo`, comments, and output redirections to /dev/null or the other
 * stream (`>/dev/null`, `2>/dev/null`, `2>&1`, `>&2`). Pipes, `&&`/`||`,
 * loops and redirections to files are refused with a message, so a script
 * never half-runs in a way a real shell would not.
 */
import { splitShellWords } from './shellWords';

/** The streams a command writes. */
export interface ScriptIo {
  stdout(text: string): void;
  stderr(text: string): void;
}

/** Runs one simple command's words, resolving to its exit status. */
export type RunWords = (argv: string[], io: ScriptIo) => Promise<number>;

type Node =
  | { kind: 'cmd'; text: string }
  | { kind: 'if'; cond: Node[]; then: Node[]; otherwise: Node[] };

class ScriptError extends Error {}

/** The script's commands, split at unquoted newlines and semicolons, comments dropped. */
export function splitCommands(script: string): string[] {
  const out: string[] = [];
  let cur = '';
  let i = 0;
  const push = () => {
    if (cur.trim()) out.push(cur.trim());
    cur = '';
  };
  while (i < script.length) {
    const c = script[i];
    if (c === "'") {
      const end = script.indexOf("'", i + 1);
      if (end < 0)
        throw new ScriptError('Syntax error: Unterminated quoted string');
      cur += script.slice(i, end + 1);
      i = end + 1;
    } else if (c === '"') {
      let j = i + 1;
      while (j < script.length && script[j] !== '"')
        j += script[j] === '\\' ? 2 : 1;
      if (j >= script.length)
        throw new ScriptError('Syntax error: Unterminated quoted string');
      cur += script.slice(i, j + 1);
      i = j + 1;
    } else if (c === '\\') {
      if (script[i + 1] !== '\n') cur += script.slice(i, i + 2);
      i += 2;
    } else if (c === '#' && (cur === '' || /\s$/.test(cur))) {
      while (i < script.length && script[i] !== '\n') i++;
    } else if (c === '\n' || c === ';') {
      if (c === ';' && script[i + 1] === ';')
        throw new ScriptError('Syntax error: ";;" unexpected');
      push();
      i++;
    } else if (
      (c === '&' && script[i + 1] === '&') ||
      (c === '|' && script[i + 1] === '|')
    ) {
      throw new ScriptError(
        `"${c}${c}" is not supported by the simulator's exec; use if … then … fi or set -e`,
      );
    } else {
      cur += c;
      i++;
    }
  }
  push();
  return out;
}

const KEYWORD =
  /^(if|then|else|elif|fi|while|until|for|do|done|case|esac)(\s|$)/;

function parse(commands: string[]): Node[] {
  let at = 0;
  function list(stops: string[]): Node[] {
    const nodes: Node[] = [];
    while (at < commands.length) {
      const text = commands[at];
      const word = KEYWORD.exec(text)?.[1];
      if (word && stops.includes(word)) return nodes;
      if (word === 'if') {
        commands[at] = text.slice(2).trim();
        const cond = list(['then']);
        const then = clause('then', ['else', 'elif', 'fi']);
        let otherwise: Node[] = [];
        if (KEYWORD.exec(commands[at] ?? '')?.[1] === 'else')
          otherwise = clause('else', ['fi']);
        if (KEYWORD.exec(commands[at] ?? '')?.[1] !== 'fi')
          throw new ScriptError(
            'Syntax error: end of file unexpected (expecting "fi")',
          );
        const rest = commands[at].slice(2).trim();
        if (rest)
          throw new ScriptError(
            `Syntax error: "${rest}" unexpected after fi; put it on its own line`,
          );
        at++;
        nodes.push({ kind: 'if', cond, then, otherwise });
      } else if (word) {
        throw new ScriptError(
          ['while', 'until', 'for', 'case', 'elif'].includes(word)
            ? `"${word}" is not supported by the simulator's exec; run one command per step or use if … then … fi`
            : `Syntax error: "${word}" unexpected`,
        );
      } else {
        nodes.push({ kind: 'cmd', text });
        at++;
      }
    }
    if (stops.length)
      throw new ScriptError(
        `Syntax error: end of file unexpected (expecting "${stops[0]}")`,
      );
    return nodes;
  }
  function clause(keyword: string, stops: string[]): Node[] {
    if (KEYWORD.exec(commands[at] ?? '')?.[1] !== keyword)
      throw new ScriptError(`Syntax error: expecting "${keyword}"`);
    const rest = commands[at].slice(keyword.length).trim();
    if (rest) commands[at] = rest;
    else at++;
    return list(stops);
  }
  return list([]);
}

interface Redirect {
  stdout: 'keep' | 'null' | 'stderr';
  stderr: 'keep' | 'null' | 'stdout';
}

/** Takes the redirections off a command's text. */
export function takeRedirections(text: string): {
  text: string;
  redirect: Redirect;
} {
  const redirect: Redirect = { stdout: 'keep', stderr: 'keep' };
  let out = '';
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (c === "'" || c === '"') {
      let j = i + 1;
      while (j < text.length && text[j] !== c)
        j += c === '"' && text[j] === '\\' ? 2 : 1;
      out += text.slice(i, j + 1);
      i = j + 1;
      continue;
    }
    if (c === '\\') {
      out += text.slice(i, i + 2);
      i += 2;
      continue;
    }
    const wordStart = i === 0 || /\s/.test(text[i - 1]);
    const m = /^([12]?)(>>?)\s*(&[12]|[^\s;&|<>'"]+)/.exec(text.slice(i));
    if (m && (m[1] === '' ? c === '>' : wordStart)) {
      const fd = m[1] === '2' ? 'stderr' : 'stdout';
      const to = m[3];
      if (to === '/dev/null') redirect[fd] = 'null';
      else if (to === '&1' && fd === 'stderr') redirect.stderr = 'stdout';
      else if (to === '&2' && fd === 'stdout') redirect.stdout = 'stderr';
      else if (
        !(to === '&1' && fd === 'stdout') &&
        !(to === '&2' && fd === 'stderr')
      )
        throw new ScriptError(
          `redirection to ${to} is not supported by the simulator's exec (only /dev/null and the other stream)`,
        );
      i += m[0].length;
      continue;
    }
    if (c === '<')
      throw new ScriptError(
        "input redirection is not supported by the simulator's exec",
      );
    out += c;
    i++;
  }
  return { text: out, redirect };
}

function redirected(io: ScriptIo, r: Redirect): ScriptIo {
  const route = (
    to: 'keep' | 'null' | 'stderr' | 'stdout',
    own: (t: string) => void,
  ) => {
    if (to === 'null') return () => {};
    if (to === 'stderr') return io.stderr;
    if (to === 'stdout') return io.stdout;
    return own;
  };
  return {
    stdout: route(r.stdout, io.stdout),
    stderr: route(r.stderr, io.stderr),
  };
}

class Exit {
  constructor(readonly status: number) {}
}

/** Runs a `sh -c` script, resolving to its exit status. */
export async function runShellScript(
  script: string,
  env: Record<string, string>,
  run: RunWords,
  streams: ScriptIo,
  shell = 'sh',
): Promise<number> {
  // The streams' methods may belong to a class: call them on it.
  const own: ScriptIo = {
    stdout: text => streams.stdout(text),
    stderr: text => streams.stderr(text),
  };
  let nodes: Node[];
  try {
    nodes = parse(splitCommands(script));
  } catch (e) {
    if (!(e instanceof ScriptError)) throw e;
    own.stderr(`${shell}: 1: ${e.message}\n`);
    return 2;
  }
  let errexit = false;
  const simple = async (text: string): Promise<number> => {
    const { text: rest, redirect } = takeRedirections(text);
    const out = redirected(own, redirect);
    const argv = splitShellWords(rest, env);
    const [name, ...args] = argv;
    if (name === undefined || name === ':' || name === 'true') return 0;
    if (name === 'false') return 1;
    if (name === 'set') {
      for (const a of args) if (/^-[a-z]*e/.test(a)) errexit = true;
      for (const a of args) if (/^\+[a-z]*e/.test(a)) errexit = false;
      return 0;
    }
    if (name === 'exit') throw new Exit(Number(args[0] ?? 0));
    if (name === 'echo') {
      out.stdout(`${args.join(' ')}\n`);
      return 0;
    }
    return run(argv, out);
  };
  const list = async (ns: Node[], checked: boolean): Promise<number> => {
    let status = 0;
    for (const n of ns) {
      if (n.kind === 'cmd') status = await simple(n.text);
      else {
        const c = await list(n.cond, false);
        status =
          c === 0
            ? await list(n.then, checked)
            : await list(n.otherwise, checked);
        if (c !== 0 && n.otherwise.length === 0) status = 0;
      }
      if (checked && errexit && status !== 0 && n.kind === 'cmd')
        throw new Exit(status);
    }
    return status;
  };
  try {
    return await list(nodes, true);
  } catch (e) {
    if (e instanceof Exit) return e.status;
    if (
      e instanceof ScriptError ||
      (e instanceof Error &&
        /not supported|Syntax error|Bad substitution/.test(e.message))
    ) {
      own.stderr(`${shell}: 1: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
}
