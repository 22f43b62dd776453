/*
 * The CustomResourceDefinitions this product relies on (Istio, KubeFed,
 * Karmada, MCS, CloudNativePG), kept once in the CRD package's `crds/` folder:
 * the simulator serves them and manifests are validated against their
 * OpenAPI v3 schemas the way an API server with strict field validation
 * would (unknown fields and wrong types are errors).
 */
import fs from 'node:fs';
import path from 'node:path';
import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import { parseAllDocuments } from 'yaml';
import { crdDirectory } from '@multicluster/backstage-plugin-statefulsets-crds';
import { operatorCrdDirectory } from './packageRoot';

export { crdDirectory, operatorCrdDirectory };

/** A structural OpenAPI v3 schema as written in a CRD. */
export interface JSONSchemaProps {
  type?: string;
  description?: string;
  properties?: Record<string, JSONSchemaProps>;
  additionalProperties?: JSONSchemaProps | boolean;
  items?: JSONSchemaProps;
  required?: string[];
  enum?: unknown[];
  anyOf?: JSONSchemaProps[];
  nullable?: boolean;
  [key: string]: unknown;
}

/** An `apiextensions.k8s.io/v1` CustomResourceDefinition, as parsed from YAML. */
export interface CustomResourceDefinition {
  apiVersion: 'apiextensions.k8s.io/v1';
  kind: 'CustomResourceDefinition';
  metadata: {
    name: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  };
  spec: {
    group: string;
    scope: 'Namespaced' | 'Cluster';
    names: {
      kind: string;
      listKind?: string;
      plural: string;
      singular?: string;
      shortNames?: string[];
      categories?: string[];
    };
    versions: Array<{
      name: string;
      served: boolean;
      storage: boolean;
      schema?: { openAPIV3Schema: JSONSchemaProps };
      subresources?: {
        status?: Record<string, never>;
        scale?: {
          specReplicasPath: string;
          statusReplicasPath: string;
          labelSelectorPath?: string;
        };
      };
      additionalPrinterColumns?: Array<{
        name: string;
        type: string;
        jsonPath: string;
        description?: string;
        format?: string;
        priority?: number;
      }>;
    }>;
  };
}

/** One validation problem, at a dotted field path such as `spec.replica.self`. */
export interface CrdFieldError {
  path: string;
  message: string;
}

let cached: CustomResourceDefinition[] | undefined;

/** Reads and parses every CRD of the CRD package's `crds/` folder (cached). */
export function loadCrds(): CustomResourceDefinition[] {
  if (cached) {
    return cached;
  }
  const result: CustomResourceDefinition[] = [];
  const dirs = [crdDirectory(), operatorCrdDirectory()].filter(dir =>
    fs.existsSync(dir),
  );
  const files = dirs.flatMap(dir =>
    fs
      .readdirSync(dir)
      .sort()
      .filter(file => /\.ya?ml$/.test(file))
      .map(file => ({ dir, file })),
  );
  for (const { dir, file } of files) {
    const text = fs.readFileSync(path.join(dir, file), 'utf8');
    for (const doc of parseAllDocuments(text)) {
      if (doc.errors.length > 0) {
        throw new Error(`Invalid YAML in ${file}: ${doc.errors[0].message}`);
      }
      const crd = doc.toJS() as CustomResourceDefinition | null;
      if (!crd) {
        continue;
      }
      if (crd.kind !== 'CustomResourceDefinition' || !crd.spec?.names?.kind) {
        throw new Error(`${file} does not hold a CustomResourceDefinition`);
      }
      result.push(crd);
    }
  }
  cached = result;
  return result;
}

/** Finds the CRD that defines an object's apiVersion (group/version) and kind. */
export function findCrd(
  apiVersion: string,
  kind: string,
  crds: CustomResourceDefinition[] = loadCrds(),
): CustomResourceDefinition | undefined {
  const group = apiVersion.includes('/') ? apiVersion.split('/')[0] : '';
  return crds.find(c => c.spec.group === group && c.spec.names.kind === kind);
}

