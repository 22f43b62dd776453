/*
 * The subset of kubectl's JSONPath that CRD printer columns use: field
 * steps, indexes (negative from the end) and `[?(@.field==value)]` filters.
 */

/** Evaluates the JSONPath subset CRD printer columns use. */
export function evalJsonPath(obj: unknown, path: string): unknown {
  let p = path.trim();
  if (p.startsWith('{') && p.endsWith('}')) p = p.slice(1, -1);
  if (p.startsWith('$')) p = p.slice(1);
  const tokens = p.match(/\.[^.[\]]+|\[[^\]]*\]/g) ?? [];
  let cur: any = obj;
  for (const t of tokens) {
    if (cur === undefined || cur === null) return undefined;
    if (t.startsWith('.')) {
      cur = cur[t.slice(1)];
    } else {
      const inner = t.slice(1, -1);
      const filter = /^\?\(@\.([\w.]+)\s*==\s*["']?([^"')]*)["']?\)$/.exec(
        inner,
      );
      if (filter && Array.isArray(cur)) {
        cur = cur.find(
          x => String(evalJsonPath(x, `.${filter[1]}`)) === filter[2],
        );
      } else if (/^-?\d+$/.test(inner) && Array.isArray(cur)) {
        const i = Number(inner);
        cur = cur[i < 0 ? cur.length + i : i];
      } else if (inner === '*') {
        // keep the whole list
      } else {
        cur = cur[inner.replace(/^['"]|['"]$/g, '')];
      }
    }
  }
  return cur;
}
