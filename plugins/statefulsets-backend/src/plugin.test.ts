import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { createServiceFactory } from '@backstage/backend-plugin-api';
import { Entity } from '@backstage/catalog-model';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { signalsServiceRef } from '@backstage/plugin-signals-node';
import request from 'supertest';
import { FakeKubeApi, seedDemo } from './__testUtils__/FakeKubeApi';
import { multiclusterStatefulsetsPlugin } from './plugin';

const DEADLINE_MS = 1500;

const entity: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: {
    name: 'orders-db',
    namespace: 'default',
    annotations: {
      'backstage.io/kubernetes-id': 'orders-db',
      'backstage.io/kubernetes-namespace': 'databases',
      'multicluster-statefulsets/engine': 'mysql',
    },
  },
  spec: {
    type: 'database',
    owner: 'group:default/database-platform',
    lifecycle: 'production',
  },
};

const bare: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { name: 'plain', namespace: 'default' },
  spec: { type: 'service', owner: 'group:default/x', lifecycle: 'production' },
};

const TOPOLOGY =
  '/api/multicluster-statefulsets/entities/component/default/orders-db/topology';

// Each test starts a whole backend; on a loaded machine that alone can take
// longer than jest's default 5 s. The deadlines the tests check are their own.
jest.setTimeout(60_000);

