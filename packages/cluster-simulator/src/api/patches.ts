/*
 * The patch formats of the Kubernetes API: JSON merge patch (RFC 7386), JSON
 * patch (RFC 6902), strategic merge patch (keyed lists, `$patch` directives)
 * and the field sets recorded in `managedFields`. Pure functions on plain JSON.
 */

/** A patch the API server would refuse; `status` is the HTTP code to answer. */
export class PatchError extends Error {
  constructor(message: string, readonly status: number = 422) {
    super(message);
  }
}

const isObj = (v: unknown): v is Record<string, any> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

const clone = <T>(v: T): T =>
  v === undefined ? v : (JSON.parse(JSON.stringify(v)) as T);

/** RFC 7386: objects merge recursively, null deletes, everything else replaces. */
export function applyMergePatch(target: unknown, patch: unknown): any {
  if (!isObj(patch)) return clone(patch);
  const out: Record<string, any> = isObj(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = applyMergePatch(out[k], v);
  }
  return out;
}

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
    else if (isObj(cur)) cur = cur[s];
    else return undefined;
  }
  return cur;
}

function parentOf(doc: any, segs: string[], path: string): any {
  const parent = getAt(doc, segs.slice(0, -1));
  if (!Array.isArray(parent) && !isObj(parent)) {
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
  if (segs.length === 0) return clone(value);
  const parent = parentOf(doc, segs, path);
  const last = segs[segs.length - 1];
  if (Array.isArray(parent)) {
    parent.splice(arrayIndex(parent, last, path, true), 0, clone(value));
  } else parent[last] = clone(value);
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
  if (isObj(v)) {
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
  let doc = clone(target);
  for (const op of ops) {
    if (
      !isObj(op) ||
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
        if (segs.length === 0) doc = clone(op.value);
        else {
          const parent = parentOf(doc, segs, op.path);
          const last = segs[segs.length - 1];
          if (Array.isArray(parent))
            parent[arrayIndex(parent, last, op.path, false)] = clone(op.value);
          else parent[last] = clone(op.value);
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

/**
 * The merge key of a list field in built-in kinds (from the Kubernetes API
 * types' `patchMergeKey` tags). Lists without one are replaced whole.
 */
export function mergeKeyFor(
  field: string,
  items: unknown[],
): string | undefined {
  switch (field) {
    case 'containers':
    case 'initContainers':
    case 'ephemeralContainers':
    case 'env':
    case 'volumes':
    case 'imagePullSecrets':
    case 'volumeClaimTemplates':
    case 'hostAliases':
      return field === 'hostAliases' ? 'ip' : 'name';
    case 'volumeMounts':
      return 'mountPath';
    case 'volumeDevices':
      return 'devicePath';
    case 'ports': {
      const first = items.find(isObj);
      if (first && 'containerPort' in first) return 'containerPort';
      return 'port';
    }
    case 'conditions':
      return 'type';
    case 'ownerReferences':
      return 'uid';
    case 'topologySpreadConstraints':
      return 'topologyKey';
    default:
      return undefined;
  }
}

/** Primitive lists that strategic merge treats as sets. */
const MERGED_PRIMITIVE_LISTS = new Set(['finalizers']);

function stripDirectives(v: any): any {
  if (Array.isArray(v))
    return v.map(stripDirectives).filter(x => x !== undefined);
  if (!isObj(v)) return v;
  if (v.$patch === 'delete') return undefined;
  const out: Record<string, any> = {};
  for (const [k, x] of Object.entries(v)) {
    if (k.startsWith('$')) continue;
    if (x === null) continue;
    out[k] = stripDirectives(x);
  }
  return out;
}

function mergeList(
  field: string,
  orig: any[] | undefined,
  patch: any[],
  deleteFromPrimitive: any[] | undefined,
): any[] | undefined {
  const base = Array.isArray(orig) ? clone(orig) : [];
  if (patch.some(p => isObj(p) && p.$patch === 'replace')) {
    return stripDirectives(
      patch.filter(p => !(isObj(p) && p.$patch === 'replace')),
    );
  }
  const key = mergeKeyFor(field, [...patch, ...base]);
  if (!key) {
    if (MERGED_PRIMITIVE_LISTS.has(field)) {
      const merged = base.filter(x => !(deleteFromPrimitive ?? []).includes(x));
      for (const p of patch) if (!merged.includes(p)) merged.push(p);
      return merged;
    }
    return stripDirectives(patch);
  }
  for (const p of patch) {
    if (!isObj(p)) {
      throw new PatchError(
        `strategic merge patch: list "${field}" items must be objects`,
      );
    }
    const idx = base.findIndex(b => isObj(b) && b[key] === p[key]);
    if (p.$patch === 'delete') {
      if (idx >= 0) base.splice(idx, 1);
      continue;
    }
    if (idx >= 0) base[idx] = applyStrategicMergePatch(base[idx], p);
    else base.push(stripDirectives(p));
  }
  return base;
}

/**
 * Strategic merge patch: maps merge, keyed lists merge by their key, other
 * lists replace; honours `$patch: replace|delete` and
 * `$deleteFromPrimitiveList/<field>`, drops `$setElementOrder` / `$retainKeys`.
 */
export function applyStrategicMergePatch(target: unknown, patch: unknown): any {
  if (!isObj(patch)) return clone(patch);
  if (patch.$patch === 'replace') return stripDirectives(patch);
  if (patch.$patch === 'delete') return undefined;
  const out: Record<string, any> = isObj(target) ? clone(target) : {};
  const retainKeys: string[] | undefined = patch.$retainKeys;
  for (const [k, v] of Object.entries(patch)) {
    if (k.startsWith('$')) continue;
    if (v === null) {
      delete out[k];
      continue;
    }
    if (Array.isArray(v)) {
      const del = patch[`$deleteFromPrimitiveList/${k}`];
      const merged = mergeList(k, out[k], v, del);
      if (merged === undefined) delete out[k];
      else out[k] = merged;
      continue;
    }
    if (isObj(v)) {
      const merged = applyStrategicMergePatch(out[k], v);
      if (merged === undefined) delete out[k];
      else out[k] = merged;
      continue;
    }
    out[k] = v;
  }
  for (const [k, v] of Object.entries(patch)) {
    const m = /^\$deleteFromPrimitiveList\/(.+)$/.exec(k);
    if (m && !(m[1] in patch) && Array.isArray(out[m[1]]) && Array.isArray(v)) {
      out[m[1]] = out[m[1]].filter((x: unknown) => !v.includes(x));
    }
  }
  if (Array.isArray(retainKeys)) {
    for (const k of Object.keys(out))
      if (!retainKeys.includes(k)) delete out[k];
  }
  return out;
}

/**
 * Merges an applied configuration into the live object (server-side apply
 * without ownership-based removal): maps merge, keyed lists merge for
 * built-ins, other lists are atomic.
 */
export function applyConfiguration(
  live: unknown,
  applied: unknown,
  keyedLists: boolean,
): any {
  if (!isObj(applied)) return clone(applied);
  const out: Record<string, any> = isObj(live) ? clone(live) : {};
  for (const [k, v] of Object.entries(applied)) {
    if (v === null) {
      delete out[k];
    } else if (Array.isArray(v)) {
      const key = keyedLists ? mergeKeyFor(k, v) : undefined;
      if (key && Array.isArray(out[k])) {
        const base: any[] = out[k];
        out[k] = v.map(item => {
          const prev = base.find(
            b => isObj(b) && isObj(item) && b[key] === item[key],
          );
          return prev
            ? applyConfiguration(prev, item, keyedLists)
            : clone(item);
        });
        for (const b of base) {
          if (!v.some(item => isObj(item) && isObj(b) && item[key] === b[key]))
            out[k].push(b);
        }
      } else out[k] = clone(v);
    } else if (isObj(v)) {
      out[k] = applyConfiguration(out[k], v, keyedLists);
    } else out[k] = v;
  }
  return out;
}

/** The `fieldsV1` set of a (partial) object, as recorded in managedFields. */
export function fieldsV1Of(
  obj: unknown,
  keyedLists = true,
): Record<string, any> {
  const out: Record<string, any> = {};
  if (!isObj(obj)) return out;
  for (const [k, v] of Object.entries(obj)) {
    if (k === 'apiVersion' || k === 'kind' || k === 'status') continue;
    if (k === 'metadata' && isObj(v)) {
      const meta: Record<string, any> = {};
      for (const mk of ['labels', 'annotations']) {
        if (isObj(v[mk])) {
          meta[`f:${mk}`] = Object.fromEntries(
            Object.keys(v[mk]).map(x => [`f:${x}`, {}]),
          );
          meta[`f:${mk}`]['.'] = {};
        }
      }
      if (Object.keys(meta).length > 0) out['f:metadata'] = meta;
      continue;
    }
    out[`f:${k}`] = fieldsOfValue(k, v, keyedLists);
  }
  return out;
}

function fieldsOfValue(field: string, v: unknown, keyedLists: boolean): any {
  if (isObj(v)) {
    const inner: Record<string, any> = { '.': {} };
    for (const [k, x] of Object.entries(v))
      inner[`f:${k}`] = fieldsOfValue(k, x, keyedLists);
    if (Object.keys(inner).length === 1) return {};
    return inner;
  }
  if (Array.isArray(v)) {
    const key = keyedLists ? mergeKeyFor(field, v) : undefined;
    if (!key) return {};
    const inner: Record<string, any> = {};
    for (const item of v) {
      if (!isObj(item)) continue;
      const sub = fieldsOfValue('', item, keyedLists);
      inner[`k:${JSON.stringify({ [key]: item[key] })}`] = { '.': {}, ...sub };
    }
    return inner;
  }
  return {};
}

/**
 * Server-side apply's removal rule: fields a manager applied before and no
 * longer applies are removed, unless another manager owns them too. Works on
 * `fieldsV1` sets (`f:` map fields, `k:` keyed list items); changes `obj`.
 */
export function removeUnappliedFields(
  obj: Record<string, any>,
  previous: Record<string, any> | undefined,
  current: Record<string, any> | undefined,
  others: Array<Record<string, any> | undefined>,
): void {
  if (!previous || !isObj(obj)) return;
  for (const [key, prevSub] of Object.entries(previous)) {
    if (key === '.' || !key.startsWith('f:')) continue;
    const name = key.slice(2);
    const cur = current?.[key];
    const otherSubs = others.map(o => o?.[key]);
    if (cur === undefined) {
      if (otherSubs.every(o => o === undefined)) delete obj[name];
      continue;
    }
    const value = obj[name];
    if (isObj(value)) {
      removeUnappliedFields(value, prevSub, cur, otherSubs);
    } else if (Array.isArray(value) && isObj(prevSub)) {
      for (const [itemKey, itemPrev] of Object.entries(prevSub)) {
        if (!itemKey.startsWith('k:')) continue;
        let ident: Record<string, unknown>;
        try {
          ident = JSON.parse(itemKey.slice(2));
        } catch {
          continue;
        }
        const [k, v] = Object.entries(ident)[0] ?? [];
        const idx = value.findIndex(item => isObj(item) && item[k] === v);
        if (idx < 0) continue;
        const itemOthers = otherSubs.map(o => o?.[itemKey]);
        if (cur[itemKey] === undefined) {
          if (itemOthers.every(o => o === undefined)) value.splice(idx, 1);
        } else {
          removeUnappliedFields(
            value[idx],
            itemPrev as any,
            cur[itemKey],
            itemOthers,
          );
        }
      }
    }
  }
}
