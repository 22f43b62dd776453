/*
 * The words of one simple shell command, as the exec emulation takes them
 * apart (see shellScript for lists, `if` and redirections). Quotes,
 * backslashes, `$VAR`/`${VAR}`/`${VAR:-default}` (from the container's
 * literal env values) and leading `NAME=value` assignments are understood;
 * pipes, background jobs and subshells are refused with a message.
 */

const UNSUPPORTED = new Set([';', '|', '&', '<', '>', '`', '(', ')']);

/**
 * `${NAME}`, `${NAME:-word}` or `${NAME-word}` at `i` (the word itself may
 * hold expansions): its value and where it ends.
 */
function expandBraced(
  script: string,
  i: number,
  env: Record<string, string>,
): [string, number] {
  let depth = 0;
  let end = i + 1;
  for (; end < script.length; end++) {
    if (script[end] === '{') depth++;
    else if (script[end] === '}' && --depth === 0) break;
  }
  if (end >= script.length) throw new Error('Syntax error: Missing "}"');
  const inner = script.slice(i + 2, end);
  const m = /^([A-Za-z_][A-Za-z0-9_]*)(?:(:?-)(.*))?$/s.exec(inner);
  if (!m) throw new Error(`\${${inner}}: Bad substitution`);
  const value = env[m[1]];
  const useDefault =
    m[2] === ':-' ? !value : m[2] === '-' && value === undefined;
  if (!useDefault) return [value ?? '', end + 1];
  return [splitShellWords(`"${m[3]}"`, env)[0] ?? '', end + 1];
}

/** The words of a simple shell command. */
export function splitShellWords(
  script: string,
  env: Record<string, string>,
): string[] {
  const words: string[] = [];
  let cur = '';
  let inWord = false;
  const expand = (i: number): [string, number] => {
    if (script[i + 1] === '{') return expandBraced(script, i, env);
    const m = /^\$([A-Za-z_][A-Za-z0-9_]*)/.exec(script.slice(i));
    if (!m) return ['$', i + 1];
    return [env[m[1]] ?? '', i + m[0].length];
  };
  let i = 0;
  while (i < script.length) {
    const c = script[i];
    if (/\s/.test(c)) {
      if (inWord) words.push(cur);
      cur = '';
      inWord = false;
      i++;
      continue;
    }
    inWord = true;
    if (c === "'") {
      const end = script.indexOf("'", i + 1);
      if (end < 0) throw new Error('Syntax error: Unterminated quoted string');
      cur += script.slice(i + 1, end);
      i = end + 1;
    } else if (c === '"') {
      i++;
      while (i < script.length && script[i] !== '"') {
        if (script[i] === '\\' && '"\\$`'.includes(script[i + 1] ?? '')) {
          cur += script[i + 1];
          i += 2;
        } else if (script[i] === '$') {
          const [v, next] = expand(i);
          cur += v;
          i = next;
        } else cur += script[i++];
      }
      if (i >= script.length)
        throw new Error('Syntax error: Unterminated quoted string');
      i++;
    } else if (c === '\\') {
      cur += script[i + 1] ?? '';
      i += 2;
    } else if (c === '$') {
      const [v, next] = expand(i);
      cur += v;
      i = next;
    } else if (UNSUPPORTED.has(c)) {
      throw new Error(
        `"${c}" is not supported by the simulator's exec; run one simple command per exec`,
      );
    } else {
      cur += c;
      i++;
    }
  }
  if (inWord) words.push(cur);
  while (words.length && /^[A-Za-z_][A-Za-z0-9_]*=/.test(words[0]))
    words.shift();
  return words;
}
