/*
 * Where a project CRD's schema accepts more than its upstream CRD's: fields
 * upstream does not have, free-form objects where upstream is typed, and
 * types, required fields, enums, patterns, bounds, combinators and CEL rules
 * upstream has and ours lacks. Only fields our copy declares are compared:
 * our copy lists the fields the product generates or reads, and a field it
 * leaves out is rejected, which is never looser.
 */
import type { JSONSchemaProps } from '../crds';

/** One place our schema is looser than upstream's. */
export interface Looseness {
  path: string;
  problem: string;
}

const PRESERVE = 'x-kubernetes-preserve-unknown-fields';
const INT_OR_STRING = 'x-kubernetes-int-or-string';
const LOWER_BOUNDS = ['minimum', 'minLength', 'minItems', 'minProperties'];
const UPPER_BOUNDS = ['maximum', 'maxLength', 'maxItems', 'maxProperties'];
const COMBINATORS = ['oneOf', 'anyOf', 'allOf', 'not'];

function freeForm(s: JSONSchemaProps): boolean {
  return !s.properties && !s.additionalProperties && !s.items && !s.type
    ? true
    : s[PRESERVE] === true && !s.properties;
}

function typeOf(s: JSONSchemaProps): string | undefined {
  return s[INT_OR_STRING] === true ? 'int-or-string' : s.type;
}

function json(v: unknown): string {
  return JSON.stringify(v);
}

function boundProblems(ours: JSONSchemaProps, up: JSONSchemaProps): string[] {
  const out: string[] = [];
  const check = (key: string, stricter: (o: number, u: number) => boolean) => {
    const u = up[key] as number | undefined;
    const o = ours[key] as number | undefined;
    if (u !== undefined && (o === undefined || !stricter(o, u))) {
      out.push(`${key} ${u} upstream, ${o ?? 'none'} here`);
    }
  };
  LOWER_BOUNDS.forEach(k => check(k, (o, u) => o >= u));
  UPPER_BOUNDS.forEach(k => check(k, (o, u) => o <= u));
  return out;
}

function valueProblems(ours: JSONSchemaProps, up: JSONSchemaProps): string[] {
  const out: string[] = [];
  if (typeOf(up) && typeOf(ours) !== typeOf(up)) {
    out.push(`type ${typeOf(ours) ?? 'any'} where upstream has ${typeOf(up)}`);
  }
  const missingRequired = (up.required ?? []).filter(
    r => !(ours.required ?? []).includes(r),
  );
  if (missingRequired.length > 0) {
    out.push(`does not require ${missingRequired.join(', ')}`);
  }
  if (up.enum) {
    const extra = (ours.enum ?? [undefined]).filter(
      v => !up.enum!.some(u => json(u) === json(v)),
    );
    if (extra.length > 0) out.push(`enum ${json(up.enum)} missing`);
  }
  if (up.pattern !== undefined && ours.pattern !== up.pattern) {
    out.push(`pattern ${json(up.pattern)} missing`);
  }
  if (ours.nullable === true && up.nullable !== true) {
    out.push('accepts null where upstream does not');
  }
  for (const key of COMBINATORS) {
    if (up[key] !== undefined && json(ours[key]) !== json(up[key])) {
      out.push(`${key} of upstream missing`);
    }
  }
  return [...out, ...boundProblems(ours, up)];
}

function celProblems(ours: JSONSchemaProps, up: JSONSchemaProps): string[] {
  type Rule = { rule: string; message?: string };
  const rules = (s: JSONSchemaProps) =>
    (s['x-kubernetes-validations'] ?? []) as Rule[];
  const have = new Set(rules(ours).map(r => r.rule));
  return rules(up)
    .filter(r => !have.has(r.rule))
    .map(r => `CEL rule missing: ${r.rule}`);
}

function childOf(s: JSONSchemaProps, key: string): JSONSchemaProps | undefined {
  if (s.properties?.[key]) return s.properties[key];
  return typeof s.additionalProperties === 'object'
    ? s.additionalProperties
    : undefined;
}

function childProblems(
  ours: JSONSchemaProps,
  up: JSONSchemaProps,
  path: string,
): Looseness[] {
  const out: Looseness[] = [];
  for (const [key, child] of Object.entries(ours.properties ?? {})) {
    out.push(...compare(child, childOf(up, key), `${path}.${key}`));
  }
  if (typeof ours.additionalProperties === 'object') {
    out.push(
      ...compare(
        ours.additionalProperties,
        typeof up.additionalProperties === 'object'
          ? up.additionalProperties
          : undefined,
        `${path}.*`,
      ),
    );
  }
  if (ours.items) out.push(...compare(ours.items, up.items, `${path}[]`));
  return out;
}

/** Where `ours` is looser than `up`, from the path given down. */
export function compare(
  ours: JSONSchemaProps,
  up: JSONSchemaProps | undefined,
  path: string,
): Looseness[] {
  if (!up) return [{ path, problem: 'upstream has no such field' }];
  const upstream = up;
  if (freeForm(upstream)) return [];
  if (freeForm(ours)) {
    return [{ path, problem: 'free-form where upstream is typed' }];
  }
  const problems = [
    ...valueProblems(ours, upstream),
    ...celProblems(ours, upstream),
  ];
  if (ours[PRESERVE] === true && upstream[PRESERVE] !== true) {
    problems.push('keeps unknown fields upstream rejects');
  }
  return [
    ...problems.map(problem => ({ path, problem })),
    ...childProblems(ours, upstream, path),
  ];
}
