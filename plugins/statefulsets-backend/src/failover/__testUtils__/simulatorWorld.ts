/*
 * Test fixtures for the failover engine: the demo world in the cluster
 * simulator with fast controllers, write clients for its clusters, a client
 * wrapper that fails chosen calls, and the live topology of an entity built
 * with the same pure functions the TopologyService uses.
 */
import { KubeConfig } from '@kubernetes/client-node';
import {
  buildTopology,
  ClusterObjects,
  ClusterSnapshot,
  emptyClusterObjects,
  EntityTopology,
  KubeObject,
  noTraffic,
  readEntityPolicy,
  readIstioTraffic,
  readServiceExportTraffic,
  replicationFromAnnotations,
  replicationFromCnpg,
} from '@multicluster/backstage-plugin-statefulsets-common';
import {
  ClusterWriteClient,
  ExecOptions,
  ExecResult,
  ExecTarget,
  FailoverSide,
  ResourceRef,
  WorkloadRef,
} from '@multicluster/backstage-plugin-statefulsets-node';
import {
  loadWorld,
  RunningSimulator,
  startSimulator,
  World,
} from '@multicluster/cluster-simulator';
import path from 'node:path';
import { ClusterRequestError } from '../../cluster/ClusterRequestError';
import { HttpClusterWriteClient } from '../HttpClusterWriteClient';

/** The demo entities' annotations, as in examples/databases.yaml. */
export const DEMO_ENTITIES: Record<string, Record<string, string>> = {
  'orders-mysql': {
    'backstage.io/kubernetes-id': 'orders-mysql',
    'backstage.io/kubernetes-namespace': 'databases',
    'multicluster-statefulsets/engine': 'mysql',
    'multicluster-statefulsets/strategy': 'active-passive',
    'multicluster-statefulsets/traffic': 'databases/orders-mysql',
    'multicluster-statefulsets/max-failover-lag': '5',
    'multicluster-statefulsets/allowed-regions': 'eu-*',
  },
  'billing-postgres': {
    'backstage.io/kubernetes-id': 'billing-postgres',
    'backstage.io/kubernetes-namespace': 'databases',
    'multicluster-statefulsets/engine': 'postgresql',
    'multicluster-statefulsets/strategy': 'active-passive',
    'multicluster-statefulsets/traffic': 'databases/billing-postgres',
    'multicluster-statefulsets/max-failover-lag': '5',
    'multicluster-statefulsets/allowed-regions': 'eu-*',
  },
  'media-shared': {
    'backstage.io/kubernetes-id': 'media-shared',
    'backstage.io/kubernetes-namespace': 'databases',
    'multicluster-statefulsets/engine': 'generic',
    'multicluster-statefulsets/strategy': 'active-active',
    'multicluster-statefulsets/traffic': 'databases/media-shared',
  },
  'sessions-mongodb': {
    'backstage.io/kubernetes-id': 'sessions-mongodb',
    'backstage.io/kubernetes-namespace': 'databases',
    'multicluster-statefulsets/engine': 'mongodb',
    'multicluster-statefulsets/strategy': 'active-active',
  },
};

/** The API groups of the demo's operator-run databases. */
const OPERATOR_GROUPS = new Set([
  'kafka.strimzi.io',
  'core.strimzi.io',
  'elasticsearch.k8s.elastic.co',
  'pxc.percona.com',
  'psmdb.percona.com',
  'acid.zalan.do',
  'mongodbcommunity.mongodb.com',
  'mysql.oracle.com',
]);

/**
 * Gives the demo's orders-mysql an image no engine emulator serves, so its
 * replication is what its annotations declare: a database nobody can exec
 * into, the generic provider's. On the emulated MySQL the generic
 * provider's annotations move no replication (as on a real MySQL), and a
 * second switchover would find the link broken.
 */
