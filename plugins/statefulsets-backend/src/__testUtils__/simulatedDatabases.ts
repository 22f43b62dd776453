/*
 * Databases in small simulated worlds (the demo world's operator- and
 * chart-run databases, or a test's own StatefulSets), read through the REST
 * API of a test backend that has the plugin, the simulated clusters' config
 * and a catalog holding the given entities.
 */
import { createServiceFactory } from '@backstage/backend-plugin-api';
import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import { JsonObject } from '@backstage/types';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { signalsServiceRef } from '@backstage/plugin-signals-node';
import {
  appConfigFor,
  RunningSimulator,
  startSimulator,
} from '@multicluster/cluster-simulator';
import fs from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import { parseAllDocuments } from 'yaml';
import { multiclusterStatefulsetsPlugin } from '../plugin';

/** The repository's root, where `examples/world/` lives. */
export const REPO_ROOT = path.join(
  path.dirname(require.resolve('@multicluster/cluster-simulator/package.json')),
  '..',
  '..',
);

/** The objects of one of the demo world's files for a cluster; none when the cluster has no such file. */
export function demoObjects(cluster: string, file: string): unknown[] {
  const full = path.join(REPO_ROOT, 'examples', 'world', cluster, file);
  if (!fs.existsSync(full)) return [];
  return parseAllDocuments(fs.readFileSync(full, 'utf8'))
    .map(d => d.toJS())
    .filter(Boolean);
}

/** A world of the named demo clusters with the operators installed and the demo files loaded. */
export function demoFilesWorld(options: {
  clusters: string[];
  operators: string[];
  files: string[];
}) {
  return {
    clusters: options.clusters.map(name => ({
      name,
      region: `${name}-1`,
      operators: options.operators,
      objects: [
        {
          apiVersion: 'v1',
          kind: 'Namespace',
          metadata: { name: 'databases' },
        },
        ...options.files.flatMap(f => demoObjects(name, f)),
      ],
    })),
  };
}

/** A database Component in the `databases` namespace, found by the given annotation. */
export function databaseEntity(
  name: string,
  engine: string,
  find: { selector: string } | { id: string },
): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: {
      name,
      namespace: 'default',
      annotations: {
        ...('selector' in find
          ? { 'backstage.io/kubernetes-label-selector': find.selector }
          : { 'backstage.io/kubernetes-id': find.id }),
        'backstage.io/kubernetes-namespace': 'databases',
        'multicluster-statefulsets/engine': engine,
      },
    },
    spec: {
      type: 'database',
      owner: 'group:default/database-platform',
      lifecycle: 'production',
    },
  };
}

/** Starts a world on free ports with fast readiness and reconciles, errors silenced. */
export function startQuietSimulator(
  world: Parameters<typeof startSimulator>[0]['world'],
): Promise<RunningSimulator> {
  return startSimulator({
    world,
    portBase: 0,
    adminPort: 0,
    readinessDelayMs: 20,
    tickMs: 100,
    onError: () => {},
  });
}

/** A test backend with the plugin, the simulated clusters and these catalog entities; stopped after `use`. */
export async function withBackend<T>(
  sim: RunningSimulator,
  entities: Entity[],
  use: (get: (path: string) => Promise<request.Response>) => Promise<T>,
  config: JsonObject = {},
): Promise<T> {
  const backend = await startTestBackend({
    features: [
      multiclusterStatefulsetsPlugin,
      mockServices.rootConfig.factory({
        data: { ...(appConfigFor(sim.clusters) as JsonObject), ...config },
      }),
      catalogServiceMock.factory({ entities }),
    ],
  });
  try {
    return await use(p => request(backend.server).get(p));
  } finally {
    await backend.stop();
  }
}

/**
 * A test backend with the plugin, the simulated clusters, an empty catalog,
 * discovery configured as given and signals that go nowhere.
 */
export function startDiscoveryBackend(
  sim: RunningSimulator,
  discovery: JsonObject,
) {
  const config = appConfigFor(sim.clusters) as any;
  config.multiclusterStatefulsets.discovery = discovery;
  return startTestBackend({
    features: [
      multiclusterStatefulsetsPlugin,
      mockServices.rootConfig.factory({ data: config }),
      catalogServiceMock.factory({ entities: [] }),
      createServiceFactory({
        service: signalsServiceRef,
        deps: {},
        factory: () => ({ async publish() {} }),
      }),
    ],
  });
}

/** The REST path of an entity's topology. */
export function topologyPath(name: string): string {
  return `/api/multicluster-statefulsets/entities/component/default/${name}/topology`;
}

/** Each cluster's role and workloads, and each replication link, in a shape tests compare. */
export function topologySummary(
  body: any,
  workload: (w: any) => unknown[] = w => [
    w.name,
    w.role,
    w.roleSource,
    w.replicas.ready,
  ],
) {
  return {
    clusters: (body.clusters ?? [])
      .filter((c: any) => c.workloads.length > 0)
      .map((c: any) => [c.name, c.role, c.workloads.map(workload)]),
    links: (body.replication ?? []).map((l: any) => [
      l.from,
      l.to,
      l.workload,
      l.provider,
      l.lagSeconds,
      l.reason,
    ]),
  };
}

/**
 * The body at `route` once `shape(body)` equals `expected`, or the last one
 * after ten seconds (the caller's `expect` then shows the difference).
 */
export async function bodyOnceShaped(
  get: (path: string) => Promise<request.Response>,
  route: string,
  shape: (body: any) => unknown,
  expected: unknown,
): Promise<any> {
  let body: any;
  for (let i = 0; i < 100; i++) {
    const res = await get(route);
    expect(res.status).toBe(200);
    body = res.body;
    if (JSON.stringify(shape(body)) === JSON.stringify(expected)) break;
    await new Promise(r => setTimeout(r, 100));
  }
  return body;
}
