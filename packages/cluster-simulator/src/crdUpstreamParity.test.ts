/*
 * The project's CRD copies (the CRD package's `crds/`, which the scaffolder
 * module validates generated manifests against and the simulator serves)
 * against the upstream CRDs they stand for: ours may be narrower (it lists
 * the fields the product writes or reads) but never looser there, or the
 * product would accept or simulate what a real cluster refuses.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import {
  crdDirectory,
  operatorCrdDirectory,
  type CustomResourceDefinition,
  type JSONSchemaProps,
} from './crds';
import { compare, type Looseness } from './__testUtils__/schemaLooseness';
import { upstreamCrd } from './testing/upstreamSchemas';

function crdsOf(
  dir: string,
): Array<{ file: string; crd: CustomResourceDefinition }> {
  return fs
    .readdirSync(dir)
    .filter(f => /\.ya?ml$/.test(f))
    .sort()
    .flatMap(file =>
      parseAllDocuments(fs.readFileSync(path.join(dir, file), 'utf8'))
        .map(d => d.toJS() as CustomResourceDefinition)
        .filter(crd => crd?.kind === 'CustomResourceDefinition')
        .map(crd => ({ file, crd })),
    );
}

/** Every object has these, whether or not a CRD's schema lists them. */
function withRootFields(schema: JSONSchemaProps): JSONSchemaProps {
  return {
    ...schema,
    properties: {
      apiVersion: { type: 'string' },
      kind: { type: 'string' },
      metadata: { type: 'object' },
      ...schema.properties,
    },
  };
}

/** Where our CRD is looser than upstream's, version by version. */
function loosenesses(crd: CustomResourceDefinition): Looseness[] {
  const upstream = upstreamCrd(crd.spec.group, crd.spec.names.kind);
  if (!upstream) return [{ path: '', problem: 'no upstream CRD' }];
  return crd.spec.versions
    .filter(v => v.served)
    .flatMap(v => {
      const up = upstream.spec.versions.find(u => u.name === v.name);
      if (!up?.served) {
        return [{ path: v.name, problem: 'version upstream does not serve' }];
      }
      return compare(
        v.schema?.openAPIV3Schema ?? {},
        withRootFields(up.schema?.openAPIV3Schema ?? {}),
        v.name,
      );
    });
}

/** Looseness kept on purpose, by file, with why. */
const KNOWN: Array<Looseness & { file: string; crd: string; reason: string }> =
  [
    {
      file: 'postgresql.cnpg.io_clusters.yaml',
      crd: 'clusters.postgresql.cnpg.io',
      path: 'v1.status.replicationLag',
      problem: 'upstream has no such field',
      reason:
        'real CloudNativePG never writes it (lag is the cnpg_pg_replication_lag metric); the simulated operator writes it and CloudNativePgProvider and statefulsets-common read it until they read the metric',
    },
  ];

const crds = crdsOf(crdDirectory());
const operatorCrds = crdsOf(operatorCrdDirectory());

describe('project CRDs against upstream', () => {
  it('finds the project CRDs', () => {
    expect(crds.length).toBeGreaterThanOrEqual(8);
  });

  it.each(crds.map(c => [c.file, c.crd.metadata.name, c.crd] as const))(
    '%s: %s is nowhere looser than upstream',
    (file, name, crd) => {
      const known = KNOWN.filter(k => k.file === file && k.crd === name).map(
        ({ path: p, problem }) => ({ path: p, problem }),
      );
      expect(loosenesses(crd)).toEqual(known);
    },
  );
});

// The simulator serves the databases' operators' CRDs open as a whole, on
// purpose: their upstream schemas run to tens of thousands of lines and are
// not copied into the project. What the product writes of those kinds is
// held to upstream instead (upstreamSchemas.test.ts for generated objects,
// operators/*.test.ts for the demo world's). Anything looser or different
// than "open as a whole" fails here.
describe('operator CRDs the simulator serves', () => {
  it.each(operatorCrds.map(c => [c.file, c.crd.metadata.name, c.crd] as const))(
    '%s: %s is open as a whole, and only that',
    (_file, _name, crd) => {
      const hasUpstream = upstreamCrd(crd.spec.group, crd.spec.names.kind);
      const expected = hasUpstream
        ? crd.spec.versions
            .filter(v => v.served)
            .map(v => ({
              path: v.name,
              problem: 'free-form where upstream is typed',
            }))
        : [{ path: '', problem: 'no upstream CRD' }];
      expect(loosenesses(crd)).toEqual(expected);
    },
  );
});