export function withoutOrdersEngine(world: World): void {
  for (const cluster of world.clusters) {
    for (const { object } of cluster.objects) {
      if (object.kind !== 'StatefulSet') continue;
      if (object.metadata.name !== 'orders-mysql') continue;
      for (const c of object.spec.template.spec.containers) {
        c.image = 'registry.internal/orders-db:8.4';
      }
    }
  }
}

/**
 * Starts the demo world with fast readiness, reconcile and lag updates,
 * without the operator-run databases (but the one operator `keep` names,
 * with the objects of its API groups).
 */
export async function startDemoWorld(
  options: {
    readinessDelayMs?: number;
    tickMs?: number;
    /** Changes the world before it starts. */
    edit?: (world: World) => void;
    keep?: { operator: string; apiGroups: string[] };
  } = {},
): Promise<RunningSimulator> {
  const world = loadWorld(
    path.resolve(__dirname, '../../../../../examples/world/world.yaml'),
  );
  world.replication = { ...world.replication, intervalMs: 100 };
  // The operator-run databases play no part in these tests; without their
  // controllers the simulator shares the test's event loop with less work.
  const { keep } = options;
  for (const cluster of world.clusters) {
    cluster.operators = (cluster.operators ?? []).filter(
      o => o === keep?.operator,
    );
    cluster.objects = cluster.objects.filter(o => {
      const group = o.object.apiVersion.split('/')[0];
      return !OPERATOR_GROUPS.has(group) || !!keep?.apiGroups.includes(group);
    });
  }
  options.edit?.(world);
  return startSimulator({
    world,
    portBase: 0,
    adminPort: 0,
    readinessDelayMs: options.readinessDelayMs ?? 20,
    tickMs: options.tickMs ?? 50,
    onError: () => undefined,
  });
}

/** Write clients for every simulated cluster. */
export function clientsFor(
  sim: RunningSimulator,
  timeoutMs = 5000,
): HttpClusterWriteClient[] {
  return sim.clusters.map(c => {
    const kc = new KubeConfig();
    kc.loadFromOptions({
      clusters: [{ name: c.name, server: c.url, skipTLSVerify: true }],
      users: [{ name: 'u', token: c.token }],
      contexts: [{ name: 'c', cluster: c.name, user: 'u' }],
      currentContext: 'c',
    });
    return HttpClusterWriteClient.fromKubeConfig(c.name, kc, { timeoutMs });
  });
}

/** The failover sides of one workload in the named clusters, each with its write client. */
export function sidesOf(
  sim: RunningSimulator,
  workload: WorkloadRef,
  clusters: string[],
  timeoutMs = 10_000,
): Record<string, FailoverSide> {
  const clients = clientsFor(sim, timeoutMs);
  return Object.fromEntries(
    clusters.map(cluster => [
      cluster,
      {
        cluster,
        client: clients.find(c => c.cluster === cluster)!,
        workload,
      },
    ]),
  );
}

/** A client that answers chosen calls with an HTTP error instead of passing them on. */
export class FaultyClient implements ClusterWriteClient {
  readonly cluster: string;
  /** Return a status to fail the call with it. */
  failWith?: (method: string, path: string) => number | undefined;
  readonly #inner: ClusterWriteClient;

  constructor(inner: ClusterWriteClient) {
    this.#inner = inner;
    this.cluster = inner.cluster;
  }

  #check(method: string, p: string) {
    const status = this.failWith?.(method, p);
    if (status) {
      throw new ClusterRequestError('error', `injected HTTP ${status}`, {
        statusCode: status,
      });
    }
  }

  pathOf(ref: ResourceRef): string {
    return this.#inner.pathOf(ref);
  }

  async get<T = any>(p: string): Promise<T | undefined> {
    this.#check('GET', p);
    return this.#inner.get<T>(p);
  }

  async mergePatch<T = any>(p: string, patch: unknown): Promise<T> {
    this.#check('PATCH', p);
    return this.#inner.mergePatch<T>(p, patch);
  }

  async create<T = any>(p: string, body: unknown): Promise<T> {
    this.#check('POST', p);
    return this.#inner.create<T>(p, body);
  }

  async delete(p: string): Promise<void> {
    this.#check('DELETE', p);
    return this.#inner.delete(p);
  }

  /** Fails as `EXEC` on the pod's exec path, e.g. `/api/v1/namespaces/databases/pods/orders-mysql-0/exec`. */
  async exec(
    target: ExecTarget,
    command: string[],
    options?: ExecOptions,
  ): Promise<ExecResult> {
    this.#check(
      'EXEC',
      `/api/v1/namespaces/${target.namespace}/pods/${target.pod}/exec`,
    );
    if (!this.#inner.exec) throw new Error(`${this.cluster} cannot exec`);
    return this.#inner.exec(target, command, options);
  }
}

