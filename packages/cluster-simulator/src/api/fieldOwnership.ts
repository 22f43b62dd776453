/*
 * The field sets of `managedFields` (`fieldsV1`): which fields a manager
 * set, and server-side apply's rule for removing the fields a manager no
 * longer applies.
 */
import { isJsonObject } from './plainJson';
import { mergeKeyFor } from './strategicMergePatch';

/** The `fieldsV1` set of a (partial) object, as recorded in managedFields. */
export function fieldsV1Of(
  obj: unknown,
  keyedLists = true,
): Record<string, any> {
  const out: Record<string, any> = {};
  if (!isJsonObject(obj)) return out;
  for (const [k, v] of Object.entries(obj)) {
    if (k === 'apiVersion' || k === 'kind' || k === 'status') continue;
    if (k === 'metadata' && isJsonObject(v)) {
      const meta: Record<string, any> = {};
      for (const mk of ['labels', 'annotations']) {
        if (isJsonObject(v[mk])) {
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
  if (isJsonObject(v)) {
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
      if (!isJsonObject(item)) continue;
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
  if (!previous || !isJsonObject(obj)) return;
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
    if (isJsonObject(value)) {
      removeUnappliedFields(value, prevSub, cur, otherSubs);
    } else if (Array.isArray(value) && isJsonObject(prevSub)) {
      for (const [itemKey, itemPrev] of Object.entries(prevSub)) {
        if (!itemKey.startsWith('k:')) continue;
        let ident: Record<string, unknown>;
        try {
          ident = JSON.parse(itemKey.slice(2));
        } catch {
          continue;
        }
        const [k, v] = Object.entries(ident)[0] ?? [];
        const idx = value.findIndex(
          item => isJsonObject(item) && item[k] === v,
        );
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
