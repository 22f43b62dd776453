import { mockServices } from '@backstage/backend-test-utils';
import {
  FakeKubeApi,
  fakeClusterDetails,
  seedDemo,
} from '../__testUtils__/FakeKubeApi';
import { ClusterWatchCache } from './ClusterWatchCache';
import { ClusterConnection } from './ClusterConnection';
import { createAuthStrategy } from './createAuthStrategy';
import { InformerChange } from './Informer';
import { PluginOptions } from './readClusterConfig';

const options: PluginOptions = {
  requestTimeoutMs: 800,
  idleTimeoutMs: 60_000,
  watchIdleMs: 60_000,
  backoffInitialMs: 50,
  backoffMaxMs: 200,
  cacheTtlMs: 1000,
};

const strategy = createAuthStrategy();

const scope = {
  namespace: 'databases',
  labelSelector: 'backstage.io/kubernetes-id=orders-db',
};

function cacheFor(
  url: string,
  token = 'test-token',
  region?: string,
  extra: { options?: Partial<PluginOptions>; logger?: any } = {},
) {
  return ClusterWatchCache.create({
    connection: ClusterConnection.create(
      {
        details: fakeClusterDetails(url, token),
        info: { name: 'c1', zones: [], region },
      },
      strategy,
    ),
    options: { ...options, ...extra.options },
    logger: extra.logger ?? mockServices.logger.mock(),
  });
}

