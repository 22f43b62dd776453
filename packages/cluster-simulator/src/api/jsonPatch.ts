/*
 * JSON patch (RFC 6902): a list of operations on JSON pointers, applied in
 * order to a copy so that a failing operation leaves the object untouched.
 */
import { PatchError } from './patchError';
import { cloneJson, isJsonObject } from './plainJson';

function unescapePointer(seg: string): string {
  return seg.replace(/~1/g, '/').replace(/~0/g, '~');
}

function parsePointer(path: string): string[] {
  if (path === '') return [];
  if (!path.startsWith('/')) {
    throw new PatchError(`invalid JSON pointer "${path}"`);
  }
  return path.slice(1).split('/').map(unescapePointer);
}

function getAt(doc: any, segs: string[]): any {
  let cur = doc;
  for (const s of segs) {
    if (Array.isArray(cur)) cur = cur[Number(s)];
    else if (isJsonObject(cur)) cur = cur[s];
    else return undefined;
  }
  return cur;
}

function parentOf(doc: any, segs: string[], path: string): any {
  const parent = getAt(doc, segs.slice(0, -1));
  if (!Array.isArray(parent) && !isJsonObject(parent)) {
    throw new PatchError(`doc is missing path: "${path}"`);
  }
  return parent;
}

function arrayIndex(
  arr: any[],
  seg: string,
  path: string,
  forAdd: boolean,
): number {
  if (forAdd && seg === '-') return arr.length;
  if (!/^(0|[1-9][0-9]*)$/.test(seg)) {
    throw new PatchError(`invalid array index "${seg}" in "${path}"`);
  }
  const i = Number(seg);
  if (i > arr.length || (!forAdd && i >= arr.length)) {
    throw new PatchError(`index ${i} out of bounds in "${path}"`);
  }
  return i;
}

function addAt(doc: any, path: string, value: any): any {
  const segs = parsePointer(path);
  if (segs.length === 0) return cloneJson(value);
  const parent = parentOf(doc, segs, path);
  const last = segs[segs.length - 1];
  if (Array.isArray(parent)) {
    parent.splice(arrayIndex(parent, last, path, true), 0, cloneJson(value));
  } else parent[last] = cloneJson(value);
  return doc;
}

function removeAt(doc: any, path: string): any {
  const segs = parsePointer(path);
  if (segs.length === 0)
    throw new PatchError('cannot remove the whole document');
  const parent = parentOf(doc, segs, path);
  const last = segs[segs.length - 1];
  if (Array.isArray(parent)) {
    parent.splice(arrayIndex(parent, last, path, false), 1);
  } else {
    if (!(last in parent)) {
      throw new PatchError(
        `unable to remove nonexistent key: ${last}: missing value`,
      );
    }
    delete parent[last];
  }
  return doc;
}

function deepEqual(a: unknown, b: unknown): boolean {
  return JSON.stringify(sortKeys(a)) === JSON.stringify(sortKeys(b));
}

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (isJsonObject(v)) {
    return Object.fromEntries(
      Object.keys(v)
        .sort()
        .map(k => [k, sortKeys(v[k])]),
    );
  }
  return v;
}

/** RFC 6902 operations applied in order; any failure rejects the whole patch. */
export function applyJsonPatch(target: unknown, ops: unknown): any {
  if (!Array.isArray(ops)) {
    throw new PatchError('json patch must be an array of operations', 400);
  }
  let doc = cloneJson(target);
  for (const op of ops) {
    if (
      !isJsonObject(op) ||
      typeof op.op !== 'string' ||
      typeof op.path !== 'string'
    ) {
      throw new PatchError('invalid json patch operation', 400);
    }
    switch (op.op) {
      case 'add':
        doc = addAt(doc, op.path, op.value);
        break;
      case 'remove':
        doc = removeAt(doc, op.path);
        break;
      case 'replace': {
        const segs = parsePointer(op.path);
        if (segs.length > 0 && getAt(doc, segs) === undefined) {
          throw new PatchError(
            `replace operation does not apply: doc is missing key: ${op.path}: missing value`,
          );
        }
        if (segs.length === 0) doc = cloneJson(op.value);
        else {
          const parent = parentOf(doc, segs, op.path);
          const last = segs[segs.length - 1];
          if (Array.isArray(parent))
            parent[arrayIndex(parent, last, op.path, false)] = cloneJson(
              op.value,
            );
          else parent[last] = cloneJson(op.value);
        }
        break;
      }
      case 'move': {
        const v = getAt(doc, parsePointer(op.from));
        if (v === undefined)
          throw new PatchError(`move: missing from path ${op.from}`);
        doc = removeAt(doc, op.from);
        doc = addAt(doc, op.path, v);
        break;
      }
      case 'copy': {
        const v = getAt(doc, parsePointer(op.from));
        if (v === undefined)
          throw new PatchError(`copy: missing from path ${op.from}`);
        doc = addAt(doc, op.path, v);
        break;
      }
      case 'test':
        if (!deepEqual(getAt(doc, parsePointer(op.path)), op.value)) {
          throw new PatchError(`testing value ${op.path} failed: test failed`);
        }
        break;
      default:
        throw new PatchError(`unexpected kind of operation: ${op.op}`, 400);
    }
  }
  return doc;
}
