/*
 * Admission-time checks of written objects: names and labels, the few
 * structural rules of the built-in kinds this product writes, CRD schemas
 * (ajv), and unknown fields for `fieldValidation` (Strict, Warn, Ignore).
 */
import Ajv, { type ValidateFunction } from 'ajv';
import type { KubeObject } from '../controllers/types';
import type { ResourceType } from './resources';
import { builtinSchema } from './schemas';
import { fromSelectorObject, matchesLabels } from './selectors';
import type { StatusCause } from './status';
import { podSpecErrors, statefulSetTemplateErrors } from './podValidation';

const DNS_SUBDOMAIN =
  /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const LABEL_KEY_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;

/** Whether a label key is a valid (optionally prefixed) qualified name. */
export function labelKeyValid(k: string): boolean {
  const parts = k.split('/');
  if (parts.length > 2) return false;
  const name = parts[parts.length - 1];
  if (!name || name.length > 63 || !LABEL_KEY_NAME.test(name)) return false;
  if (
    parts.length === 2 &&
    (parts[0].length > 253 || !DNS_SUBDOMAIN.test(parts[0]))
  )
    return false;
  return true;
}

/** Whether a label value is valid: empty, or up to 63 name characters. */
export function labelValueValid(v: unknown): boolean {
  return typeof v === 'string' && v.length <= 63 && LABEL_VALUE.test(v);
}

/** Schema for an object type: the CRD's, or the compact built-in one. */
export function schemaOf(t: ResourceType): any {
  return t.builtin ? builtinSchema(t.group, t.kind) : t.schema;
}

/** Dotted paths of fields the schema does not declare. */
export function unknownFields(
  schema: any,
  value: unknown,
  path = '',
): string[] {
  if (
    !schema ||
    (schema['x-kubernetes-preserve-unknown-fields'] === true &&
      !schema.properties)
  ) {
    return [];
  }
  if (Array.isArray(value)) {
    if (!schema.items) return [];
    return value.flatMap((v, i) =>
      unknownFields(schema.items, v, `${path}[${i}]`),
    );
  }
  if (typeof value !== 'object' || value === null) return [];
  const out: string[] = [];
  const props = schema.properties as Record<string, any> | undefined;
  for (const [k, v] of Object.entries(value)) {
    const p = path ? `${path}.${k}` : k;
    if (props && props[k]) out.push(...unknownFields(props[k], v, p));
    else if (
      schema.additionalProperties &&
      typeof schema.additionalProperties === 'object'
    ) {
      out.push(...unknownFields(schema.additionalProperties, v, p));
    } else if (
      props &&
      schema['x-kubernetes-preserve-unknown-fields'] !== true &&
      !schema.additionalProperties
    ) {
      out.push(p);
    }
  }
  return out;
}

/** Removes undeclared fields, as the API server prunes custom resources. */
export function prune(obj: KubeObject, schema: any): KubeObject {
  for (const f of unknownFields(schema, obj)) {
    const segs = f.match(/[^.[\]]+/g) ?? [];
    let cur: any = obj;
    for (let i = 0; i < segs.length - 1 && cur; i++) cur = cur[segs[i]];
    if (cur && typeof cur === 'object') delete cur[segs[segs.length - 1]];
  }
  return obj;
}

const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false });
const compiled = new WeakMap<object, ValidateFunction>();

