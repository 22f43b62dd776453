/*
 * Walks a value along its structural schema, calling back at every place
 * that has both: properties, map values and list items alike.
 */
import type { JSONSchemaProps } from '../crds';

/** What a walk calls at each place: its schema, its value, its dotted path. */
export type SchemaVisitor = (
  schema: JSONSchemaProps,
  value: unknown,
  path: string,
) => void;

function join(path: string, key: string | number): string {
  if (typeof key === 'number') return `${path}[${key}]`;
  return path ? `${path}.${key}` : key;
}

/** Calls `visit` for the value and each of its parts the schema describes. */
export function visitSchema(
  schema: JSONSchemaProps | undefined,
  value: unknown,
  visit: SchemaVisitor,
  path = '',
): void {
  if (!schema || value === undefined || value === null) return;
  visit(schema, value, path);
  if (Array.isArray(value)) {
    value.forEach((v, i) => visitSchema(schema.items, v, visit, join(path, i)));
    return;
  }
  if (typeof value !== 'object') return;
  for (const [k, v] of Object.entries(value)) {
    const child =
      schema.properties?.[k] ??
      (typeof schema.additionalProperties === 'object'
        ? schema.additionalProperties
        : undefined);
    visitSchema(child, v, visit, join(path, k));
  }
}
