/*
 * The merge half of server-side apply: what an applied configuration does to
 * the live object. Which fields it then removes is fieldOwnership's job.
 */
import { cloneJson, isJsonObject } from './plainJson';
import { mergeKeyFor } from './strategicMergePatch';

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
  if (!isJsonObject(applied)) return cloneJson(applied);
  const out: Record<string, any> = isJsonObject(live) ? cloneJson(live) : {};
  for (const [k, v] of Object.entries(applied)) {
    if (v === null) {
      delete out[k];
    } else if (Array.isArray(v)) {
      const key = keyedLists ? mergeKeyFor(k, v) : undefined;
      if (key && Array.isArray(out[k])) {
        const base: any[] = out[k];
        out[k] = v.map(item => {
          const prev = base.find(
            b => isJsonObject(b) && isJsonObject(item) && b[key] === item[key],
          );
          return prev
            ? applyConfiguration(prev, item, keyedLists)
            : cloneJson(item);
        });
        for (const b of base) {
          if (
            !v.some(
              item =>
                isJsonObject(item) && isJsonObject(b) && item[key] === b[key],
            )
          )
            out[k].push(b);
        }
      } else out[k] = cloneJson(v);
    } else if (isJsonObject(v)) {
      out[k] = applyConfiguration(out[k], v, keyedLists);
    } else out[k] = v;
  }
  return out;
}
