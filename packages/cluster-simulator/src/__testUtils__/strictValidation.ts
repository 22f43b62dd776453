/*
 * Validates an object the way an upstream API server with strict field
 * validation would: built-in kinds against the Kubernetes 1.35 OpenAPI v3
 * documents, custom resources against the upstream CRD of their group,
 * version and kind, with the CRD's CEL rules run and its `set` and `map`
 * lists free of duplicates, kustomizations against the kustomize schema.
 * Unknown fields, wrong types, missing required fields, enums, patterns and
 * cheap formats are errors. The structural-schema conversion is the
 * simulator's own (crds.ts).
 */
import fs from 'node:fs';
import Ajv, { type ValidateFunction } from 'ajv';
import type { KubeObject } from '../controllers/types';
import {
  crdFieldErrors,
  toJsonSchema,
  validateAgainstCrd,
  type CrdFieldError,
  type CustomResourceDefinition,
  type JSONSchemaProps,
} from '../crds';
import {
  kubernetesOpenApi,
  upstreamCrd,
  upstreamSchemaPath,
} from '../testing/upstreamSchemas';
import { runCelRules, type UnevaluatedRule } from './celRules';
import { withFormatRules } from './formats';
import { listTypeErrors } from './listTypes';

/** What strict validation of one object found. */
export interface StrictResult {
  /** Which upstream schema the object was held to, if any. */
  schema: 'kubernetes' | 'crd' | 'kustomize' | 'none';
  errors: CrdFieldError[];
  celEvaluated: number;
  unevaluated: UnevaluatedRule[];
}

const OBJECT_META = 'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta';

const ajv = new Ajv({ allErrors: true, strict: false, validateFormats: false });
const builtinValidators = new Map<string, ValidateFunction | undefined>();

function splitApiVersion(apiVersion: string): [string, string] {
  const [group, version] = apiVersion.includes('/')
    ? apiVersion.split('/')
    : ['', apiVersion];
  return [group, version];
}

/** The component of a Kubernetes OpenAPI document that serves a kind. */
function componentName(
  schemas: Record<string, JSONSchemaProps>,
  apiVersion: string,
  kind: string,
): string | undefined {
  const [group, version] = splitApiVersion(apiVersion);
  return Object.keys(schemas).find(name =>
    (
      schemas[name]['x-kubernetes-group-version-kind'] as
        | Array<{ group: string; version: string; kind: string }>
        | undefined
    )?.some(g => g.group === group && g.version === version && g.kind === kind),
  );
}

/**
 * A validator for one component of the Kubernetes OpenAPI document of an
 * apiVersion (`kind` names the served kind, or `#Name` a component).
 */
function builtinValidator(
  apiVersion: string,
  kind: string,
): ValidateFunction | undefined {
  const key = `${apiVersion}\u0000${kind}`;
  if (!builtinValidators.has(key)) {
    const schemas = withFormatRules(
      kubernetesOpenApi(apiVersion)?.components.schemas,
    );
    let name: string | undefined = kind.slice(1);
    if (schemas && !kind.startsWith('#')) {
      name = componentName(schemas, apiVersion, kind);
    }
    builtinValidators.set(
      key,
      schemas && name
        ? ajv.compile({
            $defs: Object.fromEntries(
              Object.entries(schemas).map(([k, s]) => [k, toJsonSchema(s)]),
            ),
            $ref: `#/$defs/${name}`,
          })
        : undefined,
    );
  }
  return builtinValidators.get(key);
}

function run(validate: ValidateFunction, value: unknown): CrdFieldError[] {
  return validate(value) ? [] : crdFieldErrors(validate.errors ?? []);
}

function prefixed(prefix: string, errors: CrdFieldError[]): CrdFieldError[] {
  return errors.map(e => ({
    ...e,
    path: e.path ? `${prefix}.${e.path}` : prefix,
  }));
}

const checkedCrds = new Map<string, CustomResourceDefinition | undefined>();

/** The upstream CRD of a kind with its cheap formats' rules (cached). */
function checkedCrd(
  group: string,
  kind: string,
): CustomResourceDefinition | undefined {
  const key = `${group}/${kind}`;
  if (!checkedCrds.has(key)) {
    checkedCrds.set(key, withFormatRules(upstreamCrd(group, kind)));
  }
  return checkedCrds.get(key);
}

function validateCustomResource(obj: KubeObject): StrictResult {
  const [group, version] = splitApiVersion(obj.apiVersion);
  const crd = checkedCrd(group, obj.kind);
  if (!crd) {
    return { schema: 'none', errors: [], celEvaluated: 0, unevaluated: [] };
  }
  const schema = crd.spec.versions.find(v => v.name === version)?.schema
    ?.openAPIV3Schema;
  const errors = validateAgainstCrd(obj, [crd]);
  // A CRD's schema says `metadata: {type: object}`; the API server still
  // holds metadata to ObjectMeta.
  const meta = builtinValidator('v1', `#${OBJECT_META}`);
  if (meta && obj.metadata) {
    errors.push(...prefixed('metadata', run(meta, obj.metadata)));
  }
  const cel = schema
    ? runCelRules(schema, obj)
    : { violations: [], unevaluated: [], evaluated: 0 };
  return {
    schema: 'crd',
    errors: [
      ...errors,
      ...(schema ? listTypeErrors(schema, obj) : []),
      ...cel.violations,
    ],
    celEvaluated: cel.evaluated,
    unevaluated: cel.unevaluated,
  };
}

let kustomization: ValidateFunction | undefined;

/** A kustomization.yaml against the kustomize schema SchemaStore publishes. */
function validateKustomization(obj: KubeObject): StrictResult {
  kustomization ??= ajv.compile(
    JSON.parse(
      fs.readFileSync(
        upstreamSchemaPath('schemastore', 'kustomization.json'),
        'utf8',
      ),
    ),
  );
  return {
    schema: 'kustomize',
    errors: run(kustomization, obj),
    celEvaluated: 0,
    unevaluated: [],
  };
}

/**
 * Validates an object strictly against its upstream schema. Objects of a
 * kind no upstream schema describes come back with `schema: 'none'`.
 */
export function validateStrictly(obj: KubeObject): StrictResult {
  if (obj.kind === 'Kustomization' && obj.apiVersion.startsWith('kustomize.')) {
    return validateKustomization(obj);
  }
  const builtin = builtinValidator(obj.apiVersion, obj.kind);
  if (builtin) {
    return {
      schema: 'kubernetes',
      errors: run(builtin, obj),
      celEvaluated: 0,
      unevaluated: [],
    };
  }
  return validateCustomResource(obj);
}
