/*
 * The OpenAPI formats an API server checks that cost little to check here,
 * written as the bounds and patterns the structural-schema conversion
 * already understands: int32 ranges, RFC 3339 date-times, base64 bytes.
 */
import type { JSONSchemaProps } from '../crds';

const FORMAT_RULES: Record<string, { type: string; rule: JSONSchemaProps }> = {
  int32: {
    type: 'integer',
    rule: { minimum: -2147483648, maximum: 2147483647 },
  },
  'date-time': {
    type: 'string',
    rule: {
      pattern:
        '^\\d{4}-\\d{2}-\\d{2}[Tt]\\d{2}:\\d{2}:\\d{2}(\\.\\d+)?([Zz]|[+-]\\d{2}:\\d{2})$',
    },
  },
  byte: {
    type: 'string',
    rule: {
      pattern:
        '^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$',
    },
  },
};

/** A schema with each cheap format's rule added where the format is set. */
export function withFormatRules<T>(schema: T): T {
  if (Array.isArray(schema)) return schema.map(withFormatRules) as T;
  if (typeof schema !== 'object' || schema === null) return schema;
  const out: Record<string, unknown> = Object.fromEntries(
    Object.entries(schema).map(([k, v]) => [k, withFormatRules(v)]),
  );
  const format = FORMAT_RULES[out.format as string];
  if (format && out.type === format.type) {
    return { ...format.rule, ...out } as T;
  }
  return out as T;
}
