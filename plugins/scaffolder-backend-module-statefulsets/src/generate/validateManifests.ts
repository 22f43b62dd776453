/*
 * Checks every generated object before anything is written: built-in kinds
 * against the Kubernetes OpenAPI schemas (kubernetes-models), Istio kinds
 * against Istio's (@kubernetes-models/istio), and every kind a project CRD
 * defines (KubeFed, Karmada, MCS, CloudNativePG, Istio) against that CRD.
 */
import { InputError } from '@backstage/errors';
import path from 'node:path';
import type * as CoreV1 from 'kubernetes-models/v1';
import type * as AppsV1 from 'kubernetes-models/apps/v1';
import type * as BatchV1 from 'kubernetes-models/batch/v1';
import type * as PolicyV1 from 'kubernetes-models/policy/v1';
import type * as IstioV1 from '@kubernetes-models/istio/networking.istio.io/v1';
import { CrdSchemas } from './crdSchemas';
import { KubeObject } from './types';

// Every kubernetes-models class validates itself against its schema.
type ModelClass = new (data: any) => { validate(): void };

// The model packages are ES modules whose exports offer no `require`
// condition; loading their files by path lets CommonJS (the backend, and
// Jest, which transpiles them) use them all the same.
function loadEsm<T>(pkg: string, file: string): T {
  const root = path.dirname(require.resolve(`${pkg}/package.json`));
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require(path.join(root, file)) as T;
}

let models: Record<string, ModelClass> | undefined;

function loadModels(): Record<string, ModelClass> {
  if (!models) {
    const core = loadEsm<typeof CoreV1>('kubernetes-models', 'v1/index.js');
    const apps = loadEsm<typeof AppsV1>(
      'kubernetes-models',
      'apps/v1/index.js',
    );
    const batch = loadEsm<typeof BatchV1>(
      'kubernetes-models',
      'batch/v1/index.js',
    );
    const policy = loadEsm<typeof PolicyV1>(
      'kubernetes-models',
      'policy/v1/index.js',
    );
    const istio = loadEsm<typeof IstioV1>(
      '@kubernetes-models/istio',
      'networking.istio.io/v1/index.js',
    );
    models = {
      'v1/ConfigMap': core.ConfigMap,
      'v1/Service': core.Service,
      'v1/PersistentVolume': core.PersistentVolume,
      'v1/PersistentVolumeClaim': core.PersistentVolumeClaim,
      'apps/v1/StatefulSet': apps.StatefulSet,
      // Kafka's MirrorMaker 2 runs beside the brokers.
      'apps/v1/Deployment': apps.Deployment,
      // Elasticsearch's cross-cluster replication setup.
      'batch/v1/Job': batch.Job,
      'policy/v1/PodDisruptionBudget': policy.PodDisruptionBudget,
      'networking.istio.io/v1/VirtualService': istio.VirtualService,
      'networking.istio.io/v1/DestinationRule': istio.DestinationRule,
      'networking.istio.io/v1/ServiceEntry': istio.ServiceEntry,
    };
  }
  return models;
}

let crds: CrdSchemas | undefined;

function modelErrors(Model: ModelClass, object: KubeObject): string[] {
  try {
    new Model(object).validate();
    return [];
  } catch (e) {
    const details = (
      e as { errors?: Array<{ instancePath?: string; message?: string }> }
    ).errors;
    if (Array.isArray(details) && details.length > 0) {
      return details.map(
        d =>
          `${
            (d.instancePath ?? '').replace(/^\//, '').replace(/\//g, '.') ||
            '(root)'
          }: ${d.message}`,
      );
    }
    return [(e as Error).message];
  }
}

/** The schema problems of one object, as `field: message` lines; empty when valid. */
export function validateObject(object: KubeObject): string[] {
  crds ??= CrdSchemas.load();
  const key = `${object.apiVersion}/${object.kind}`;
  const model = loadModels()[key];
  const known = crds.knows(object.apiVersion, object.kind);
  if (!model && !known) {
    return [`no schema is known for ${key}`];
  }
  return [
    ...(model ? modelErrors(model, object) : []),
    ...(known ? crds.validate(object) : []),
  ];
}

/** Throws an InputError listing every invalid object and field. */
export function validateManifests(
  objects: Array<{ path: string; object: KubeObject }>,
): void {
  const problems: string[] = [];
  for (const { path: file, object } of objects) {
    for (const p of validateObject(object)) {
      problems.push(`${file} (${object.kind} ${object.metadata.name}) ${p}`);
    }
  }
  if (problems.length > 0) {
    throw new InputError(
      `The generated manifests fail schema validation; nothing was written: ${problems.join(
        '; ',
      )}`,
    );
  }
}
