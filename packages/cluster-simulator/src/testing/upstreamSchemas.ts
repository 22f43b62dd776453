/*
 * The upstream schemas the tests hold the product to (Kubernetes 1.35
 * OpenAPI v3, the CRDs of CloudNativePG, Istio, Karmada, KubeFed, MCS and the
 * databases' operators). They are not part of the project: tests read them
 * from the folder UPSTREAM_SCHEMAS names, by default the workplace's copy.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import type { CustomResourceDefinition, JSONSchemaProps } from '../crds';

/** The folder holding the upstream schemas. */
export function upstreamSchemasDir(): string {
  return process.env.UPSTREAM_SCHEMAS ?? '/work/shared/upstream-schemas';
}

/** A path inside the upstream schemas folder. */
export function upstreamSchemaPath(...parts: string[]): string {
  return path.join(upstreamSchemasDir(), ...parts);
}

function yamlFilesUnder(dir: string): string[] {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .flatMap(e => {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) return yamlFilesUnder(p);
      return /\.ya?ml$/.test(e.name) ? [p] : [];
    })
    .sort();
}

const parsed = new Map<string, CustomResourceDefinition[]>();

function crdsIn(file: string): CustomResourceDefinition[] {
  if (!parsed.has(file)) {
    parsed.set(
      file,
      parseAllDocuments(fs.readFileSync(file, 'utf8'))
        .map(d => d.toJS() as CustomResourceDefinition | null)
        .filter(d => d?.kind === 'CustomResourceDefinition')
        .map(d => d as CustomResourceDefinition),
    );
  }
  return parsed.get(file)!;
}

const byKind = new Map<string, CustomResourceDefinition | undefined>();

/**
 * KubeFed ships no static CRDs: `kubefedctl enable` builds each federated
 * type's CRD from one schema (template, placement, overrides), adding
 * `retainReplicas` only for types with `spec.replicas`. The upstream folder
 * transcribes FederatedStatefulSet's; any other federated type is that
 * schema under its own kind, without `retainReplicas`.
 */
function kubefedTypeCrd(kind: string): CustomResourceDefinition | undefined {
  const base = upstreamCrd('types.kubefed.io', 'FederatedStatefulSet');
  if (!base || !/^Federated[A-Z]/.test(kind)) return undefined;
  const crd = structuredClone(base);
  crd.spec.names = { kind, plural: `${kind.toLowerCase()}s` };
  for (const v of crd.spec.versions) {
    delete v.schema?.openAPIV3Schema.properties?.spec?.properties
      ?.retainReplicas;
  }
  return crd;
}

/**
 * The upstream CRD of a group and kind, or undefined. Where two copies
 * define one kind, the first by path wins: the maintained MongoDB operator
 * sorts before its deprecated predecessor. Only files naming the kind are
 * parsed (some operator CRDs run to tens of thousands of lines). KubeFed's
 * federated types all share FederatedStatefulSet's schema.
 */
export function upstreamCrd(
  group: string,
  kind: string,
): CustomResourceDefinition | undefined {
  const key = `${group}/${kind}`;
  if (!byKind.has(key)) {
    const named = new RegExp(`^\\s*kind: ${kind}\\s*$`, 'm');
    byKind.set(
      key,
      yamlFilesUnder(upstreamSchemasDir())
        .filter(file => named.test(fs.readFileSync(file, 'utf8')))
        .flatMap(crdsIn)
        .find(c => c.spec.group === group && c.spec.names.kind === kind) ??
        (group === 'types.kubefed.io' ? kubefedTypeCrd(kind) : undefined),
    );
  }
  return byKind.get(key);
}

/** An OpenAPI v3 document of Kubernetes 1.35: its component schemas. */
export interface OpenApiDocument {
  components: { schemas: Record<string, JSONSchemaProps> };
}

const openApiDocs = new Map<string, OpenApiDocument | undefined>();

/**
 * The Kubernetes 1.35 OpenAPI v3 document serving an apiVersion (`v1`,
 * `apps/v1`, …), or undefined when the folder has none for it.
 */
export function kubernetesOpenApi(
  apiVersion: string,
): OpenApiDocument | undefined {
  if (!openApiDocs.has(apiVersion)) {
    const file = apiVersion.includes('/')
      ? upstreamSchemaPath('kubernetes', '1.35', 'apis', `${apiVersion}.json`)
      : upstreamSchemaPath('kubernetes', '1.35', 'api', `${apiVersion}.json`);
    openApiDocs.set(
      apiVersion,
      fs.existsSync(file)
        ? (JSON.parse(fs.readFileSync(file, 'utf8')) as OpenApiDocument)
        : undefined,
    );
  }
  return openApiDocs.get(apiVersion);
}
