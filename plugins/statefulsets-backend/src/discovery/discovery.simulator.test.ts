/*
 * Discovery through the backend plugin against the cluster simulator: the
 * clusters are listed over their real API (discovery, paged lists), and the
 * route answers what the grouping found.
 */
import { mockCredentials } from '@backstage/backend-test-utils';
import { RunningSimulator } from '@multicluster/cluster-simulator';
import request from 'supertest';
import {
  startDiscoveryBackend,
  startQuietSimulator,
} from '../__testUtils__/simulatedDatabases';

const ROUTE = '/api/multicluster-statefulsets/discovery/databases';

function statefulSet(
  name: string,
  labels: Record<string, string>,
  annotations: Record<string, string> = {},
) {
  return {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: { name, namespace: 'databases', labels, annotations },
    spec: {
      replicas: 1,
      serviceName: name,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name, ...labels } },
        spec: { containers: [{ name: 'db', image: 'bitnami/mysql:8.4' }] },
      },
    },
  };
}

// Label values hold no ':' or '/': a plain name is a group in the default namespace.
const OWNER = { 'backstage.io/owner': 'database-platform' };

function clusterOf(name: string, objects: unknown[]) {
  return {
    name,
    region: name,
    objects: [
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'databases' } },
      ...objects,
    ],
  };
}

const world = {
  clusters: [
    clusterOf('one', [
      statefulSet('shop-one', {
        'backstage.io/kubernetes-id': 'shop-mysql',
        'app.kubernetes.io/instance': 'shop-one',
        ...OWNER,
      }),
      statefulSet('reviews', { 'app.kubernetes.io/instance': 'reviews' }),
      statefulSet(
        'orders',
        { 'backstage.io/kubernetes-id': 'orders', ...OWNER },
        {
          'multicluster-statefulsets/owner-entity': 'component:default/orders',
        },
      ),
      statefulSet('solo', { 'backstage.io/kubernetes-id': 'solo', ...OWNER }),
    ]),
    clusterOf('two', [
      statefulSet('shop-two', {
        'backstage.io/kubernetes-id': 'shop-mysql',
        'app.kubernetes.io/instance': 'shop-two',
        ...OWNER,
      }),
      statefulSet('reviews', { 'app.kubernetes.io/instance': 'reviews' }),
      statefulSet(
        'orders',
        { 'backstage.io/kubernetes-id': 'orders', ...OWNER },
        {
          'multicluster-statefulsets/owner-entity': 'component:default/orders',
        },
      ),
    ]),
  ],
};

describe('database discovery against the cluster simulator', () => {
  let sim: RunningSimulator;

  beforeAll(async () => {
    sim = await startQuietSimulator(world);
  });

  afterAll(async () => {
    await sim?.stop();
  });

  it('finds the databases running in both clusters and serves them to signed-in callers', async () => {
    const backend = await startDiscoveryBackend(sim, {
      enabled: true,
      frequencySeconds: 5,
    });
    try {
      const deadline = Date.now() + 20_000;
      let res: request.Response;
      do {
        res = await request(backend.server)
          .get(ROUTE)
          .set('authorization', mockCredentials.user.header());
        if (res.body?.refreshedAt) break;
        await new Promise(resolve => setTimeout(resolve, 200));
      } while (Date.now() < deadline);
      expect(res.status).toBe(200);
      expect(res.body.clusters).toEqual([
        { name: 'one', objects: 4 },
        { name: 'two', objects: 3 },
      ]);
      const byName = Object.fromEntries(
        res.body.items.map((i: any) => [i.name, i]),
      );
      // The stamped database belongs to its entity; `solo` runs in one cluster.
      expect(Object.keys(byName).sort()).toEqual(['reviews', 'shop-mysql']);
      expect(byName['shop-mysql'].entity.spec.owner).toBe(
        'group:default/database-platform',
      );
      expect(byName['shop-mysql'].groupedBy).toBe(
        'same backstage.io/kubernetes-id',
      );
      expect(byName.reviews.reason).toMatch(/^no owner/);

      const anonymous = await request(backend.server)
        .get(ROUTE)
        .set('authorization', mockCredentials.none.header());
      expect(anonymous.status).toBe(401);
    } finally {
      await backend.stop();
    }
  }, 40_000);

  it('says discovery is off and reads nothing when not enabled', async () => {
    const backend = await startDiscoveryBackend(sim, { enabled: false });
    try {
      const res = await request(backend.server)
        .get(ROUTE)
        .set('authorization', mockCredentials.service.header());
      expect(res.body).toEqual({
        enabled: false,
        providerEnabled: false,
        clusters: [],
        items: [],
      });
    } finally {
      await backend.stop();
    }
  }, 40_000);
});
