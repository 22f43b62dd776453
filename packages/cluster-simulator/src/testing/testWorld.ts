/*
 * Small worlds and helpers shared by the simulator's own tests.
 */
import type { KubeObject } from '../controllers/types';
import {
  RunningSimulator,
  SimulatorOptions,
  startSimulator,
} from '../simulator';

/** A StatefulSet of the demo shape. */
export function statefulSet(
  name: string,
  opts: {
    replicas?: number;
    start?: number;
    annotations?: Record<string, string>;
  } = {},
): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: {
      name,
      namespace: 'databases',
      labels: { 'backstage.io/kubernetes-id': name },
      annotations: opts.annotations,
    },
    spec: {
      replicas: opts.replicas ?? 2,
      ...(opts.start ? { ordinals: { start: opts.start } } : {}),
      serviceName: name,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name, 'backstage.io/kubernetes-id': name } },
        spec: {
          containers: [
            {
              name: 'mysql',
              image: 'mysql:8.4',
              ports: [{ containerPort: 3306, name: 'mysql' }],
            },
          ],
        },
      },
      volumeClaimTemplates: [
        {
          metadata: { name: 'data' },
          spec: {
            accessModes: ['ReadWriteOnce'],
            storageClassName: 'fast',
            resources: { requests: { storage: '10Gi' } },
          },
        },
      ],
    },
  };
}

/** A two-cluster world with one database replicated from eu-central to eu-west. */
export function twoClusterWorld(): Record<string, unknown> {
  return {
    clusters: [
      {
        name: 'eu-central',
        region: 'eu-central-1',
        objects: [
          {
            apiVersion: 'v1',
            kind: 'Namespace',
            metadata: { name: 'databases' },
          },
          statefulSet('orders-db', {
            annotations: { 'multicluster-statefulsets/role': 'active' },
          }),
        ],
      },
      {
        name: 'eu-west',
        region: 'eu-west-1',
        replication: { intervalMs: 100, fixedLagSeconds: 0.5 },
        objects: [
          statefulSet('orders-db', {
            start: 10,
            annotations: {
              'multicluster-statefulsets/role': 'passive',
              'multicluster-statefulsets/replication-source': 'eu-central',
            },
          }),
        ],
      },
    ],
  };
}

/** One cluster with a one-replica orders-db, plus `extra` cluster settings. */
export function oneClusterWorld(
  extra: Record<string, unknown> = {},
  objects: KubeObject[] = [],
): Record<string, unknown> {
  return {
    clusters: [
      {
        name: 'eu-central',
        region: 'eu-central-1',
        ...extra,
        objects: [
          {
            apiVersion: 'v1',
            kind: 'Namespace',
            metadata: { name: 'databases' },
          },
          statefulSet('orders-db', { replicas: 1 }),
          ...objects,
        ],
      },
    ],
  };
}

/** Starts a world on free ports with fast controllers. */
export function startTestSimulator(
  world: SimulatorOptions['world'] = twoClusterWorld(),
  extra: Partial<SimulatorOptions> = {},
): Promise<RunningSimulator> {
  return startSimulator({
    world,
    portBase: 0,
    adminPort: 0,
    readinessDelayMs: 20,
    tickMs: 100,
    onError: () => {},
    ...extra,
  });
}

/** Waits until a pod of a running simulator is Running. */
export function podRunning(
  sim: RunningSimulator,
  cluster: string,
  pod: string,
  namespace = 'databases',
): Promise<boolean> {
  return eventually(
    () =>
      sim.stores.get(cluster)?.peek('', 'Pod', namespace, pod)?.status
        ?.phase === 'Running',
  );
}

/** Polls until `fn` returns a truthy value (or throws the last failure). */
export async function eventually<T>(
  fn: () => T | Promise<T>,
  timeoutMs = 5000,
  stepMs = 50,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
      last = new Error('condition not met');
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) throw last;
    await new Promise(r => setTimeout(r, stepMs));
  }
}
