/*
 * MySQL GTID sets as the failover reasons about them: what one server has
 * executed that another lacks (GTID_SUBTRACT), counted in transactions, so
 * a data-loss window or an errant history is stated in the engine's units.
 */

/** Intervals of transaction numbers per server uuid, sorted and merged. */
export type GtidSet = Map<string, Array<[number, number]>>;

function merged(ranges: Array<[number, number]>): Array<[number, number]> {
  const sorted = [...ranges].sort((a, b) => a[0] - b[0]);
  const out: Array<[number, number]> = [];
  for (const [lo, hi] of sorted) {
    const last = out[out.length - 1];
    if (last && lo <= last[1] + 1) last[1] = Math.max(last[1], hi);
    else out.push([lo, hi]);
  }
  return out;
}

/** Parses `uuid:1-5:7,uuid2:1-3` (whitespace and newlines allowed). */
export function parseGtidSet(text: string): GtidSet {
  const set: GtidSet = new Map();
  for (const part of text.replace(/\s+/g, '').split(',').filter(Boolean)) {
    const [uuid, ...intervals] = part.toLowerCase().split(':');
    if (!/^[0-9a-f-]{36}$/.test(uuid) || intervals.length === 0) {
      throw new Error(`Malformed GTID set "${text}" near "${part}"`);
    }
    const ranges = intervals.map((iv): [number, number] => {
      const [lo, hi = lo] = iv.split('-').map(Number);
      if (!Number.isInteger(lo) || !Number.isInteger(hi) || hi < lo) {
        throw new Error(`Malformed GTID interval "${iv}" in "${text}"`);
      }
      return [lo, hi];
    });
    set.set(uuid, merged([...(set.get(uuid) ?? []), ...ranges]));
  }
  return set;
}

/** The canonical text of a set (uuids sorted), '' when empty. */
export function formatGtidSet(set: GtidSet): string {
  return [...set.keys()]
    .sort()
    .map(
      uuid =>
        `${uuid}:${set
          .get(uuid)!
          .map(([lo, hi]) => (lo === hi ? `${lo}` : `${lo}-${hi}`))
          .join(':')}`,
    )
    .join(',');
}

function minus(
  ranges: Array<[number, number]>,
  cut: Array<[number, number]>,
): Array<[number, number]> {
  let rest = ranges;
  for (const [clo, chi] of cut) {
    rest = rest.flatMap(([lo, hi]): Array<[number, number]> => {
      if (chi < lo || clo > hi) return [[lo, hi]];
      const parts: Array<[number, number]> = [];
      if (lo < clo) parts.push([lo, clo - 1]);
      if (hi > chi) parts.push([chi + 1, hi]);
      return parts;
    });
  }
  return rest;
}

/** The transactions of `a` missing from `b` (MySQL's GTID_SUBTRACT). */
export function subtractGtidSets(a: GtidSet, b: GtidSet): GtidSet {
  const out: GtidSet = new Map();
  for (const [uuid, ranges] of a) {
    const rest = minus(ranges, b.get(uuid) ?? []);
    if (rest.length) out.set(uuid, rest);
  }
  return out;
}

/** How many transactions a set holds. */
export function countGtids(set: GtidSet): number {
  let n = 0;
  for (const ranges of set.values()) {
    for (const [lo, hi] of ranges) n += hi - lo + 1;
  }
  return n;
}

/** What `a` has executed that `b` lacks, as text and a count. */
export function gtidDifference(
  a: string,
  b: string,
): { gtids: string; transactions: number } {
  const diff = subtractGtidSets(parseGtidSet(a), parseGtidSet(b));
  return { gtids: formatGtidSet(diff), transactions: countGtids(diff) };
}
