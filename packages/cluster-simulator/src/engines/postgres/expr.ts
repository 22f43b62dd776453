/*
 * SQL expressions of the emulated PostgreSQL: a tokenizer and a parser for
 * the select lists and WHERE clauses people and the failover provider run
 * (function calls, CASE, NOT/AND/OR, comparisons, `-`, `AT TIME ZONE`,
 * `::` casts, extract(epoch FROM …)), evaluated against functions the
 * caller supplies. Values are booleans, numbers, text, LSNs, timestamps
 * and intervals.
 */

/** A WAL position value (pg_lsn). */
export class Lsn {
  constructor(readonly bytes: number) {}
}
/** A timestamp with time zone, in ms since the epoch. */
export class Timestamp {
  constructor(readonly ms: number) {}
}
/** An interval, in ms. */
export class Interval {
  constructor(readonly ms: number) {}
}

export type Value =
  | boolean
  | number
  | string
  | Lsn
  | Timestamp
  | Interval
  | null;

/** An error PostgreSQL reports (`ERROR:  <message>` and an optional HINT). */
export class PgError extends Error {
  constructor(message: string, readonly hint?: string) {
    super(message);
  }
}

export type Expr =
  | { k: 'lit'; v: Value }
  | { k: 'col'; name: string }
  | { k: 'call'; name: string; args: Expr[]; star?: boolean }
  | { k: 'not'; e: Expr }
  | { k: 'bin'; op: string; a: Expr; b: Expr }
  | { k: 'case'; whens: Array<[Expr, Expr]>; otherwise?: Expr }
  | { k: 'isnull'; e: Expr; negate: boolean }
  | { k: 'cast'; e: Expr; type: string }
  | { k: 'extract'; field: string; e: Expr }
  | { k: 'atz'; e: Expr; zone: Expr };

type Tok = { t: 'id' | 'num' | 'str' | 'op' | 'qid'; v: string };

export function tokenize(sql: string): Tok[] {
  const out: Tok[] = [];
  let i = 0;
  while (i < sql.length) {
    const c = sql[i];
    if (/\s/.test(c)) i++;
    else if (c === "'") {
      let v = '';
      i++;
      for (;;) {
        if (i >= sql.length)
          throw new PgError('unterminated quoted string at or near "\'"');
        if (sql[i] === "'" && sql[i + 1] === "'") {
          v += "'";
          i += 2;
        } else if (sql[i] === "'") {
          i++;
          break;
        } else v += sql[i++];
      }
      out.push({ t: 'str', v });
    } else if (c === '"') {
      const end = sql.indexOf('"', i + 1);
      if (end < 0) throw new PgError('unterminated quoted identifier');
      out.push({ t: 'qid', v: sql.slice(i + 1, end) });
      i = end + 1;
    } else if (/[0-9]/.test(c)) {
      const m = /^[0-9]+(\.[0-9]+)?/.exec(sql.slice(i))!;
      out.push({ t: 'num', v: m[0] });
      i += m[0].length;
    } else if (/[A-Za-z_]/.test(c)) {
      const m = /^[A-Za-z_][A-Za-z0-9_$]*/.exec(sql.slice(i))!;
      out.push({ t: 'id', v: m[0].toLowerCase() });
      i += m[0].length;
    } else {
      const two = sql.slice(i, i + 2);
      if (['<>', '!=', '<=', '>=', '::', '||'].includes(two)) {
        out.push({ t: 'op', v: two });
        i += 2;
      } else if ('(),=<>+-*/.;'.includes(c)) {
        out.push({ t: 'op', v: c });
        i++;
      } else throw new PgError(`syntax error at or near "${c}"`);
    }
  }
  return out;
}

const STOP = new Set([
  'from',
  'where',
  'as',
  'then',
  'when',
  'else',
  'end',
  'and',
  'or',
  'is',
  'at',
  'order',
  'limit',
  'group',
]);

/** A parser over a token list. */
export class Parser {
  i = 0;
  constructor(readonly toks: Tok[]) {}

