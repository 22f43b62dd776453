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
  type CustomResourceDefinition,
  type JSONSchemaProps,
} from './crds';
import { compare, type Looseness } from './__testUtils__/schemaLooseness';
import { upstreamCrd } from './testing/upstreamSchemas';

function projectCrds(): Array<{ file: string; crd: CustomResourceDefinition }> {
  const dir = crdDirectory();
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
const KNOWN: Array<Looseness & { file: string; reason: string }> = [
  {
    file: 'postgresql.cnpg.io_clusters.yaml',
    path: 'v1.status.replicationLag',
    problem: 'upstream has no such field',
    reason:
      'real CloudNativePG never writes it (lag is the cnpg_pg_replication_lag metric); the simulated operator writes it and CloudNativePgProvider and statefulsets-common read it until they read the metric',
  },
];

const crds = projectCrds();

describe('project CRDs against upstream', () => {
  it('finds the project CRDs', () => {
    expect(crds.length).toBeGreaterThanOrEqual(8);
  });

  it.each(crds.map(c => [c.file, c.crd] as const))(
    '%s is nowhere looser than upstream',
    (file, crd) => {
      const known = KNOWN.filter(k => k.file === file).map(
        ({ path: p, problem }) => ({ path: p, problem }),
      );
      expect(loosenesses(crd)).toEqual(known);
    },
  );
});
