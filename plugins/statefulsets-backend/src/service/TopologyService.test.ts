import {
  BackstageCredentials,
  CacheService,
} from '@backstage/backend-plugin-api';
import {
  mockCredentials,
  mockServices,
  TestCaches,
} from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import {
  GenericStatefulSetProvider,
  IstioTrafficRouter,
} from '@multicluster/backstage-plugin-statefulsets-node';
import { FakeKubeApi, seedDemo } from '../__testUtils__/FakeKubeApi';
import { ClusterWatchCache } from '../cluster/ClusterWatchCache';
import { ClusterConnection } from '../cluster/ClusterConnection';
import { createAuthStrategy } from '../cluster/createAuthStrategy';
import { PluginOptions } from '../cluster/readClusterConfig';
import { TopologyService } from './TopologyService';
import { databaseEntity } from '../__testUtils__/databaseEntity';

const options: PluginOptions = {
  requestTimeoutMs: 1000,
  idleTimeoutMs: 60_000,
  watchIdleMs: 60_000,
  backoffInitialMs: 50,
  backoffMaxMs: 200,
  cacheTtlMs: 30_000,
};

const entity = databaseEntity('orders-db');

/** The cache service contract on top of a Keyv store (what backend-defaults does with Redis). */
function keyvCache(keyv: any): CacheService {
  const cache: CacheService = {
    get: async key => keyv.get(key),
    set: async (key, value, opts) => {
      await keyv.set(key, value, opts?.ttl as number | undefined);
    },
    delete: async key => {
      await keyv.delete(key);
    },
    withOptions: () => cache,
  };
  return cache;
}

