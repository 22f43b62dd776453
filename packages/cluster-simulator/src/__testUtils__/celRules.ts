/*
 * The `x-kubernetes-validations` rules of a CRD schema, run on an object as
 * the API server runs them when the object is created: `self` is the value
 * at the rule's place (integers as CEL ints), transition rules (those that
 * read `oldSelf`) do not apply. A rule the CEL library cannot run (a
 * Kubernetes-only function, say) is reported as unevaluated, never passed.
 */
import { evaluate } from '@marcbachmann/cel-js';
import type { JSONSchemaProps } from '../crds';
import { visitSchema } from './schemaWalk';

/** One `x-kubernetes-validations` entry. */
interface ValidationRule {
  rule: string;
  message?: string;
}

/** A rule that failed, at a dotted field path. */
export interface CelViolation {
  path: string;
  message: string;
}

/** A rule that could not be run, with why. */
export interface UnevaluatedRule {
  path: string;
  rule: string;
  reason: string;
}

/** What running every rule of a schema on one object found. */
export interface CelOutcome {
  violations: CelViolation[];
  unevaluated: UnevaluatedRule[];
  evaluated: number;
}

/** A JSON value as CEL sees it under its schema: integers become ints. */
export function celValue(
  schema: JSONSchemaProps | undefined,
  value: unknown,
): unknown {
  if (Array.isArray(value)) return value.map(v => celValue(schema?.items, v));
  if (typeof value === 'number') {
    const integral =
      schema?.type === 'integer' || schema?.['x-kubernetes-int-or-string'];
    return integral && Number.isInteger(value) ? BigInt(value) : value;
  }
  if (typeof value !== 'object' || value === null) return value;
  const extra =
    typeof schema?.additionalProperties === 'object'
      ? schema.additionalProperties
      : undefined;
  return Object.fromEntries(
    Object.entries(value).map(([k, v]) => [
      k,
      celValue(schema?.properties?.[k] ?? extra, v),
    ]),
  );
}

function runRules(
  schema: JSONSchemaProps,
  value: unknown,
  path: string,
  out: CelOutcome,
): void {
  const rules = (schema['x-kubernetes-validations'] ?? []) as ValidationRule[];
  for (const { rule, message } of rules) {
    if (/\boldSelf\b/.test(rule)) continue;
    let result: unknown;
    try {
      result = evaluate(rule, { self: celValue(schema, value) });
    } catch (e) {
      out.unevaluated.push({ path, rule, reason: (e as Error).message });
      continue;
    }
    out.evaluated++;
    if (result !== true) {
      out.violations.push({
        path,
        message: message ?? `failed rule: ${rule}`,
      });
    }
  }
}

/** Runs every CEL rule of a schema that applies to an object being created. */
export function runCelRules(
  schema: JSONSchemaProps,
  value: unknown,
): CelOutcome {
  const out: CelOutcome = { violations: [], unevaluated: [], evaluated: 0 };
  visitSchema(schema, value, (s, v, path) => runRules(s, v, path, out));
  return out;
}
