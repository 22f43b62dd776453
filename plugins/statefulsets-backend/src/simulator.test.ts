/*
 * Integration test against the cluster simulator: real Kubernetes API
 * semantics (discovery, list, watch, resourceVersions, CRDs), with faults
 * injected through its admin API.
 */
import { createServiceFactory } from '@backstage/backend-plugin-api';
import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { signalsServiceRef } from '@backstage/plugin-signals-node';
import {
  appConfigFor,
  RunningSimulator,
  startSimulator,
} from '@multicluster/cluster-simulator';
import request from 'supertest';
import { multiclusterStatefulsetsPlugin } from './plugin';

const DEADLINE_MS = 1500;
const TOPOLOGY =
  '/api/multicluster-statefulsets/entities/component/default/orders-db/topology';

function statefulSet(annotations: Record<string, string>, start = 0) {
  return {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: {
      name: 'orders-db',
      namespace: 'databases',
      labels: { 'backstage.io/kubernetes-id': 'orders-db' },
      annotations,
    },
    spec: {
      replicas: 2,
      ordinals: { start },
      serviceName: 'orders-db',
      selector: { matchLabels: { app: 'orders-db' } },
      template: {
        metadata: {
          labels: {
            app: 'orders-db',
            'backstage.io/kubernetes-id': 'orders-db',
          },
        },
        spec: { containers: [{ name: 'mysql', image: 'mysql:8.4' }] },
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

function clusterOf(
  name: string,
  region: string,
  objects: unknown[],
  extra = {},
) {
  return {
    name,
    region,
    objects: [
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'databases' } },
      ...objects,
    ],
    ...extra,
  };
}

/**
 * The route lives in its own namespace and carries none of the entity's
 * labels: only the entity's traffic annotation leads to it.
 */
const routes = [
  { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'routing' } },
  {
    apiVersion: 'networking.istio.io/v1',
    kind: 'DestinationRule',
    metadata: { name: 'orders-db', namespace: 'routing' },
    spec: {
      host: 'orders-db.databases.svc.cluster.local',
      subsets: [
        {
          name: 'central',
          labels: { 'topology.istio.io/cluster': 'eu-central' },
        },
        { name: 'west', labels: { 'topology.istio.io/cluster': 'eu-west' } },
      ],
    },
  },
  {
    apiVersion: 'networking.istio.io/v1',
    kind: 'VirtualService',
    metadata: { name: 'orders-db', namespace: 'routing' },
    spec: {
      hosts: ['orders-db.databases.svc.cluster.local'],
      tcp: [
        {
          route: [
            {
              destination: {
                host: 'orders-db.databases.svc.cluster.local',
                subset: 'central',
              },
              weight: 90,
            },
            {
              destination: {
                host: 'orders-db.databases.svc.cluster.local',
                subset: 'west',
              },
              weight: 10,
            },
          ],
        },
      ],
    },
  },
];

const world = {
  clusters: [
    clusterOf('eu-central', 'eu-central-1', [
      statefulSet({ 'multicluster-statefulsets/role': 'active' }),
      ...routes,
    ]),
    clusterOf(
      'eu-west',
      'eu-west-1',
      [
        statefulSet(
          {
            'multicluster-statefulsets/role': 'passive',
            'multicluster-statefulsets/replication-source': 'eu-central',
          },
          10,
        ),
      ],
      { replication: { intervalMs: 100, fixedLagSeconds: 0.5 } },
    ),
    clusterOf('down', 'us-east-1', [statefulSet({})]),
    clusterOf('hanging', 'us-east-1', [statefulSet({})]),
    clusterOf('unauthorised', 'us-east-1', [statefulSet({})]),
    clusterOf('garbage', 'us-east-1', [statefulSet({})]),
  ],
};

const entity: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: {
    name: 'orders-db',
    namespace: 'default',
    annotations: {
      'backstage.io/kubernetes-id': 'orders-db',
      'multicluster-statefulsets/allowed-regions': 'eu-*',
      'multicluster-statefulsets/traffic': 'routing/orders-db',
    },
  },
  spec: {
    type: 'database',
    owner: 'group:default/database-platform',
    lifecycle: 'production',
  },
};

