/*
 * Strategic merge patch, kubectl's default for built-in kinds: lists with a
 * merge key merge item by item instead of being replaced, and `$patch`
 * directives say where to replace or delete.
 */
import { PatchError } from './patchError';
import { cloneJson, isJsonObject } from './plainJson';

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
      const first = items.find(isJsonObject);
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
  if (!isJsonObject(v)) return v;
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
  const base = Array.isArray(orig) ? cloneJson(orig) : [];
  if (patch.some(p => isJsonObject(p) && p.$patch === 'replace')) {
    return stripDirectives(
      patch.filter(p => !(isJsonObject(p) && p.$patch === 'replace')),
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
    if (!isJsonObject(p)) {
      throw new PatchError(
        `strategic merge patch: list "${field}" items must be objects`,
      );
    }
    const idx = base.findIndex(b => isJsonObject(b) && b[key] === p[key]);
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
  if (!isJsonObject(patch)) return cloneJson(patch);
  if (patch.$patch === 'replace') return stripDirectives(patch);
  if (patch.$patch === 'delete') return undefined;
  const out: Record<string, any> = isJsonObject(target)
    ? cloneJson(target)
    : {};
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
    if (isJsonObject(v)) {
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
