/*
 * JSON-schema validation of custom resources against the project's CRD
 * definitions (the CRD package's `crds/` folder, the same files the demo
 * API server serves), as an API server with strict field validation
 * would check them: unknown fields and wrong types fail.
 */
import fs from 'node:fs';
import path from 'node:path';
import Ajv, { ErrorObject, ValidateFunction } from 'ajv';
import { parseAllDocuments } from 'yaml';
import { crdDirectory } from '@multicluster/backstage-plugin-statefulsets-crds';

type Schema = Record<string, any>;

interface Crd {
  spec: {
    group: string;
    names: { kind: string };
    versions: Array<{
      name: string;
      served: boolean;
      schema?: { openAPIV3Schema: Schema };
    }>;
  };
}

// Kubernetes structural schemas carry extensions plain JSON Schema does not
// know; translate the ones that change what is valid.
function structuralToJsonSchema(s: Schema): Schema {
  const out: Schema = {};
  if (s['x-kubernetes-int-or-string']) {
    out.type = ['integer', 'string'];
  } else if (s.type) {
    out.type = s.nullable ? [s.type, 'null'] : s.type;
  }
  for (const key of [
    'enum',
    'required',
    'minimum',
    'maximum',
    'pattern',
    'minItems',
    'maxItems',
    'minLength',
    'maxLength',
  ]) {
    if (s[key] !== undefined) out[key] = s[key];
  }
  if (s.properties) {
    out.properties = {};
    for (const [k, v] of Object.entries(s.properties)) {
      out.properties[k] = structuralToJsonSchema(v as Schema);
    }
  }
  if (s.items) out.items = structuralToJsonSchema(s.items);
  if (s.anyOf && !s['x-kubernetes-int-or-string']) {
    out.anyOf = s.anyOf.map(structuralToJsonSchema);
  }
  if (typeof s.additionalProperties === 'object') {
    out.additionalProperties = structuralToJsonSchema(s.additionalProperties);
  } else if (s.additionalProperties !== undefined) {
    out.additionalProperties = s.additionalProperties;
  } else if (s.properties && !s['x-kubernetes-preserve-unknown-fields']) {
    // Pruning drops unknown fields on a real server; here they are errors,
    // so a misspelt field is caught before it silently disappears.
    out.additionalProperties = false;
  }
  return out;
}

/** Validates custom resources against the CRDs of one folder. */
export class CrdSchemas {
  readonly #validators = new Map<string, ValidateFunction>();

  private constructor(validators: Map<string, ValidateFunction>) {
    this.#validators = validators;
  }

  /** Loads and compiles every CRD in the folder (the project's by default). */
  static load(folder: string = crdDirectory()): CrdSchemas {
    const ajv = new Ajv({ allErrors: true, strict: false });
    const validators = new Map<string, ValidateFunction>();
    for (const file of fs.readdirSync(folder).sort()) {
      if (!/\.ya?ml$/.test(file)) continue;
      const text = fs.readFileSync(path.join(folder, file), 'utf8');
      for (const doc of parseAllDocuments(text)) {
        const crd = doc.toJS() as Crd | null;
        if (!crd?.spec?.versions) continue;
        for (const v of crd.spec.versions) {
          if (!v.served || !v.schema) continue;
          validators.set(
            `${crd.spec.group}/${v.name}/${crd.spec.names.kind}`,
            ajv.compile(structuralToJsonSchema(v.schema.openAPIV3Schema)),
          );
        }
      }
    }
    return new CrdSchemas(validators);
  }

  /** True when a CRD in the folder defines this apiVersion and kind. */
  knows(apiVersion: string, kind: string): boolean {
    return this.#validators.has(`${apiVersion}/${kind}`);
  }

  /** The problems of one object as `path: message` lines; empty when valid. */
  validate(obj: { apiVersion: string; kind: string }): string[] {
    const validate = this.#validators.get(`${obj.apiVersion}/${obj.kind}`);
    if (!validate) {
      return [`no CRD defines ${obj.apiVersion} ${obj.kind}`];
    }
    if (validate(obj)) return [];
    return (validate.errors ?? [])
      .filter(e => e.keyword !== 'anyOf')
      .map((e: ErrorObject) => {
        const at = e.instancePath.replace(/^\//, '').replace(/\//g, '.');
        if (e.keyword === 'additionalProperties') {
          const field = String(e.params.additionalProperty);
          return `${at ? `${at}.` : ''}${field}: unknown field`;
        }
        return `${at || '(root)'}: ${e.message}`;
      });
  }
}
