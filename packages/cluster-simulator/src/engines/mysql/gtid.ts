/*
 * GTID sets as MySQL writes them (`uuid:1-5:7,uuid2:1-3`): parse, union,
 * containment and the canonical text (uuids sorted, intervals merged).
 */

/** A GTID set: per source uuid, sorted disjoint closed intervals. */
export type GtidSet = Map<string, Array<[number, number]>>;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Thrown for text that is not a GTID set (MySQL's ER_MALFORMED_GTID_SET_SPECIFICATION). */
export class MalformedGtidSet extends Error {}

function merge(list: Array<[number, number]>): Array<[number, number]> {
  const sorted = [...list].sort((a, b) => a[0] - b[0]);
  const out: Array<[number, number]> = [];
  for (const [s, e] of sorted) {
    const last = out[out.length - 1];
    if (last && s <= last[1] + 1) last[1] = Math.max(last[1], e);
    else out.push([s, e]);
  }
  return out;
}

/** Parses a GTID set; the empty string is the empty set. */
export function parseGtidSet(text: string): GtidSet {
  const set: GtidSet = new Map();
  const body = text.replace(/\s+/g, '');
  if (!body) return set;
  for (const part of body.split(',')) {
    const [uuidRaw, ...ranges] = part.split(':');
    const uuid = uuidRaw.toLowerCase();
    if (!UUID.test(uuid) || ranges.length === 0)
      throw new MalformedGtidSet(`Malformed GTID set specification '${text}'.`);
    const list = set.get(uuid) ?? [];
    for (const r of ranges) {
      const m = /^(\d+)(?:-(\d+))?$/.exec(r);
      const start = m ? Number(m[1]) : NaN;
      const end = m?.[2] !== undefined ? Number(m[2]) : start;
      if (!m || start < 1 || end < start)
        throw new MalformedGtidSet(
          `Malformed GTID set specification '${text}'.`,
        );
      list.push([start, end]);
    }
    set.set(uuid, merge(list));
  }
  return set;
}

/** The canonical text of a set, as `@@gtid_executed` shows it. */
export function formatGtidSet(set: GtidSet): string {
  return [...set.keys()]
    .sort()
    .filter(u => set.get(u)!.length > 0)
    .map(
      u =>
        `${u}:${set
          .get(u)!
          .map(([s, e]) => (s === e ? `${s}` : `${s}-${e}`))
          .join(':')}`,
    )
    .join(',');
}

/** The union of two sets. */
export function unionGtidSets(a: GtidSet, b: GtidSet): GtidSet {
  const out: GtidSet = new Map();
  for (const u of new Set([...a.keys(), ...b.keys()]))
    out.set(u, merge([...(a.get(u) ?? []), ...(b.get(u) ?? [])]));
  return out;
}

/** Whether every GTID of `sub` is in `sup` (MySQL's GTID_SUBSET). */
export function isGtidSubset(sub: GtidSet, sup: GtidSet): boolean {
  for (const [u, list] of sub) {
    const have = sup.get(u) ?? [];
    for (const [s, e] of list)
      if (!have.some(([hs, he]) => hs <= s && e <= he)) return false;
  }
  return true;
}

/** The highest transaction number of `uuid` in the set (0 when none). */
export function lastOf(set: GtidSet, uuid: string): number {
  const list = set.get(uuid);
  return list?.length ? list[list.length - 1][1] : 0;
}

/** The set with `uuid`'s transactions `from`..`to` added. */
export function withRange(
  set: GtidSet,
  uuid: string,
  from: number,
  to: number,
): GtidSet {
  if (to < from) return set;
  return unionGtidSets(set, new Map([[uuid, [[from, to]]]]));
}