describe('TopologyService', () => {
  // Redis takes part when a server is given (CI sets the variable); docker is never started.
  const caches = TestCaches.create({
    ids: process.env.BACKSTAGE_TEST_CACHE_REDIS7_CONNECTION_STRING
      ? ['MEMORY', 'REDIS_7']
      : ['MEMORY'],
    disableDocker: true,
  });
  const api = new FakeKubeApi();
  let url: string;
  const services: TopologyService[] = [];
  const credentials: BackstageCredentials = mockCredentials.user();

  beforeAll(async () => {
    url = await api.start();
    seedDemo(api, 'eu-central', { role: 'active' });
  });
  afterEach(() => services.splice(0).forEach(s => s.close()));
  afterAll(() => api.stop());

  function replica(
    cache: CacheService,
    clusterUrl: string,
    catalog = catalogServiceMock({ entities: [entity] }),
    extra: Partial<Parameters<typeof TopologyService.create>[0]> = {},
  ) {
    const service = TopologyService.create({
      clusters: [
        ClusterWatchCache.create({
          connection: ClusterConnection.create(
            {
              details: {
                name: 'eu-central',
                url: clusterUrl,
                skipTLSVerify: true,
                authMetadata: {
                  'kubernetes.io/auth-provider': 'serviceAccount',
                  serviceAccountToken: api.token,
                },
              },
              info: { name: 'eu-central', zones: [] },
            },
            createAuthStrategy(),
          ),
          options,
          logger: mockServices.logger.mock(),
        }),
      ],
      catalog,
      cache,
      logger: mockServices.logger.mock(),
      options,
      replicationProviders: [new GenericStatefulSetProvider()],
      trafficRouters: [new IstioTrafficRouter()],
      ...extra,
    });
    services.push(service);
    return service;
  }

  it.each(caches.eachSupportedId())(
    'shares computed topologies between replicas through the %s cache',
    async cacheId => {
      const { keyv } = await caches.init(cacheId);
      const cache = keyvCache(keyv);
      const a = replica(cache, url);
      const computed = await a.getTopology(
        'component:default/orders-db',
        credentials,
      );
      expect(computed.topology.clusters[0].workloads).toHaveLength(1);

      // A replica whose own view of the cluster is broken still answers with
      // what the first replica computed, at once.
      const b = replica(cache, 'http://127.0.0.1:9');
      const started = Date.now();
      const shared = await b.getTopology(
        'component:default/orders-db',
        credentials,
      );
      expect(Date.now() - started).toBeLessThan(500);
      expect(shared.etag).toBe(computed.etag);
      expect(shared.topology.clusters[0].workloads).toHaveLength(1);
    },
  );

  it('answers repeated reads from the cache without new cluster requests', async () => {
    const { keyv } = await caches.init('MEMORY');
    const service = replica(keyvCache(keyv), url);
    await service.getTopology('component:default/orders-db', credentials);
    const before = api.requests.length;
    const again = await service.getTopology(
      'component:default/orders-db',
      credentials,
    );
    expect(again.topology.clusters[0].reachable).toBe(true);
    expect(api.requests.length).toBe(before);
  });

  it('never serves a topology computed under other entity annotations', async () => {
    const { keyv } = await caches.init('MEMORY');
    let lag = '5';
    const catalog = catalogServiceMock.mock({
      getEntityByRef: async () => ({
        ...entity,
        metadata: {
          ...entity.metadata,
          annotations: {
            ...entity.metadata.annotations,
            'multicluster-statefulsets/max-failover-lag': lag,
          },
        },
      }),
    });
    const service = replica(keyvCache(keyv), url, catalog);
    const first = await service.getTopology(
      'component:default/orders-db',
      credentials,
    );
    expect(first.topology.policy.maxFailoverLagSeconds).toBe(5);
    lag = '9';
    const second = await service.getTopology(
      'component:default/orders-db',
      credentials,
    );
    expect(second.topology.policy.maxFailoverLagSeconds).toBe(9);
    expect(second.etag).not.toBe(first.etag);
  });

  it('signals a change that arrives without a cluster-side change when refreshed', async () => {
    const { keyv } = await caches.init('MEMORY');
    let lagSeconds = 1;
    const observedAt = new Date();
    const published: Array<{ channel: string; message: any }> = [];
    const service = replica(
      keyvCache(keyv),
      url,
      catalogServiceMock({ entities: [entity] }),
      {
        signals: {
          publish: async (signal: any) => {
            published.push(signal);
          },
        },
        // A lag that lives outside the clusters, as one read from Prometheus.
        replicationProviders: [
          {
            id: 'external',
            supports: () => true,
            readReplication: async () => [
              {
                from: 'eu-west',
                to: 'eu-central',
                lagSeconds,
                observedAt: observedAt.toISOString(),
                healthy: true,
                provider: 'external',
              } as any,
            ],
          },
        ],
        trafficRouters: [],
      },
    );
    const first = await service.getTopology(
      'component:default/orders-db',
      credentials,
    );
    await service.refreshWatched();
    expect(published).toHaveLength(0);
    lagSeconds = 7;
    await service.refreshWatched();
    expect(published).toHaveLength(1);
    expect(published[0].channel).toBe(
      'multicluster-statefulsets:topology:component:default/orders-db',
    );
    expect(published[0].message.etag).not.toBe(first.etag);
    const second = await service.getTopology(
      'component:default/orders-db',
      credentials,
    );
    expect(second.etag).toBe(published[0].message.etag);
  });

  it('keeps the declared roles when the engine roles cannot be read', async () => {
    const { keyv } = await caches.init('MEMORY');
    const logger = mockServices.logger.mock();
    const service = replica(
      keyvCache(keyv),
      url,
      catalogServiceMock({ entities: [entity] }),
      {
        logger,
        engineRoles: {
          readRoles: async () => {
            throw new Error('Prometheus unreachable: ECONNREFUSED');
          },
        },
      },
    );
    const { topology } = await service.getTopology(
      'component:default/orders-db',
      credentials,
    );
    expect(topology.clusters[0].workloads[0]).toMatchObject({ role: 'active' });
    expect(topology.clusters[0].workloads[0].roleSource).toBeUndefined();
    expect(logger.warn).toHaveBeenCalledWith(
      expect.stringContaining(
        'the declared roles stand: Error: Prometheus unreachable',
      ),
    );
  });

  it('puts the roles the engine reports over the declared ones', async () => {
    const { keyv } = await caches.init('MEMORY');
    const service = replica(
      keyvCache(keyv),
      url,
      catalogServiceMock({ entities: [entity] }),
      {
        engineRoles: {
          readRoles: async () => [
            {
              cluster: 'eu-central',
              namespace: 'databases',
              workload: 'orders-db',
              source: 'mysqld-exporter',
              pods: { 'orders-db-0': 'replica' },
            },
          ],
        },
      },
    );
    const { topology } = await service.getTopology(
      'component:default/orders-db',
      credentials,
    );
    expect(topology.clusters[0].role).toBe('passive');
    expect(topology.clusters[0].workloads[0]).toMatchObject({
      role: 'passive',
      roleSource: 'mysqld-exporter',
      declaredRole: 'active',
    });
  });
});