describe('against the cluster simulator', () => {
  let sim: RunningSimulator;
  const published: Array<{ channel: string; message: any; at: number }> = [];

  beforeAll(async () => {
    sim = await startSimulator({
      world,
      portBase: 0,
      adminPort: 0,
      readinessDelayMs: 20,
      tickMs: 100,
      onError: () => {},
    });
    await sim.admin.setFaults('down', { down: true });
    await sim.admin.setFaults('hanging', { hang: true });
    await sim.admin.setFaults('unauthorised', { rejectTokens: true });
    await sim.admin.setFaults('garbage', { malformed: true });
  });

  afterAll(async () => {
    await sim?.stop();
  });

  async function startBackend() {
    const config = appConfigFor(sim.clusters) as any;
    config.multiclusterStatefulsets.requestTimeoutMs = DEADLINE_MS;
    config.multiclusterStatefulsets.backoffInitialMs = 100;
    config.multiclusterStatefulsets.backoffMaxMs = 500;
    return startTestBackend({
      features: [
        multiclusterStatefulsetsPlugin,
        mockServices.rootConfig.factory({ data: config }),
        catalogServiceMock.factory({ entities: [entity] }),
        createServiceFactory({
          service: signalsServiceRef,
          deps: {},
          factory: () => ({
            async publish(signal: any) {
              published.push({
                channel: signal.channel,
                message: signal.message,
                at: Date.now(),
              });
            },
          }),
        }),
      ],
    });
  }

  it('keeps faults local and answers within the deadline', async () => {
    const backend = await startBackend();
    try {
      const started = Date.now();
      const res = await request(backend.server).get(TOPOLOGY);
      expect(Date.now() - started).toBeLessThan(DEADLINE_MS + 500);
      expect(res.status).toBe(200);
      const byName = Object.fromEntries(
        res.body.clusters.map((c: any) => [c.name, c]),
      );
      expect(byName['eu-central'].reachable).toBe(true);
      expect(byName['eu-central'].region).toBe('eu-central-1');
      expect(byName['eu-central'].workloads[0].name).toBe('orders-db');
      expect(byName['eu-west'].workloads[0].ordinalsStart).toBe(10);
      expect(
        byName['eu-west'].workloads[0].pods.map((p: any) => p.ordinal),
      ).toEqual([10, 11]);
      expect(
        byName['eu-west'].workloads[0].volumes.map((v: any) => v.claimName),
      ).toEqual(['data-orders-db-10', 'data-orders-db-11']);
      expect(res.body.traffic).toEqual(
        expect.objectContaining({
          routing: 'istio',
          weights: { 'eu-central': 90, 'eu-west': 10 },
        }),
      );
      expect(byName.down.error.reason).toBe('unreachable');
      expect(byName.hanging.error.reason).toBe('timeout');
      expect(byName.unauthorised.error.reason).toBe('unauthorized');
      expect(byName.garbage.error.reason).toBe('malformed');
      for (const c of sim.clusters) {
        expect(JSON.stringify(res.body)).not.toContain(c.token);
      }
    } finally {
      await backend.stop();
    }
  });

  it('follows a change of the route named by the traffic annotation', async () => {
    const backend = await startBackend();
    try {
      expect((await request(backend.server).get(TOPOLOGY)).status).toBe(200);
      const central = sim.clusters.find(c => c.name === 'eu-central')!;
      const patch = await fetch(
        `${central.url}/apis/networking.istio.io/v1/namespaces/routing/virtualservices/orders-db`,
        {
          method: 'PATCH',
          headers: {
            authorization: `Bearer ${central.token}`,
            'content-type': 'application/json-patch+json',
          },
          body: JSON.stringify([
            { op: 'replace', path: '/spec/tcp/0/route/0/weight', value: 0 },
            { op: 'replace', path: '/spec/tcp/0/route/1/weight', value: 100 },
          ]),
        },
      );
      expect(patch.status).toBe(200);
      let weights: unknown;
      for (let i = 0; i < 40; i++) {
        await new Promise(r => setTimeout(r, 50));
        weights = (await request(backend.server).get(TOPOLOGY)).body.traffic
          ?.weights;
        if ((weights as any)?.['eu-west'] === 100) break;
      }
      expect(weights).toEqual({ 'eu-central': 0, 'eu-west': 100 });
    } finally {
      await backend.stop();
    }
  });

  it('pushes a signal within 2 s of a change made through the Kubernetes API', async () => {
    const backend = await startBackend();
    try {
      const first = await request(backend.server).get(TOPOLOGY);
      expect(first.status).toBe(200);
      const central = sim.clusters.find(c => c.name === 'eu-central')!;
      published.length = 0;
      const changedAt = Date.now();
      const patch = await fetch(
        `${central.url}/apis/apps/v1/namespaces/databases/statefulsets/orders-db`,
        {
          method: 'PATCH',
          headers: {
            authorization: `Bearer ${central.token}`,
            'content-type': 'application/merge-patch+json',
          },
          body: JSON.stringify({
            metadata: {
              annotations: { 'multicluster-statefulsets/role': 'fenced' },
            },
          }),
        },
      );
      expect(patch.status).toBe(200);
      // The simulated replication exporter also changes lag annotations all
      // the time; look for the first signal after which the change is visible.
      let seenAt: number | undefined;
      let checked = 0;
      while (Date.now() - changedAt < 3000 && seenAt === undefined) {
        if (published.length > checked) {
          const signal = published[published.length - 1];
          checked = published.length;
          const after = await request(backend.server).get(TOPOLOGY);
          const role = after.body.clusters.find(
            (c: any) => c.name === 'eu-central',
          ).role;
          if (role === 'fenced') seenAt = signal.at;
        }
        await new Promise(r => setTimeout(r, 25));
      }
      expect(published[0].channel).toBe(
        'multicluster-statefulsets:topology:component:default/orders-db',
      );
      expect(seenAt).toBeDefined();
      expect(seenAt! - changedAt).toBeLessThan(2000);
    } finally {
      await backend.stop();
    }
  });
});
