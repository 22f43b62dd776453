/*
 * What a `pods/exec` command may carry. A command is journaled with the run
 * and shown to every reader of it, so credentials never travel on it: a
 * password, token or connection string must come from the pod's environment
 * (`"$MYSQL_PWD"`) or a Secret mounted in it (`"$(cat /etc/db/password)"`).
 * This module finds inline credentials and refuses the command before it is
 * journaled or sent.
 */
import { InputError } from '@backstage/errors';

/** Programs whose `-p<value>` is a password (elsewhere `-p5432` is a port). */
const PASSWORD_P = /(^|\/)(mysql|mysqladmin|mysqldump|mysqlsh|mariadb[\w-]*)$/;

/** Programs whose `-p <value>` (a separate word) is a password. */
const PASSWORD_P_WORD =
  /(^|\/)(mongosh|mongo|mongodump|mongorestore|mongoexport|mongoimport|mongostat|mongotop)$/;

/** Environment variables that hold a credential when assigned inline. */
const SECRET_ENV =
  /^((?:[A-Z_][A-Z0-9_]*)?(?:PASSWORD|PASSWD|PWD|PASS|TOKEN|SECRET|AUTH|API_KEY))=(.*)$/;

/** Options whose value is a credential. */
const SECRET_OPTION =
  /^--?(password|passwd|pass|token|secret|api-key|auth-token|bearer-token)(?:=(.*))?$/i;

/** Words the shell expands from the pod (`$VAR`, `${VAR}`, `$(cat file)`, backquotes). */
function isReference(value: string): boolean {
  const v = value.replace(/^['"]+|['"]+$/g, '');
  return v === '' || /^(\$\{?\w+\}?|\$\(.*\)?|`.*`?)$/.test(v);
}

function split(arg: string): string[] {
  return arg.split(/[\s;|&]+/).filter(Boolean);
}

/**
 * The first inline credential in a command, described without its value
 * (`--password=… in argument 3`), or undefined when it carries none.
 */
export function findInlineCredential(command: string[]): string | undefined {
  const words = command.flatMap((arg, index) =>
    split(arg).map(word => ({ word, at: index + 1 })),
  );
  const mysqlLike = words.some(w => PASSWORD_P.test(w.word));
  const redisLike = words.some(w => /(^|\/)redis-cli$/.test(w.word));
  const mongoLike = words.some(w => PASSWORD_P_WORD.test(w.word));
  const curlLike = words.some(w => /(^|\/)curl$/.test(w.word));
  for (const [i, { word, at }] of words.entries()) {
    const where = `in argument ${at}`;
    const env = SECRET_ENV.exec(word);
    if (env && !isReference(env[2])) return `${env[1]}=… ${where}`;
    const option = SECRET_OPTION.exec(word);
    if (option) {
      const value = option[2] ?? words[i + 1]?.word;
      const inline = option[2] !== undefined;
      // `--password` alone makes mysql prompt; the next word is a value only
      // when it is not another option.
      if (
        value !== undefined &&
        (inline || !value.startsWith('-')) &&
        !isReference(value)
      ) {
        return `--${option[1]}${inline ? '=' : ' '}… ${where}`;
      }
    }
    const p = /^-p(.+)$/.exec(word);
    if (p && !isReference(p[1]) && (mysqlLike || !/^\d+$/.test(p[1]))) {
      return `-p… ${where}`;
    }
    if ((word === '-a' && redisLike) || (word === '-p' && mongoLike)) {
      const value = words[i + 1]?.word;
      if (value !== undefined && !value.startsWith('-') && !isReference(value))
        return `${word} … ${where}`;
    }
    // curl's `-u user:password` (a user alone makes curl prompt).
    const user = curlLike ? /^(?:-u|--user=?)(.*)$/.exec(word) : null;
    if (user) {
      const value = user[1] || words[i + 1]?.word || '';
      const secret = value.replace(/^['"]+|['"]+$/g, '').split(':')[1];
      if (secret && !isReference(secret)) return `-u user:… ${where}`;
    }
  }
  for (const [index, arg] of command.entries()) {
    const where = `in argument ${index + 1}`;
    const url = /[a-z][\w+.-]*:\/\/[^/\s:@]+:([^@\s/]+)@/i.exec(arg);
    if (url && !isReference(url[1])) {
      return `a user:password@ in a URL ${where}`;
    }
    const header = /\bAuthorization\s*:\s*(?:\w+\s+)?(\S+)/i.exec(arg);
    if (header && !isReference(header[1])) {
      return `an Authorization: header ${where}`;
    }
  }
  return undefined;
}

/** Throws an InputError when a command carries a credential inline. */
export function assertNoInlineCredentials(command: string[]): void {
  const found = findInlineCredential(command);
  if (found) {
    throw new InputError(
      `The exec command carries a credential inline (${found}); commands are journaled with the run, so credentials must come from the pod's environment or a Secret mounted in it, e.g. "$MYSQL_PWD" or "$(cat /etc/db/password)"`,
    );
  }
}

/** Throws an InputError when an exec request names no pod or command. */
export function assertExecTarget(target: {
  namespace: string;
  pod: string;
  container?: string;
  command: string[];
}): void {
  const name = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;
  for (const [key, value] of Object.entries({
    namespace: target.namespace,
    pod: target.pod,
    ...(target.container !== undefined ? { container: target.container } : {}),
  })) {
    if (typeof value !== 'string' || !name.test(value)) {
      throw new InputError(
        `exec: the ${key} "${value}" is not a valid Kubernetes name`,
      );
    }
  }
  if (!Array.isArray(target.command) || target.command.length === 0) {
    throw new InputError(
      'exec: the command is empty; give the program and its arguments as a list',
    );
  }
  assertNoInlineCredentials(target.command);
}