function crdErrors(schema: any, obj: KubeObject): StatusCause[] {
  if (!schema) return [];
  let fn = compiled.get(schema);
  if (!fn) {
    try {
      fn = ajv.compile(schema);
    } catch {
      return [];
    }
    compiled.set(schema, fn);
  }
  if (fn(obj)) return [];
  return (fn.errors ?? [])
    .filter(
      e =>
        !(e.keyword === 'type' && e.params?.type === 'object' && obj === null),
    )
    .map(e => {
      const base = e.instancePath
        .replace(/^\//, '')
        .replace(/\/(\d+)(?=\/|$)/g, '[$1]')
        .replace(/\//g, '.');
      if (e.keyword === 'required') {
        const f = base
          ? `${base}.${e.params.missingProperty}`
          : e.params.missingProperty;
        return {
          field: f,
          message: 'Required value',
          reason: 'FieldValueRequired',
        };
      }
      if (e.keyword === 'enum') {
        return {
          field: base,
          message: `Unsupported value: ${JSON.stringify(
            getPath(obj, base),
          )}: supported values: ${(e.params.allowedValues ?? [])
            .map((v: unknown) => JSON.stringify(v))
            .join(', ')}`,
          reason: 'FieldValueNotSupported',
        };
      }
      return {
        field: base,
        message: `Invalid value: ${JSON.stringify(
          getPath(obj, base),
        )}: ${base} in body ${e.message}`,
        reason: 'FieldValueInvalid',
      };
    });
}

function getPath(obj: any, path: string): unknown {
  let cur = obj;
  for (const s of path.match(/[^.[\]]+/g) ?? []) cur = cur?.[s];
  return cur;
}

/** Field errors of an object about to be stored (empty when valid). */
export function validateObject(
  t: ResourceType,
  obj: KubeObject,
): StatusCause[] {
  const causes: StatusCause[] = [];
  const name = obj.metadata?.name;
  if (!name && !obj.metadata?.generateName) {
    causes.push({
      field: 'metadata.name',
      message: 'Required value: name or generateName is required',
      reason: 'FieldValueRequired',
    });
  } else if (name && (name.length > 253 || !DNS_SUBDOMAIN.test(name))) {
    causes.push({
      field: 'metadata.name',
      message: `Invalid value: "${name}": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character`,
      reason: 'FieldValueInvalid',
    });
  }
  for (const [k, v] of Object.entries(obj.metadata?.labels ?? {})) {
    if (!labelKeyValid(k)) {
      causes.push({
        field: 'metadata.labels',
        message: `Invalid value: "${k}": name part must consist of alphanumeric characters, '-', '_' or '.'`,
        reason: 'FieldValueInvalid',
      });
    }
    if (!labelValueValid(v)) {
      causes.push({
        field: `metadata.labels`,
        message: `Invalid value: "${v}": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character`,
        reason: 'FieldValueInvalid',
      });
    }
  }
  for (const [k, v] of Object.entries(obj.metadata?.annotations ?? {})) {
    if (typeof v !== 'string') {
      causes.push({
        field: `metadata.annotations.${k}`,
        message: 'Invalid value: annotation values must be strings',
        reason: 'FieldValueInvalid',
      });
    }
  }
  if (!t.builtin) causes.push(...crdErrors(t.schema, obj));
  const spec = obj.spec ?? {};
  const checkContainers = (list: unknown, base: string) => {
    if (!Array.isArray(list) || list.length === 0) {
      causes.push({
        field: base,
        message: 'Required value',
        reason: 'FieldValueRequired',
      });
      return;
    }
    list.forEach((c: any, i: number) => {
      if (!c?.name)
        causes.push({
          field: `${base}[${i}].name`,
          message: 'Required value',
          reason: 'FieldValueRequired',
        });
      if (!c?.image)
        causes.push({
          field: `${base}[${i}].image`,
          message: 'Required value',
          reason: 'FieldValueRequired',
        });
    });
  };
  if (
    t.builtin &&
    ['StatefulSet', 'Deployment', 'ReplicaSet', 'DaemonSet'].includes(t.kind)
  ) {
    if (!spec.selector) {
      causes.push({
        field: 'spec.selector',
        message: 'Required value',
        reason: 'FieldValueRequired',
      });
    } else if (
      !matchesLabels(
        fromSelectorObject(spec.selector),
        spec.template?.metadata?.labels,
      )
    ) {
      causes.push({
        field: 'spec.template.metadata.labels',
        message: `Invalid value: ${JSON.stringify(
          spec.template?.metadata?.labels ?? {},
        )}: \`selector\` does not match template \`labels\``,
        reason: 'FieldValueInvalid',
      });
    }
    if (
      spec.replicas !== undefined &&
      (!Number.isInteger(spec.replicas) || spec.replicas < 0)
    ) {
      causes.push({
        field: 'spec.replicas',
        message: `Invalid value: ${JSON.stringify(
          spec.replicas,
        )}: must be greater than or equal to 0`,
        reason: 'FieldValueInvalid',
      });
    }
    checkContainers(
      spec.template?.spec?.containers,
      'spec.template.spec.containers',
    );
  }
  if (
    t.builtin &&
    t.kind === 'StatefulSet' &&
    spec.podManagementPolicy &&
    !['OrderedReady', 'Parallel'].includes(spec.podManagementPolicy)
  ) {
    causes.push({
      field: 'spec.podManagementPolicy',
      message: `Unsupported value: "${spec.podManagementPolicy}": supported values: "OrderedReady", "Parallel"`,
      reason: 'FieldValueNotSupported',
    });
  }
  if (t.builtin && t.kind === 'StatefulSet')
    causes.push(...statefulSetTemplateErrors(obj));
  if (t.builtin && t.kind === 'Pod') causes.push(...podSpecErrors(spec));
  return causes;
}
