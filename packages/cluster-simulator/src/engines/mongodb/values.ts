/*
 * The BSON values mongosh shows that plain JSON lacks (dates, oplog
 * timestamps, object ids), printed as mongosh prints them: `ISODate('…')`,
 * `Timestamp({ t, i })`, `ObjectId('…')` in its inspect output, and
 * `{"$date": …}`-style wrappers in relaxed Extended JSON.
 */
import { createHash } from 'node:crypto';
import { inspect } from 'node:util';

/** A BSON date. */
export class IsoDate {
  constructor(readonly ms: number) {}
  toJSON(): string {
    return new Date(this.ms).toISOString();
  }
  [inspect.custom](): string {
    return `ISODate('${this.toJSON()}')`;
  }
}

/** A BSON timestamp: seconds and an increment within that second. */
export class BsonTimestamp {
  constructor(readonly t: number, readonly i: number) {}
  toJSON(): { $timestamp: { t: number; i: number } } {
    return { $timestamp: { t: this.t, i: this.i } };
  }
  [inspect.custom](): string {
    return `Timestamp({ t: ${this.t}, i: ${this.i} })`;
  }
}

/** A BSON object id, derived from a stable key (deterministic output). */
export class ObjectId {
  readonly hex: string;
  constructor(key: string) {
    this.hex = createHash('sha256').update(key).digest('hex').slice(0, 24);
  }
  toJSON(): { $oid: string } {
    return { $oid: this.hex };
  }
  [inspect.custom](): string {
    return `ObjectId('${this.hex}')`;
  }
}

/** A value as mongosh's `--eval` prints it: strings raw, the rest inspected. */
export function shellPrint(value: unknown): string {
  if (typeof value === 'string') return value;
  return inspect(value, { depth: 8, colors: false, breakLength: 80 });
}

function relaxed(value: unknown): unknown {
  if (value instanceof IsoDate) return { $date: value.toJSON() };
  if (value instanceof BsonTimestamp || value instanceof ObjectId)
    return value.toJSON();
  if (Array.isArray(value)) return value.map(relaxed);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k, relaxed(v)]),
    );
  }
  return value;
}

/** `EJSON.stringify(value)` in relaxed mode (mongosh's default). */
export function ejsonStringify(value: unknown, indent?: number): string {
  return JSON.stringify(relaxed(value), null, indent) ?? 'undefined';
}

/** `JSON.stringify(value)`: dates as ISO strings, timestamps as `$timestamp`. */
export function jsonStringify(value: unknown, indent?: number): string {
  return JSON.stringify(value, null, indent) ?? 'undefined';
}

/** An error the server answers with, as mongosh prints it. */
export class MongoServerError extends Error {
  constructor(
    message: string,
    readonly code: number,
    readonly codeName: string,
  ) {
    super(message);
  }
  /** The line mongosh writes to stderr. */
  printed(): string {
    return `MongoServerError[${this.codeName}]: ${this.message}`;
  }
}

/** A mistake in the evaluated script (mongosh's SyntaxError / TypeError). */
export class ScriptError extends Error {
  constructor(
    readonly kind: 'SyntaxError' | 'TypeError' | 'ReferenceError',
    message: string,
  ) {
    super(message);
  }
  printed(): string {
    return `${this.kind}: ${this.message}`;
  }
}
