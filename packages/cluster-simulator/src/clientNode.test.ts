/*
 * @kubernetes/client-node 1.4.0 (what the portal's backend uses) against the
 * simulator: list, watch, patch, and an informer that survives a 410 Gone
 * and a dropped connection.
 */
import {
  AppsV1Api,
  CoreV1Api,
  KubeConfig,
  PatchStrategy,
  V1ConfigMap,
  Watch,
  makeInformer,
  setHeaderOptions,
} from '@kubernetes/client-node';
import type { RunningSimulator } from './simulator';
import { eventually, startTestSimulator } from './testing/testWorld';

jest.setTimeout(30000);

let sim: RunningSimulator;
let kc: KubeConfig;

beforeAll(async () => {
  sim = await startTestSimulator();
  const c = sim.clusters[0];
  kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: c.name, server: c.url, skipTLSVerify: true }],
    users: [{ name: 'u', token: c.token }],
    contexts: [{ name: c.name, cluster: c.name, user: 'u' }],
    currentContext: c.name,
  });
});

afterAll(() => sim.stop());

describe('@kubernetes/client-node against the simulator', () => {
  it('lists StatefulSets and pods with a label selector', async () => {
    const apps = kc.makeApiClient(AppsV1Api);
    const core = kc.makeApiClient(CoreV1Api);
    const sts = await apps.listNamespacedStatefulSet({
      namespace: 'databases',
    });
    expect(sts.items.map(s => s.metadata?.name)).toEqual(['orders-db']);
    const pods = await eventually(async () => {
      const l = await core.listNamespacedPod({
        namespace: 'databases',
        labelSelector: 'backstage.io/kubernetes-id=orders-db',
      });
      return l.items.length === 2 ? l : undefined;
    });
    expect(pods!.items.map(p => p.metadata?.name)).toEqual([
      'orders-db-0',
      'orders-db-1',
    ]);
    expect(pods!.items[0].metadata?.creationTimestamp).toBeInstanceOf(Date);
  });

  it('patches with merge and strategic merge patches', async () => {
    const apps = kc.makeApiClient(AppsV1Api);
    const merged = await apps.patchNamespacedStatefulSet(
      {
        name: 'orders-db',
        namespace: 'databases',
        body: {
          metadata: {
            annotations: { 'multicluster-statefulsets/role': 'fenced' },
          },
        },
      },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    expect(
      merged.metadata?.annotations?.['multicluster-statefulsets/role'],
    ).toBe('fenced');
    const strategic = await apps.patchNamespacedStatefulSet(
      {
        name: 'orders-db',
        namespace: 'databases',
        body: {
          spec: {
            template: {
              spec: {
                containers: [
                  { name: 'mysql', env: [{ name: 'X', value: '1' }] },
                ],
              },
            },
          },
        },
      },
      setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch),
    );
    expect(strategic.spec?.template.spec?.containers[0]).toMatchObject({
      name: 'mysql',
      image: 'mysql:8.4',
      env: [{ name: 'X', value: '1' }],
    });
  });

  it('reports API errors with their status code', async () => {
    const core = kc.makeApiClient(CoreV1Api);
    await expect(
      core.readNamespacedConfigMap({ name: 'nope', namespace: 'databases' }),
    ).rejects.toMatchObject({ code: 404 });
  });

  it('watches changes', async () => {
    const events: string[] = [];
    const req = await new Watch(kc).watch(
      '/api/v1/namespaces/databases/configmaps',
      { allowWatchBookmarks: true },
      (phase, obj) => events.push(`${phase} ${obj.metadata?.name}`),
      () => {},
    );
    const core = kc.makeApiClient(CoreV1Api);
    await core.createNamespacedConfigMap({
      namespace: 'databases',
      body: { metadata: { name: 'w1' }, data: { a: '1' } },
    });
    await core.deleteNamespacedConfigMap({
      name: 'w1',
      namespace: 'databases',
    });
    await eventually(() => events.includes('DELETED w1'));
    req.abort();
    expect(events.filter(e => e.endsWith('w1'))).toEqual([
      'ADDED w1',
      'DELETED w1',
    ]);
  });

  it('keeps an informer in sync across a 410 Gone and a dropped connection', async () => {
    const core = kc.makeApiClient(CoreV1Api);
    const path = '/api/v1/namespaces/databases/configmaps';
    const informer = makeInformer<V1ConfigMap>(kc, path, () =>
      core.listNamespacedConfigMap({ namespace: 'databases' }),
    );
    const added: string[] = [];
    const deleted: string[] = [];
    informer.on('add', o => added.push(o.metadata!.name!));
    informer.on('delete', o => deleted.push(o.metadata!.name!));
    informer.on('error', () => setTimeout(() => informer.start(), 100));
    await informer.start();
    try {
      await core.createNamespacedConfigMap({
        namespace: 'databases',
        body: { metadata: { name: 'i1' } },
      });
      await eventually(() => added.includes('i1'));

      // The watch is cut and its resourceVersion is no longer in the history:
      // the informer must re-list (410) and carry on.
      sim.admin.compact('eu-central');
      sim.admin.dropWatches('eu-central');
      await core.createNamespacedConfigMap({
        namespace: 'databases',
        body: { metadata: { name: 'i2' } },
      });
      await eventually(() => added.includes('i2'), 10000);

      sim.admin.dropWatches('eu-central');
      await core.deleteNamespacedConfigMap({
        name: 'i1',
        namespace: 'databases',
      });
      await eventually(() => deleted.includes('i1'), 10000);
      expect(
        informer
          .list()
          .map(o => o.metadata?.name)
          .sort(),
      ).toEqual(expect.arrayContaining(['i2']));
      expect(informer.list().some(o => o.metadata?.name === 'i1')).toBe(false);
    } finally {
      await informer.stop();
    }
  });
});