  peek(v?: string): boolean {
    const t = this.toks[this.i];
    return (
      !!t && (v === undefined || ((t.t === 'id' || t.t === 'op') && t.v === v))
    );
  }
  take(v: string): boolean {
    if (!this.peek(v)) return false;
    this.i++;
    return true;
  }
  expect(v: string): void {
    if (!this.take(v)) this.fail();
  }
  done(): boolean {
    return this.i >= this.toks.length;
  }
  fail(): never {
    const t = this.toks[this.i];
    throw new PgError(
      t ? `syntax error at or near "${t.v}"` : 'syntax error at end of input',
    );
  }

  expr(): Expr {
    let a = this.and();
    while (this.take('or')) a = { k: 'bin', op: 'or', a, b: this.and() };
    return a;
  }
  and(): Expr {
    let a = this.not();
    while (this.take('and')) a = { k: 'bin', op: 'and', a, b: this.not() };
    return a;
  }
  not(): Expr {
    if (this.take('not')) return { k: 'not', e: this.not() };
    return this.cmp();
  }
  cmp(): Expr {
    const a = this.add();
    for (const op of ['=', '<>', '!=', '<=', '>=', '<', '>']) {
      if (this.take(op)) return { k: 'bin', op, a, b: this.add() };
    }
    if (this.take('is')) {
      const negate = this.take('not');
      this.expect('null');
      return { k: 'isnull', e: a, negate };
    }
    return a;
  }
  add(): Expr {
    let a = this.unary();
    for (;;) {
      const op = ['+', '-', '||'].find(o => this.peek(o));
      if (!op) return a;
      this.i++;
      a = { k: 'bin', op, a, b: this.unary() };
    }
  }
  unary(): Expr {
    let e = this.primary();
    for (;;) {
      if (this.take('::')) e = { k: 'cast', e, type: this.name() };
      else if (this.peek('at') && this.toks[this.i + 1]?.v === 'time') {
        this.i += 2;
        this.expect('zone');
        e = { k: 'atz', e, zone: this.primary() };
      } else return e;
    }
  }
  name(): string {
    const t = this.toks[this.i];
    if (!t || (t.t !== 'id' && t.t !== 'qid')) this.fail();
    this.i++;
    return t.v;
  }
  primary(): Expr {
    const t = this.toks[this.i];
    if (!t) this.fail();
    if (t.t === 'num') {
      this.i++;
      return { k: 'lit', v: Number(t.v) };
    }
    if (t.t === 'str') {
      this.i++;
      return { k: 'lit', v: t.v };
    }
    if (this.take('(')) {
      const e = this.expr();
      this.expect(')');
      return e;
    }
    if (this.take('-'))
      return { k: 'bin', op: '-', a: { k: 'lit', v: 0 }, b: this.unary() };
    if (t.t === 'qid') {
      this.i++;
      return { k: 'col', name: t.v };
    }
    if (t.t !== 'id' || STOP.has(t.v)) this.fail();
    this.i++;
    if (t.v === 'true' || t.v === 'false')
      return { k: 'lit', v: t.v === 'true' };
    if (t.v === 'null') return { k: 'lit', v: null };
    if (t.v === 'case') return this.caseExpr();
    if (t.v === 'extract' && this.take('(')) {
      const field = this.name();
      this.expect('from');
      const e = this.expr();
      this.expect(')');
      return { k: 'extract', field, e };
    }
    if (this.take('(')) {
      if (this.take('*')) {
        this.expect(')');
        return { k: 'call', name: t.v, args: [], star: true };
      }
      const args: Expr[] = [];
      if (!this.take(')')) {
        do args.push(this.expr());
        while (this.take(','));
        this.expect(')');
      }
      return { k: 'call', name: t.v, args };
    }
    if (['current_timestamp', 'localtimestamp'].includes(t.v))
      return { k: 'call', name: 'now', args: [] };
    if (['current_user', 'session_user', 'user'].includes(t.v))
      return { k: 'call', name: 'current_user', args: [] };
    return { k: 'col', name: t.v };
  }
  caseExpr(): Expr {
    const whens: Array<[Expr, Expr]> = [];
    while (this.take('when')) {
      const c = this.expr();
      this.expect('then');
      whens.push([c, this.expr()]);
    }
    const otherwise = this.take('else') ? this.expr() : undefined;
    this.expect('end');
    return { k: 'case', whens, otherwise };
  }
}

