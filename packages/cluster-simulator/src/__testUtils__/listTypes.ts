/*
 * The list rules an API server applies to custom resources on top of their
 * schema: a `set` holds no value twice, a `map` no two items with the same
 * keys (`x-kubernetes-list-map-keys`).
 */
import type { CrdFieldError, JSONSchemaProps } from '../crds';
import { visitSchema } from './schemaWalk';

function identity(schema: JSONSchemaProps, item: unknown): string | undefined {
  const type = schema['x-kubernetes-list-type'];
  if (type === 'set') return JSON.stringify(item);
  if (type !== 'map' || typeof item !== 'object' || item === null) {
    return undefined;
  }
  const keys = (schema['x-kubernetes-list-map-keys'] ?? []) as string[];
  return JSON.stringify(
    Object.fromEntries(keys.map(k => [k, (item as any)[k]])),
  );
}

/** Duplicate items of `set` and `map` lists, as field errors. */
export function listTypeErrors(
  schema: JSONSchemaProps,
  value: unknown,
): CrdFieldError[] {
  const out: CrdFieldError[] = [];
  visitSchema(schema, value, (s, v, path) => {
    if (!Array.isArray(v)) return;
    const seen = new Set<string>();
    v.forEach((item, i) => {
      const id = identity(s, item);
      if (id === undefined) return;
      if (seen.has(id)) {
        out.push({ path: `${path}[${i}]`, message: `Duplicate value: ${id}` });
      }
      seen.add(id);
    });
  });
  return out;
}
