/*
 * Per-cluster differences as JSON-pointer operations, the form both KubeFed
 * (clusterOverrides) and Karmada (plaintext overriders) take: the federated
 * template is one cluster's object, the others are expressed as patches.
 */

/** One JSON-pointer patch operation. */
export interface OverrideOp {
  op: 'add' | 'remove' | 'replace';
  path: string;
  value?: unknown;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function escapeKey(key: string): string {
  return key.replace(/~/g, '~0').replace(/\//g, '~1');
}

function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/**
 * The operations that turn `base` into `other`. Objects are compared key by
 * key; arrays and scalars are replaced whole, because index-wise patches of
 * containers or volumes are brittle to read and to apply.
 */
export function diffObjects(
  base: unknown,
  other: unknown,
  path = '',
): OverrideOp[] {
  if (isPlainObject(base) && isPlainObject(other)) {
    const ops: OverrideOp[] = [];
    for (const [key, value] of Object.entries(other)) {
      const child = `${path}/${escapeKey(key)}`;
      if (!(key in base)) {
        ops.push({ op: 'add', path: child, value });
      } else {
        ops.push(...diffObjects(base[key], value, child));
      }
    }
    for (const key of Object.keys(base)) {
      if (!(key in other)) {
        ops.push({ op: 'remove', path: `${path}/${escapeKey(key)}` });
      }
    }
    return ops;
  }
  return same(base, other) ? [] : [{ op: 'replace', path, value: other }];
}