/** What an expression reads: functions and the current row's columns. */
export interface EvalContext {
  call(name: string, args: Value[]): Value;
  column(name: string): Value;
}

function num(v: Value): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'string' && v.trim() !== '' && !isNaN(Number(v)))
    return Number(v);
  throw new PgError(`invalid input syntax for type numeric: "${String(v)}"`);
}

function compare(a: Value, b: Value): number {
  const key = (v: Value): number | string | boolean => {
    if (v instanceof Lsn) return v.bytes;
    if (v instanceof Timestamp || v instanceof Interval) return v.ms;
    return v as any;
  };
  const x = key(a);
  const y = key(b);
  if (typeof x === 'number' || typeof y === 'number')
    return num(x as any) - num(y as any);
  if (x === y) return 0;
  return String(x) < String(y) ? -1 : 1;
}

function minus(a: Value, b: Value): Value {
  if (a instanceof Timestamp && b instanceof Timestamp)
    return new Interval(a.ms - b.ms);
  if (a instanceof Timestamp && b instanceof Interval)
    return new Timestamp(a.ms - b.ms);
  if (a instanceof Lsn && b instanceof Lsn) return a.bytes - b.bytes;
  return num(a) - num(b);
}

/** Evaluates an expression. */
export function evaluate(e: Expr, ctx: EvalContext): Value {
  const ev = (x: Expr) => evaluate(x, ctx);
  switch (e.k) {
    case 'lit':
      return e.v;
    case 'col':
      return ctx.column(e.name);
    case 'call':
      return ctx.call(e.name, e.args.map(ev));
    case 'not': {
      const v = ev(e.e);
      return v === null ? null : !v;
    }
    case 'isnull':
      return (ev(e.e) === null) !== e.negate;
    case 'case': {
      for (const [c, r] of e.whens) if (ev(c) === true) return ev(r);
      return e.otherwise ? ev(e.otherwise) : null;
    }
    case 'cast': {
      const v = ev(e.e);
      if (v === null) return null;
      if (e.type === 'pg_lsn' && typeof v === 'string')
        return ctx.call('pg_lsn', [v]);
      if (e.type === 'text' || e.type === 'varchar')
        return ctx.call('text', [v]);
      if (['int', 'integer', 'bigint', 'numeric', 'float8'].includes(e.type))
        return num(v instanceof Lsn ? v.bytes : v);
      return v;
    }
    case 'extract': {
      const v = ev(e.e);
      if (v === null) return null;
      if (e.field !== 'epoch')
        throw new PgError(
          `the simulator's extract() knows only epoch, not ${e.field}`,
        );
      const ms =
        v instanceof Interval || v instanceof Timestamp ? v.ms : num(v) * 1000;
      return ms / 1000;
    }
    case 'atz':
      return ev(e.e);
    case 'bin': {
      if (e.op === 'and' || e.op === 'or') {
        const a = ev(e.a);
        const b = ev(e.b);
        const decided = e.op === 'and' ? false : true;
        if (a === decided || b === decided) return decided;
        return a === null || b === null ? null : !decided;
      }
      const a = ev(e.a);
      const b = ev(e.b);
      if (a === null || b === null) return null;
      switch (e.op) {
        case '-':
          return minus(a, b);
        case '+':
          if (a instanceof Timestamp && b instanceof Interval)
            return new Timestamp(a.ms + b.ms);
          return num(a) + num(b);
        case '||':
          return `${ctx.call('text', [a])}${ctx.call('text', [b])}`;
        case '=':
          return compare(a, b) === 0;
        case '<>':
        case '!=':
          return compare(a, b) !== 0;
        case '<':
          return compare(a, b) < 0;
        case '>':
          return compare(a, b) > 0;
        case '<=':
          return compare(a, b) <= 0;
        default:
          return compare(a, b) >= 0;
      }
    }
    default:
      return null;
  }
}