describe('multiclusterStatefulsetsPlugin', () => {
  const central = new FakeKubeApi('central-token');
  const west = new FakeKubeApi('west-token');
  const hanging = new FakeKubeApi('hang-token');
  const unauthorised = new FakeKubeApi('right-token');
  const garbage = new FakeKubeApi('garbage-token');
  const published: Array<{ channel: string; message: any; at: number }> = [];
  let urls: Record<string, string>;

  beforeAll(async () => {
    urls = {
      central: await central.start(),
      west: await west.start(),
      hanging: await hanging.start(),
      unauthorised: await unauthorised.start(),
      garbage: await garbage.start(),
    };
    seedDemo(central, 'eu-central', { role: 'active' });
    seedDemo(west, 'eu-west', {
      role: 'passive',
      source: 'eu-central',
      lag: '0.5',
    });
    hanging.fault = { type: 'hang' };
    garbage.fault = { type: 'garbage' };
  });

  afterAll(async () => {
    await Promise.all(
      [central, west, hanging, unauthorised, garbage].map(a => a.stop()),
    );
  });

  function cluster(name: string, url: string, token: string) {
    return { name, url, serviceAccountToken: token, skipTLSVerify: true };
  }

  async function startBackend(extra: any[] = []) {
    return startTestBackend({
      features: [
        multiclusterStatefulsetsPlugin,
        mockServices.rootConfig.factory({
          data: {
            kubernetes: {
              clusterLocatorMethods: [
                {
                  type: 'config',
                  clusters: [
                    cluster('eu-central', urls.central, 'central-token'),
                    cluster('eu-west', urls.west, 'west-token'),
                    cluster('us-east', 'http://127.0.0.1:9', 'down-token'),
                    cluster('hanging', urls.hanging, 'hang-token'),
                    cluster('unauthorised', urls.unauthorised, 'wrong-token'),
                    cluster('garbage', urls.garbage, 'garbage-token'),
                  ],
                },
              ],
            },
            multiclusterStatefulsets: {
              requestTimeoutMs: DEADLINE_MS,
              backoffInitialMs: 100,
              backoffMaxMs: 500,
              clusters: {
                'eu-central': {
                  region: 'eu-central-1',
                  // A KubeFed host is also a member; a Karmada API server never is.
                  federationHost: 'kubefed',
                },
              },
            },
          },
        }),
        catalogServiceMock.factory({ entities: [entity, bare] }),
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
        ...extra,
      ],
    });
  }

  it('answers healthy clusters in full and faulty ones with typed reasons, within the deadline', async () => {
    const backend = await startBackend();
    const server = backend.server;
    try {
      const started = Date.now();
      const res = await request(server).get(TOPOLOGY);
      const elapsed = Date.now() - started;
      expect(res.status).toBe(200);
      expect(elapsed).toBeLessThan(DEADLINE_MS + 500);
      const byName = Object.fromEntries(
        res.body.clusters.map((c: any) => [c.name, c]),
      );
      expect(byName['eu-central']).toEqual(
        expect.objectContaining({
          reachable: true,
          role: 'active',
          region: 'eu-central-1',
          federationHost: 'kubefed',
        }),
      );
      expect(byName['eu-central'].workloads[0].pods[0]).toEqual(
        expect.objectContaining({
          name: 'orders-db-0',
          ready: true,
          role: 'primary',
          zone: 'eu-central-1a',
        }),
      );
      expect(byName['eu-west'].role).toBe('passive');
      expect(byName['eu-west'].region).toBe('eu-west-1');
      expect(byName['us-east'].error.reason).toBe('unreachable');
      expect(byName.hanging.error.reason).toBe('timeout');
      expect(byName.unauthorised.error.reason).toBe('unauthorized');
      expect(byName.garbage.error.reason).toBe('malformed');
      expect(res.body.replication).toEqual([
        expect.objectContaining({
          from: 'eu-central',
          to: 'eu-west',
          lagSeconds: 0.5,
          healthy: true,
        }),
      ]);
      const text = JSON.stringify(res.body);
      for (const secret of [
        'central-token',
        'west-token',
        'wrong-token',
        'garbage-token',
      ]) {
        expect(text).not.toContain(secret);
      }

      const clusters = await request(server).get(
        '/api/multicluster-statefulsets/clusters',
      );
      expect(clusters.status).toBe(200);
      const health = Object.fromEntries(
        clusters.body.items.map((c: any) => [c.name, c]),
      );
      expect(health['eu-central'].synced).toBe(true);
      expect(health['us-east'].synced).toBe(false);
      expect(health['us-east'].lastError.reason).toBe('unreachable');
      expect(JSON.stringify(clusters.body)).not.toContain('token');
    } finally {
      await backend.stop();
    }
  });

  it('supports ETag / If-None-Match and pushes a signal within 2 s of a cluster-side change', async () => {
    const backend = await startBackend();
    const server = backend.server;
    try {
      const first = await request(server).get(TOPOLOGY);
      const etag = first.headers.etag;
      expect(etag).toMatch(/^".+"$/);
      const again = await request(server)
        .get(TOPOLOGY)
        .set('If-None-Match', etag);
      expect(again.status).toBe(304);

      published.length = 0;
      const changedAt = Date.now();
      seedDemo(west, 'eu-west', {
        role: 'passive',
        source: 'eu-central',
        lag: '0.5',
        image: 'mysql:8.4.3',
      });
      const deadline = changedAt + 2000;
      while (Date.now() < deadline && !published.length) {
        await new Promise(r => setTimeout(r, 25));
      }
      expect(published).toHaveLength(1);
      expect(published[0].channel).toBe(
        'multicluster-statefulsets:topology:component:default/orders-db',
      );
      expect(published[0].at - changedAt).toBeLessThan(2000);
      expect(published[0].message.etag).not.toBe(etag);

      const after = await request(server)
        .get(TOPOLOGY)
        .set('If-None-Match', etag);
      expect(after.status).toBe(200);
      expect(after.headers.etag).toBe(published[0].message.etag);
      expect(after.body.drift).toEqual([
        expect.objectContaining({
          field: 'image[mysql]',
          values: expect.objectContaining({ 'eu-west': 'mysql:8.4.3' }),
        }),
      ]);
    } finally {
      seedDemo(west, 'eu-west', {
        role: 'passive',
        source: 'eu-central',
        lag: '0.5',
      });
      await backend.stop();
    }
  });

  it("keeps each link's lag as the topology is computed and serves it as the lag history", async () => {
    const backend = await startBackend();
    try {
      await request(backend.server).get(TOPOLOGY);
      const history = await request(backend.server).get(
        TOPOLOGY.replace(/topology$/, 'lag-history?window=1h'),
      );
      expect(history.status).toBe(200);
      expect(history.body).toMatchObject({
        entityRef: 'component:default/orders-db',
        window: '1h',
        thresholdSeconds: 5,
        runs: [],
        links: [
          {
            from: 'eu-central',
            to: 'eu-west',
            source: 'memory',
            samples: [{ lagSeconds: 0.5 }],
          },
        ],
      });
    } finally {
      await backend.stop();
    }
  });

  it('maps unknown entities, missing annotations and malformed refs to 404, 404 and 400', async () => {
    const backend = await startBackend();
    const server = backend.server;
    try {
      const unknown = await request(server).get(
        '/api/multicluster-statefulsets/entities/component/default/nope/topology',
      );
      expect(unknown.status).toBe(404);
      const plain = await request(server).get(
        '/api/multicluster-statefulsets/entities/component/default/plain/topology',
      );
      expect(plain.status).toBe(404);
      expect(plain.body.error.message).toContain('backstage.io/kubernetes-id');
      const malformed = await request(server).get(
        '/api/multicluster-statefulsets/entities/component/Not%20Valid!/x/topology',
      );
      expect(malformed.status).toBe(400);
    } finally {
      await backend.stop();
    }
  });

  it('rejects unauthenticated requests and enforces the read permission', async () => {
    const backend = await startBackend();
    const server = backend.server;
    try {
      const anonymous = await request(server)
        .get(TOPOLOGY)
        .set('Authorization', mockCredentials.none.header());
      expect(anonymous.status).toBe(401);
    } finally {
      await backend.stop();
    }
    const denied = await startBackend([
      mockServices.permissions.factory({ result: AuthorizeResult.DENY }),
    ]);
    try {
      const res = await request(denied.server).get(TOPOLOGY);
      expect(res.status).toBe(403);
      const clusters = await request(denied.server).get(
        '/api/multicluster-statefulsets/clusters',
      );
      expect(clusters.status).toBe(403);
    } finally {
      await denied.stop();
    }
  });

  it('validates every route against its OpenAPI document and takes large apply bodies', async () => {
    const backend = await startBackend();
    const server = backend.server;
    try {
      const doc = await request(server).get(
        '/api/multicluster-statefulsets/openapi.json',
      );
      expect(doc.status).toBe(200);
      expect(Object.keys(doc.body.paths)).toEqual(
        expect.arrayContaining([
          '/api/multicluster-statefulsets/apply',
          '/api/multicluster-statefulsets/entities/{kind}/{namespace}/{name}/failover/runs/{id}',
        ]),
      );
      const teleport = await request(server)
        .post(
          '/api/multicluster-statefulsets/entities/component/default/orders-db/failover/runs',
        )
        .send({ targetCluster: 'eu-west', mode: 'teleport', confirm: 'x' });
      expect(teleport.status).toBe(400);
      expect(teleport.body.error.message).toMatch(/^mode: must be one of/);
      // Parsed in full (no 413), then checked against the configured clusters.
      const big = await request(server)
        .post('/api/multicluster-statefulsets/apply')
        .send({
          entityRef: 'component:default/orders-db',
          clusters: [
            {
              name: 'nowhere',
              manifests: [
                {
                  apiVersion: 'v1',
                  kind: 'ConfigMap',
                  metadata: { name: 'big', namespace: 'databases' },
                  data: { blob: 'x'.repeat(2_000_000) },
                },
              ],
            },
          ],
        });
      expect(big.status).toBe(400);
      expect(big.body.error.message).toMatch(
        /^clusters\[0\]\.name: unknown cluster "nowhere"/,
      );
      // Past the limit: 413 with the limit named, not a validation 400.
      const tooBig = await request(server)
        .post('/api/multicluster-statefulsets/apply')
        .set('content-type', 'application/json')
        .send(JSON.stringify({ blob: 'x'.repeat(11 * 1024 * 1024) }));
      expect(tooBig.status).toBe(413);
      expect(tooBig.body.error).toEqual(
        expect.objectContaining({
          name: 'PayloadTooLargeError',
          message: 'request body larger than 10mb',
        }),
      );
    } finally {
      await backend.stop();
    }
  });

  it('registers its permissions with the permissions registry', async () => {
    const registry = mockServices.permissionsRegistry.mock();
    const backend = await startBackend([registry.factory]);
    try {
      expect(registry.addPermissions).toHaveBeenCalledWith(
        expect.arrayContaining([
          expect.objectContaining({
            name: 'multicluster-statefulsets.topology.read',
            resourceType: 'catalog-entity',
          }),
        ]),
      );
    } finally {
      await backend.stop();
    }
  });
});