const LISTS: Array<[keyof ClusterObjects, string]> = [
  ['statefulSets', '/apis/apps/v1/namespaces/databases/statefulsets'],
  ['pods', '/api/v1/namespaces/databases/pods'],
  [
    'virtualServices',
    '/apis/networking.istio.io/v1/namespaces/databases/virtualservices',
  ],
  [
    'destinationRules',
    '/apis/networking.istio.io/v1/namespaces/databases/destinationrules',
  ],
  ['cnpgClusters', '/apis/postgresql.cnpg.io/v1/namespaces/databases/clusters'],
  [
    'serviceExports',
    '/apis/multicluster.x-k8s.io/v1alpha1/namespaces/databases/serviceexports',
  ],
];

/**
 * The live topology of a demo entity, read through the write clients. With
 * `as`, the topology is built for another entity ref carrying the demo
 * entity's annotations: a decoy selecting someone else's database.
 */
export async function liveTopology(
  sim: RunningSimulator,
  clients: ClusterWriteClient[],
  name: string,
  decoy: { as?: string } = {},
): Promise<EntityTopology> {
  const annotations = DEMO_ENTITIES[name];
  const policy = readEntityPolicy(annotations);
  const selector = encodeURIComponent(`backstage.io/kubernetes-id=${name}`);
  const now = Date.now();
  const snapshots: ClusterSnapshot[] = await Promise.all(
    sim.clusters.map(async c => {
      const client = clients.find(x => x.cluster === c.name)!;
      const info = { name: c.name, region: c.region, zones: c.zones };
      try {
        const objects = emptyClusterObjects();
        for (const [key, p] of LISTS) {
          const list = await client.get<{ items: KubeObject[] }>(
            `${p}?labelSelector=${selector}`,
          );
          (objects as any)[key] = (list?.items ?? []).map(o => ({
            ...o,
            kind: o.kind ?? undefined,
          }));
        }
        return { info, objects };
      } catch (err) {
        return {
          info,
          error: { reason: 'unreachable' as const, message: String(err) },
        };
      }
    }),
  );
  const sts: Record<string, KubeObject[]> = {};
  const cnpg: Record<string, KubeObject[]> = {};
  const exportsByCluster: Record<string, KubeObject[]> = {};
  let traffic = noTraffic();
  for (const s of snapshots) {
    if (!s.objects) continue;
    sts[s.info.name] = s.objects.statefulSets;
    cnpg[s.info.name] = s.objects.cnpgClusters;
    exportsByCluster[s.info.name] = s.objects.serviceExports;
    const vs = s.objects.virtualServices.find(
      o => o.metadata.name === policy.traffic?.name,
    );
    if (vs && traffic.routing === 'none') {
      traffic = readIstioTraffic(vs, s.objects.destinationRules, s.info.name);
    }
  }
  if (traffic.routing === 'none') {
    traffic = readServiceExportTraffic(exportsByCluster);
  }
  const options = { now, maxLagSeconds: policy.maxFailoverLagSeconds };
  const replication = Object.values(cnpg).some(l => l.length)
    ? replicationFromCnpg(cnpg, options)
    : replicationFromAnnotations(sts, options);
  return buildTopology({
    entityRef: decoy.as ?? `component:default/${name}`,
    policy,
    snapshots,
    replication,
    traffic,
    now,
  });
}
