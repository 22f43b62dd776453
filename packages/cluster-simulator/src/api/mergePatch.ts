/*
 * JSON merge patch (RFC 7386), the format of `kubectl patch --type merge` and
 * of custom resources, which have no strategic merge.
 */
import { cloneJson, isJsonObject } from './plainJson';

/** RFC 7386: objects merge recursively, null deletes, everything else replaces. */
export function applyMergePatch(target: unknown, patch: unknown): any {
  if (!isJsonObject(patch)) return cloneJson(patch);
  const out: Record<string, any> = isJsonObject(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = applyMergePatch(out[k], v);
  }
  return out;
}