/** What an `x-kubernetes-embedded-resource` object has whether or not listed. */
const EMBEDDED_FIELDS: Record<string, JSONSchemaProps> = {
  apiVersion: { type: 'string' },
  kind: { type: 'string' },
  metadata: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
};

/**
 * Rewrites a Kubernetes structural schema into plain JSON Schema: objects
 * with declared properties reject unknown fields unless they preserve them,
 * int-or-string and nullable become unions, embedded resources accept
 * apiVersion, kind and metadata, Kubernetes extensions drop out. A `$ref` to
 * an OpenAPI v3 component (`#/components/schemas/X`) becomes `#/$defs/X`.
 * Objects are closed unless `closed` is false, as in the value-validation
 * branches of anyOf, allOf, oneOf and not.
 */
export function toJsonSchema(
  schema: JSONSchemaProps,
  closed = true,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const preserve = schema['x-kubernetes-preserve-unknown-fields'] === true;
  if (typeof schema.$ref === 'string') {
    out.$ref = schema.$ref.replace('#/components/schemas/', '#/$defs/');
  }
  if (schema['x-kubernetes-int-or-string'] === true) {
    out.type = ['integer', 'string'];
  } else if (schema.type) {
    out.type = schema.nullable ? [schema.type, 'null'] : schema.type;
  }
  for (const key of [
    'enum',
    'required',
    'minimum',
    'maximum',
    'minLength',
    'maxLength',
    'minItems',
    'maxItems',
    'pattern',
  ]) {
    if (schema[key] !== undefined) {
      if (key === 'pattern') {
        out.pattern = jsPattern(String(schema.pattern));
        continue;
      }
      out[key] =
        key === 'enum' && schema.nullable
          ? [...(schema.enum ?? []), null]
          : schema[key];
    }
  }
  if (schema.properties) {
    out.properties = Object.fromEntries(
      Object.entries({
        ...(schema['x-kubernetes-embedded-resource'] === true
          ? EMBEDDED_FIELDS
          : {}),
        ...schema.properties,
      }).map(([k, v]) => [k, toJsonSchema(v, closed)]),
    );
  }
  if (schema.items) {
    out.items = toJsonSchema(schema.items, closed);
  }
  // Branches of anyOf, allOf, oneOf and not only validate values: the
  // properties they name declare no structure, so they close no object.
  const branch = (s: JSONSchemaProps) => toJsonSchema(s, false);
  if (schema.anyOf && schema['x-kubernetes-int-or-string'] !== true) {
    out.anyOf = schema.anyOf.map(branch);
  }
  for (const key of ['allOf', 'oneOf'] as const) {
    const list = schema[key] as JSONSchemaProps[] | undefined;
    if (list) out[key] = list.map(branch);
  }
  if (schema.not) out.not = branch(schema.not as JSONSchemaProps);
  if (typeof schema.additionalProperties === 'object') {
    out.additionalProperties = toJsonSchema(
      schema.additionalProperties,
      closed,
    );
  } else if (typeof schema.additionalProperties === 'boolean') {
    out.additionalProperties = schema.additionalProperties;
  } else if (closed && schema.properties && !preserve) {
    out.additionalProperties = false;
  }
  return out;
}

const ajv = new Ajv({ allErrors: true, strict: false, validateFormats: false });
/** Compiled validators by the schema they were compiled from (never by name: two CRDs may share one). */
const validators = new WeakMap<JSONSchemaProps, ValidateFunction>();

/**
 * The fields every object has whatever its CRD's schema lists: the API
 * server reads and checks them itself.
 */
const ROOT_FIELDS: Record<string, Record<string, unknown>> = {
  apiVersion: { type: 'string' },
  kind: { type: 'string' },
  metadata: { type: 'object' },
};

