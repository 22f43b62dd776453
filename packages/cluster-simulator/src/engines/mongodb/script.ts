/*
 * The small language `mongosh --eval` is given here, parsed, never run by
 * JavaScript's eval. A script is statements separated by `;` or new lines:
 *
 *   [let|const|var] name = expr          assigns a variable
 *   name(.field | [expr])+ = expr        assigns into a variable's document
 *   expr                                 evaluates; the last value is printed
 *
 * An expression is a literal (number, '…' or "…" string, true, false, null,
 * undefined, `{ key: expr, "key": expr }`, `[expr, …]`), a variable or a
 * shell global (`db`, `rs`, `JSON`, `EJSON`, `print`, `printjson`), then
 * any chain of `.field`, `[expr]` and `(args)`. Only the functions the
 * globals expose can be called (see the emulator's shell API); arrays have
 * `length`, `push(x)` and `splice(start, count)`.
 */
import { ScriptError } from './values';

/** A function of the shell API, callable from a script. */
export class HostFn {
  constructor(
    readonly name: string,
    readonly call: (args: unknown[]) => unknown | Promise<unknown>,
  ) {}
}

/** An object of the shell API whose unknown fields are computed (`db.<collection>`). */
export class HostObject {
  constructor(
    readonly name: string,
    readonly fields: Record<string, unknown>,
    readonly fallback?: (field: string) => unknown,
  ) {}
}

type Token =
  | { kind: 'num'; value: number; at: number }
  | { kind: 'str'; value: string; at: number }
  | { kind: 'id'; value: string; at: number }
  | { kind: 'punct'; value: string; at: number }
  | { kind: 'eos'; value: string; at: number };

const PUNCT = '{}[](),:.=;';

function tokenize(src: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i];
    if (c === '\n') {
      out.push({ kind: 'eos', value: '\n', at: i++ });
    } else if (/\s/.test(c)) {
      i++;
    } else if (c === '/' && src[i + 1] === '/') {
      while (i < src.length && src[i] !== '\n') i++;
    } else if (c === '"' || c === "'") {
      const at = i++;
      let s = '';
      while (i < src.length && src[i] !== c) {
        if (src[i] === '\\') {
          const e = src[++i];
          s +=
            ({ n: '\n', t: '\t', r: '\r' } as Record<string, string>)[e] ?? e;
        } else s += src[i];
        i++;
      }
      if (i >= src.length)
        throw new ScriptError(
          'SyntaxError',
          `Unterminated string constant. (1:${at})`,
        );
      i++;
      out.push({ kind: 'str', value: s, at });
    } else if (
      /[0-9]/.test(c) ||
      (c === '-' && /[0-9.]/.test(src[i + 1] ?? ''))
    ) {
      const m = /^-?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?/i.exec(src.slice(i))!;
      out.push({ kind: 'num', value: Number(m[0]), at: i });
      i += m[0].length;
    } else if (/[A-Za-z_$]/.test(c)) {
      const m = /^[A-Za-z_$][A-Za-z0-9_$]*/.exec(src.slice(i))!;
      out.push({ kind: 'id', value: m[0], at: i });
      i += m[0].length;
    } else if (PUNCT.includes(c)) {
      out.push({ kind: c === ';' ? 'eos' : 'punct', value: c, at: i++ });
    } else {
      throw new ScriptError(
        'SyntaxError',
        `Unexpected character '${c}'. (1:${i})`,
      );
    }
  }
  return out;
}

/** A parsed expression. */
type Expr =
  | { t: 'lit'; value: unknown }
  | { t: 'var'; name: string }
  | { t: 'obj'; entries: Array<[string, Expr]> }
  | { t: 'arr'; items: Expr[] }
  | { t: 'get'; of: Expr; key: Expr }
  | { t: 'call'; fn: Expr; args: Expr[] };

/** A parsed statement. */
type Stmt =
  | { t: 'expr'; expr: Expr }
  | { t: 'assign'; declare: boolean; target: Expr; value: Expr };