describe('ClusterWatchCache', () => {
  const api = new FakeKubeApi();
  let url: string;
  const caches: ClusterWatchCache[] = [];
  const track = (c: ClusterWatchCache) => {
    caches.push(c);
    return c;
  };

  beforeAll(async () => {
    url = await api.start();
    seedDemo(api, 'c1', { role: 'active' });
  });
  afterEach(() => {
    caches.splice(0).forEach(c => c.close());
    api.fault = { type: 'none' };
  });
  afterAll(() => api.stop());

  it('lists, then serves from the cache without listing again', async () => {
    const cache = track(cacheFor(url));
    const first = await cache.read(scope, Date.now() + 2000);
    expect(first.error).toBeUndefined();
    expect(first.objects?.statefulSets.map(s => s.metadata.name)).toEqual([
      'orders-db',
    ]);
    expect(first.objects?.pods).toHaveLength(1);
    expect(first.objects?.nodes).toHaveLength(1);
    const lists = api.requests.filter(
      r =>
        r.startsWith('GET /apis/apps/v1/namespaces/databases/statefulsets') &&
        !r.endsWith('?watch'),
    ).length;
    await cache.read(scope, Date.now() + 2000);
    expect(
      api.requests.filter(
        r =>
          r.startsWith('GET /apis/apps/v1/namespaces/databases/statefulsets') &&
          !r.endsWith('?watch'),
      ).length,
    ).toBe(lists);
    expect(cache.health()).toEqual(
      expect.objectContaining({
        synced: true,
        region: 'c1-1',
        zones: ['c1-1a'],
      }),
    );
  });

  it('answers a first read in one round of lists and hands each answer to its informer', async () => {
    const cache = track(cacheFor(url));
    await cache.discover();
    const before = api.requests.length;
    const everywhere = { labelSelector: scope.labelSelector };
    const first = await cache.read(everywhere, Date.now() + 2000);
    expect(first.error).toBeUndefined();
    expect(first.objects?.persistentVolumeClaims).toHaveLength(1);
    // Claims of unknown namespaces come from one list across all of them.
    const firstRound = api.requests.slice(before);
    expect(firstRound).toContain('GET /api/v1/persistentvolumeclaims');
    const isList = (r: string) => !r.endsWith('?watch');
    const listsOfFirstRead = firstRound.filter(isList).length;
    // Informers start watching from those lists and never list again.
    const second = await cache.read(everywhere, Date.now() + 2000);
    expect(second.objects).toEqual(first.objects);
    const claimWatch = 'GET /api/v1/persistentvolumeclaims?watch';
    const since = () => api.requests.slice(before);
    for (let i = 0; i < 40 && !since().includes(claimWatch); i++) {
      await new Promise(r => setTimeout(r, 25));
    }
    const after = since();
    expect(after).toContain(claimWatch);
    expect(after).toContain('GET /apis/apps/v1/statefulsets?watch');
    expect(after.filter(isList)).toHaveLength(listsOfFirstRead);
  });

  it('only watches CRD kinds the cluster serves', async () => {
    api.groups = [{ name: 'networking.istio.io', version: 'v1beta1' }];
    const cache = track(cacheFor(url));
    await cache.read(scope, Date.now() + 2000);
    expect(cache.health().servedKinds).toEqual(
      expect.arrayContaining([
        'statefulsets',
        'virtualservices',
        'destinationrules',
      ]),
    );
    expect(cache.health().servedKinds).not.toContain('clusters');
    expect(
      api.requests.some(r =>
        r.includes(
          '/apis/networking.istio.io/v1beta1/namespaces/databases/virtualservices',
        ),
      ),
    ).toBe(true);
    api.groups = [];
  });

  it('reports a change through the listener', async () => {
    const cache = track(cacheFor(url));
    await cache.read(scope, Date.now() + 2000);
    const changed = new Promise<InformerChange>(resolve =>
      cache.onChange((_c, change) => {
        if (change.kind.key === 'statefulSets') resolve(change);
      }),
    );
    seedDemo(api, 'c1', { role: 'passive', source: 'c2' });
    const change = await changed;
    expect(change.namespace).toBe('databases');
    expect(change.object?.namespace).toBe('databases');
    expect(change.object?.labels[1]).toEqual(
      expect.objectContaining({ 'backstage.io/kubernetes-id': 'orders-db' }),
    );
    const after = await cache.read(scope, Date.now() + 2000);
    expect(
      after.objects?.statefulSets[0].metadata.annotations?.[
        'multicluster-statefulsets/role'
      ],
    ).toBe('passive');
    seedDemo(api, 'c1', { role: 'active' });
  });

  it('resumes a dropped watch from its resourceVersion without listing again', async () => {
    const cache = track(cacheFor(url));
    await cache.read(scope, Date.now() + 2000);
    await new Promise(r => setTimeout(r, 100));
    const isStsList = (r: string) =>
      r.startsWith('GET /apis/apps/v1/namespaces/databases/statefulsets') &&
      !r.endsWith('?watch');
    const lists = api.requests.filter(isStsList).length;
    const watches = api.requests.filter(r =>
      r.endsWith('statefulsets?watch'),
    ).length;
    api.dropWatches();
    seedDemo(api, 'c1', { role: 'passive', source: 'c2' });
    let role: string | undefined;
    for (let i = 0; i < 40 && role !== 'passive'; i++) {
      await new Promise(r => setTimeout(r, 50));
      const read = await cache.read(scope, Date.now() + 500);
      role =
        read.objects?.statefulSets[0].metadata.annotations?.[
          'multicluster-statefulsets/role'
        ];
    }
    expect(role).toBe('passive');
    expect(api.requests.filter(isStsList).length).toBe(lists);
    expect(
      api.requests.filter(r => r.endsWith('statefulsets?watch')).length,
    ).toBeGreaterThan(watches);
    seedDemo(api, 'c1', { role: 'active' });
  });

  it('lists again when the resumed watch is answered with 410 Gone', async () => {
    const cache = track(cacheFor(url));
    await cache.read(scope, Date.now() + 2000);
    await new Promise(r => setTimeout(r, 100));
    const isStsList = (r: string) =>
      r.startsWith('GET /apis/apps/v1/namespaces/databases/statefulsets') &&
      !r.endsWith('?watch');
    const lists = api.requests.filter(isStsList).length;
    seedDemo(api, 'c1', { role: 'fenced' });
    api.compact();
    api.dropWatches();
    let role: string | undefined;
    for (let i = 0; i < 40 && role !== 'fenced'; i++) {
      await new Promise(r => setTimeout(r, 50));
      const read = await cache.read(scope, Date.now() + 500);
      role =
        read.objects?.statefulSets[0].metadata.annotations?.[
          'multicluster-statefulsets/role'
        ];
    }
    expect(role).toBe('fenced');
    expect(api.requests.filter(isStsList).length).toBeGreaterThan(lists);
    seedDemo(api, 'c1', { role: 'active' });
  });

  it('types a wrong token as unauthorized', async () => {
    const cache = track(cacheFor(url, 'wrong'));
    const read = await cache.read(scope, Date.now() + 2000);
    expect(read.error?.reason).toBe('unauthorized');
    expect(JSON.stringify(read)).not.toContain('wrong');
  });

  it('types garbage as malformed', async () => {
    api.fault = { type: 'garbage' };
    const read = await track(cacheFor(url)).read(scope, Date.now() + 2000);
    expect(read.error?.reason).toBe('malformed');
  });

  it('types a refused connection as unreachable', async () => {
    const read = await track(cacheFor('http://127.0.0.1:9')).read(
      scope,
      Date.now() + 2000,
    );
    expect(read.error?.reason).toBe('unreachable');
  });

  it('answers a hanging cluster with a timeout at the deadline', async () => {
    api.fault = { type: 'hang' };
    const started = Date.now();
    const read = await track(cacheFor(url)).read(scope, started + 300);
    expect(read.error?.reason).toBe('timeout');
    expect(Date.now() - started).toBeLessThan(900);
  });

  it('answers at once for a cluster whose discovery already failed, and retries aside', async () => {
    api.fault = { type: 'hang' };
    const cache = track(cacheFor(url));
    const first = await cache.read(scope, Date.now() + 300);
    expect(first.error?.reason).toBe('timeout');
    await cache.discover();
    const started = Date.now();
    const second = await cache.read(scope, Date.now() + 2000);
    expect(second.error?.reason).toBe('timeout');
    expect(Date.now() - started).toBeLessThan(100);
    api.fault = { type: 'none' };
    let read = second;
    for (let i = 0; i < 60 && read.error; i++) {
      await new Promise(r => setTimeout(r, 50));
      read = await cache.read(scope, Date.now() + 1000);
    }
    expect(read.error).toBeUndefined();
    expect(read.objects?.statefulSets).toHaveLength(1);
  });

  it('keeps serving cached data, marked stale, while a synced cluster fails', async () => {
    const other = new FakeKubeApi();
    const otherUrl = await other.start();
    seedDemo(other, 'c1', { role: 'active' });
    const cache = track(cacheFor(otherUrl));
    await cache.read(scope, Date.now() + 2000);
    await other.stop();
    let read = await cache.read(scope, Date.now() + 500);
    for (let i = 0; i < 40 && !read.stale; i++) {
      await new Promise(r => setTimeout(r, 50));
      read = await cache.read(scope, Date.now() + 500);
    }
    expect(read.stale).toBe(true);
    expect(read.objects?.statefulSets).toHaveLength(1);
    expect(read.error?.reason).toBe('unreachable');
    expect(cache.health().synced).toBe(false);
    expect(cache.health().lastError?.reason).toBe('unreachable');
  });

  it('stops idle informers', async () => {
    const cache = track(cacheFor(url));
    await cache.read(scope, Date.now() + 2000);
    expect(cache.informerCount).toBeGreaterThan(0);
    cache.stopIdle(Date.now() + options.idleTimeoutMs + 1);
    expect(cache.informerCount).toBe(0);
  });

  it('shares one informer per kind and namespace between entities, and filters by selector in memory', async () => {
    api.put('statefulsets', {
      apiVersion: 'apps/v1',
      kind: 'StatefulSet',
      metadata: {
        name: 'billing-db',
        namespace: 'databases',
        labels: { 'backstage.io/kubernetes-id': 'billing-db' },
      },
      spec: { replicas: 1 },
    });
    const cache = track(cacheFor(url));
    const first = await cache.read(scope, Date.now() + 2000);
    expect(first.objects?.statefulSets.map(s => s.metadata.name)).toEqual([
      'orders-db',
    ]);
    const informers = cache.informerCount;
    const before = api.requests.length;
    const billing = {
      namespace: 'databases',
      labelSelector: 'backstage.io/kubernetes-id in (billing-db)',
    };
    const second = await cache.read(billing, Date.now() + 2000);
    // Answered from the informers the first entity started: no round trip.
    expect(
      api.requests.slice(before).filter(r => !r.endsWith('?watch')),
    ).toEqual([]);
    expect(cache.informerCount).toBe(informers);
    expect(second.objects?.statefulSets.map(s => s.metadata.name)).toEqual([
      'billing-db',
    ]);
    expect(second.objects?.pods).toEqual([]);
    // Claims are the namespace's, whatever their labels.
    expect(second.objects?.persistentVolumeClaims).toHaveLength(1);
    api.remove('statefulsets', 'databases', 'billing-db');
  });

  it('answers an entity of another namespace with that namespace only, and serves a namespace read from an all-namespaces informer', async () => {
    const cache = track(cacheFor(url));
    const elsewhere = { ...scope, namespace: 'other' };
    const read = await cache.read(elsewhere, Date.now() + 2000);
    expect(read.error).toBeUndefined();
    expect(read.objects?.statefulSets).toEqual([]);
    const perNamespace = cache.informerCount;
    await cache.read({ labelSelector: scope.labelSelector }, Date.now() + 2000);
    const withAll = cache.informerCount;
    expect(withAll).toBeGreaterThan(perNamespace);
    // A third namespace is served by the all-namespaces informers.
    await cache.read({ ...scope, namespace: 'third' }, Date.now() + 2000);
    expect(cache.informerCount).toBe(withAll);
  });

  it('refuses reads past the watch bound with a message naming it, and warns once', async () => {
    const logger = mockServices.logger.mock();
    (logger.child as jest.Mock).mockReturnValue(logger);
    const cache = track(
      cacheFor(url, 'test-token', undefined, {
        options: { maxWatchesPerCluster: 8 },
        logger,
      }),
    );
    const first = await cache.read(scope, Date.now() + 2000);
    expect(first.error).toBeUndefined();
    const second = await cache.read(
      { ...scope, namespace: 'other' },
      Date.now() + 2000,
    );
    expect(second.error?.message).toContain('maxWatchesPerCluster');
    await cache.read({ ...scope, namespace: 'third' }, Date.now() + 2000);
    expect(cache.informerCount).toBe(6);
    const warnings = (logger.warn as jest.Mock).mock.calls.filter(([m]) =>
      String(m).includes('Watch bound reached'),
    );
    expect(warnings).toHaveLength(1);
  });
});