function validatorFor(
  crd: CustomResourceDefinition,
  version: string,
): ValidateFunction | undefined {
  const schema = crd.spec.versions.find(v => v.name === version)?.schema
    ?.openAPIV3Schema;
  if (!schema) {
    return undefined;
  }
  let validate = validators.get(schema);
  if (!validate) {
    const root = toJsonSchema(schema);
    if (root.properties) {
      root.properties = {
        ...ROOT_FIELDS,
        ...(root.properties as Record<string, unknown>),
      };
    }
    validate = ajv.compile(root);
    validators.set(schema, validate);
  }
  return validate;
}

/**
 * A CRD's `pattern` (Go's RE2 syntax) as a JavaScript pattern in Unicode
 * mode, which refuses identity escapes of characters that need none
 * (`\ `, `\:`): those become the character itself.
 */
export function jsPattern(pattern: string): string {
  return pattern.replace(/\\(\\|[^A-Za-z0-9^$.*+?()[\]{}|/-])/g, (m, c) =>
    c === '\\' ? m : c,
  );
}

function fieldPath(pointer: string): string {
  return pointer
    .split('/')
    .slice(1)
    .map(p => p.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map(p => (/^\d+$/.test(p) ? `[${p}]` : `.${p}`))
    .join('')
    .replace(/^\./, '');
}

function describe(error: ErrorObject): CrdFieldError {
  const base = fieldPath(error.instancePath);
  const join = (child: string) => (base ? `${base}.${child}` : child);
  switch (error.keyword) {
    case 'additionalProperties': {
      const field = String(error.params.additionalProperty);
      return { path: join(field), message: `unknown field "${field}"` };
    }
    case 'required': {
      const field = String(error.params.missingProperty);
      return { path: join(field), message: 'Required value' };
    }
    case 'enum':
      return {
        path: base,
        message: `Unsupported value: supported values: ${(
          error.params.allowedValues as unknown[]
        )
          .map(v => JSON.stringify(v))
          .join(', ')}`,
      };
    default:
      return { path: base, message: error.message ?? error.keyword };
  }
}

/**
 * Validates an object against the CRD of its apiVersion/kind. Returns the
 * field errors, empty when valid or when no CRD of the package defines the
 * kind (built-in kinds are not checked here).
 */
export function validateAgainstCrd(
  obj: unknown,
  crds: CustomResourceDefinition[] = loadCrds(),
): CrdFieldError[] {
  if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) {
    return [{ path: '', message: 'expected an object' }];
  }
  const { apiVersion, kind } = obj as { apiVersion?: unknown; kind?: unknown };
  if (typeof apiVersion !== 'string' || typeof kind !== 'string') {
    return [
      { path: 'apiVersion', message: 'apiVersion and kind are required' },
    ];
  }
  const crd = findCrd(apiVersion, kind, crds);
  if (!crd) {
    return [];
  }
  const version = apiVersion.split('/')[1];
  const served = crd.spec.versions.find(v => v.name === version && v.served);
  if (!served) {
    return [
      {
        path: 'apiVersion',
        message: `version "${version}" of ${
          crd.metadata.name
        } is not served; served: ${crd.spec.versions
          .filter(v => v.served)
          .map(v => v.name)
          .join(', ')}`,
      },
    ];
  }
  const validate = validatorFor(crd, version);
  if (!validate || validate(obj)) {
    return [];
  }
  return crdFieldErrors(validate.errors ?? []);
}

/** Ajv's errors as field errors, each reported once. */
export function crdFieldErrors(ajvErrors: ErrorObject[]): CrdFieldError[] {
  const errors = ajvErrors
    // anyOf reports each failed branch and then itself; the branches repeat it.
    .filter(e => e.keyword !== 'anyOf')
    .map(describe);
  const seen = new Set<string>();
  return errors.filter(e => {
    const key = `${e.path}\u0000${e.message}`;
    if (seen.has(key)) {
      return false;
    }
    seen.add(key);
    return true;
  });
}