const LITERALS: Record<string, unknown> = {
  true: true,
  false: false,
  null: null,
  undefined: undefined,
};

class Parser {
  #i = 0;
  constructor(readonly tokens: Token[]) {}

  #peek(): Token | undefined {
    return this.tokens[this.#i];
  }

  #fail(what: string): never {
    const t = this.#peek();
    throw new ScriptError(
      'SyntaxError',
      t
        ? `Unexpected token '${
            t.value === '\n' ? '\\n' : t.value
          }', expected ${what}. (1:${t.at})`
        : `Unexpected end of input, expected ${what}.`,
    );
  }

  #eat(value: string): boolean {
    const t = this.#peek();
    if (t && t.kind === 'punct' && t.value === value) {
      this.#i++;
      return true;
    }
    return false;
  }

  #expect(value: string): void {
    if (!this.#eat(value)) this.#fail(`'${value}'`);
  }

  #skipNewlines(): void {
    while (this.#peek()?.value === '\n') this.#i++;
  }

  program(): Stmt[] {
    const out: Stmt[] = [];
    for (;;) {
      while (this.#peek()?.kind === 'eos') this.#i++;
      if (!this.#peek()) return out;
      out.push(this.#statement());
      const t = this.#peek();
      if (t && t.kind !== 'eos') this.#fail("';' or a new line");
    }
  }

  #statement(): Stmt {
    const t = this.#peek()!;
    const declare =
      t.kind === 'id' && ['let', 'const', 'var'].includes(t.value);
    if (declare) this.#i++;
    const expr = this.#expr();
    if (this.#eat('=')) {
      if (expr.t !== 'var' && expr.t !== 'get')
        throw new ScriptError(
          'SyntaxError',
          'Invalid left-hand side in assignment.',
        );
      if (declare && expr.t !== 'var')
        throw new ScriptError(
          'SyntaxError',
          'A declaration assigns a plain name.',
        );
      return { t: 'assign', declare, target: expr, value: this.#expr() };
    }
    if (declare) this.#fail("'='");
    return { t: 'expr', expr };
  }

  #expr(): Expr {
    let e = this.#primary();
    for (;;) {
      if (this.#eat('.')) {
        const t = this.#peek();
        if (!t || t.kind !== 'id') this.#fail('a field name');
        this.#i++;
        e = { t: 'get', of: e, key: { t: 'lit', value: t.value } };
      } else if (this.#eat('[')) {
        const key = this.#expr();
        this.#expect(']');
        e = { t: 'get', of: e, key };
      } else if (this.#eat('(')) {
        e = { t: 'call', fn: e, args: this.#list(')') };
      } else return e;
    }
  }

  #list(close: string): Expr[] {
    const items: Expr[] = [];
    this.#skipNewlines();
    while (!this.#eat(close)) {
      items.push(this.#expr());
      this.#skipNewlines();
      if (!this.#eat(',')) {
        this.#expect(close);
        return items;
      }
      this.#skipNewlines();
    }
    return items;
  }

  #primary(): Expr {
    const t = this.#peek();
    if (!t || t.kind === 'eos') return this.#fail('an expression');
    this.#i++;
    if (t.kind === 'num' || t.kind === 'str')
      return { t: 'lit', value: t.value };
    if (t.kind === 'id') {
      if (t.value in LITERALS) return { t: 'lit', value: LITERALS[t.value] };
      return { t: 'var', name: t.value };
    }
    if (t.value === '(') {
      const e = this.#expr();
      this.#expect(')');
      return e;
    }
    if (t.value === '[') return { t: 'arr', items: this.#list(']') };
    if (t.value === '{') return this.#object();
    this.#i--;
    return this.#fail('an expression');
  }

  #object(): Expr {
    const entries: Array<[string, Expr]> = [];
    this.#skipNewlines();
    while (!this.#eat('}')) {
      const k = this.#peek();
      if (!k || (k.kind !== 'id' && k.kind !== 'str' && k.kind !== 'num'))
        this.#fail('a key');
      this.#i++;
      this.#expect(':');
      entries.push([String(k.value), this.#expr()]);
      this.#skipNewlines();
      if (!this.#eat(',')) {
        this.#skipNewlines();
        this.#expect('}');
        return { t: 'obj', entries };
      }
      this.#skipNewlines();
    }
    return { t: 'obj', entries };
  }
}

/** Parses a script into statements; throws a ScriptError on bad syntax. */
export function parseScript(src: string): Stmt[] {
  return new Parser(tokenize(src)).program();
}

const FORBIDDEN = new Set(['__proto__', 'constructor', 'prototype']);

function describe(v: unknown): string {
  if (v instanceof HostFn) return v.name;
  if (v instanceof HostObject) return v.name;
  return v === null ? 'null' : typeof v;
}

function arrayMember(arr: unknown[], key: string): unknown {
  if (key === 'length') return arr.length;
  if (key === 'push') return new HostFn('push', args => arr.push(...args));
  if (key === 'splice')
    return new HostFn('splice', args =>
      arr.splice(Number(args[0] ?? 0), Number(args[1] ?? arr.length)),
    );
  return undefined;
}

function getField(of: unknown, key: unknown): unknown {
  const k = String(key);
  if (of === null || of === undefined)
    throw new ScriptError(
      'TypeError',
      `Cannot read properties of ${of} (reading '${k}')`,
    );
  if (FORBIDDEN.has(k)) return undefined;
  if (of instanceof HostObject) {
    if (Object.hasOwn(of.fields, k)) return of.fields[k];
    return of.fallback?.(k);
  }
  if (Array.isArray(of)) {
    if (/^\d+$/.test(k)) return of[Number(k)];
    return arrayMember(of, k);
  }
  if (typeof of === 'object' && Object.hasOwn(of, k))
    return (of as Record<string, unknown>)[k];
  return undefined;
}

/** Runs a parsed script against the shell globals; resolves to the last expression's value. */
export async function runScript(
  stmts: Stmt[],
  globals: Record<string, unknown>,
): Promise<unknown> {
  const vars = new Map<string, unknown>();
  const evaluate = async (e: Expr): Promise<unknown> => {
    switch (e.t) {
      case 'lit':
        return e.value;
      case 'var':
        if (vars.has(e.name)) return vars.get(e.name);
        if (Object.hasOwn(globals, e.name)) return globals[e.name];
        throw new ScriptError('ReferenceError', `${e.name} is not defined`);
      case 'obj': {
        const o: Record<string, unknown> = {};
        for (const [k, v] of e.entries) {
          if (!FORBIDDEN.has(k)) o[k] = await evaluate(v);
        }
        return o;
      }
      case 'arr': {
        const items: unknown[] = [];
        for (const item of e.items) items.push(await evaluate(item));
        return items;
      }
      case 'get':
        return getField(await evaluate(e.of), await evaluate(e.key));
      case 'call': {
        const fn = await evaluate(e.fn);
        if (!(fn instanceof HostFn))
          throw new ScriptError(
            'TypeError',
            `${describe(fn)} is not a function`,
          );
        const args: unknown[] = [];
        for (const a of e.args) args.push(await evaluate(a));
        return fn.call(args);
      }
      default:
        return undefined;
    }
  };
  let last: unknown = undefined;
  for (const s of stmts) {
    if (s.t === 'expr') {
      last = await evaluate(s.expr);
      continue;
    }
    const value = await evaluate(s.value);
    last = undefined;
    if (s.target.t === 'var') {
      // `cfg = rs.conf()` without a declaration makes a global, as in mongosh.
      vars.set(s.target.name, value);
    } else if (s.target.t === 'get') {
      const holder = await evaluate(s.target.of);
      const key = String(await evaluate(s.target.key));
      if (
        holder === null ||
        typeof holder !== 'object' ||
        holder instanceof HostObject ||
        FORBIDDEN.has(key)
      )
        throw new ScriptError(
          'TypeError',
          `Cannot set properties of ${describe(holder)} (setting '${key}')`,
        );
      (holder as Record<string, unknown>)[key] = value;
    }
  }
  return last;
}
