import { KubeObject } from '@multicluster/backstage-plugin-statefulsets-common';
import {
  ClusterWriteClient,
  ResourceRef,
  ServiceExportTrafficRouter,
  TrafficRouteContext,
} from '..';

const PATH =
  '/apis/multicluster.x-k8s.io/v1alpha1/namespaces/db/serviceexports';
const ORDERS = 'component:default/orders';
const ARCHIVE = 'component:default/orders-archive';

/** One cluster's ServiceExports in memory, recording every write. */
class ExportsClient implements ClusterWriteClient {
  readonly cluster: string;
  items: KubeObject[];
  writes: string[] = [];

  constructor(cluster: string, items: KubeObject[]) {
    this.cluster = cluster;
    this.items = items;
  }

  pathOf(ref: ResourceRef): string {
    if (ref.kind !== 'ServiceExport') throw new Error(`unexpected ${ref.kind}`);
    return ref.name ? `${PATH}/${ref.name}` : PATH;
  }

  async get<T>(path: string): Promise<T | undefined> {
    if (path !== PATH) throw new Error(`unexpected GET ${path}`);
    return structuredClone({ items: this.items }) as T;
  }

  async mergePatch<T>(): Promise<T> {
    throw new Error('ServiceExports are created and deleted, never patched');
  }

  async create<T>(path: string, body: any): Promise<T> {
    if (path !== PATH) throw new Error(`unexpected POST ${path}`);
    this.writes.push(`create ${body.metadata.name}`);
    this.items.push(body);
    return body;
  }

  async delete(path: string): Promise<void> {
    const name = path.slice(PATH.length + 1);
    this.writes.push(`delete ${name}`);
    this.items = this.items.filter(e => e.metadata.name !== name);
  }
}

function exportOf(name: string, owner?: string): KubeObject {
  return {
    apiVersion: 'multicluster.x-k8s.io/v1alpha1',
    kind: 'ServiceExport',
    metadata: {
      name,
      namespace: 'db',
      labels: { 'backstage.io/kubernetes-id': 'orders' },
      annotations: owner
        ? { 'multicluster-statefulsets/owner-entity': owner }
        : {},
    },
  };
}

function ctxFor(clients: ClusterWriteClient[]): TrafficRouteContext {
  return {
    entityRef: ORDERS,
    now: () => Date.now(),
    workload: {
      apiVersion: 'apps/v1',
      kind: 'StatefulSet',
      namespace: 'db',
      name: 'orders',
    },
    clients,
  };
}

describe('ServiceExportTrafficRouter', () => {
  it('moves only the exports stamped for the entity, never a same-prefix neighbour', async () => {
    const a = new ExportsClient('a', [
      exportOf('orders', ORDERS),
      exportOf('orders-archive', ARCHIVE),
      exportOf('orders-legacy'),
    ]);
    const b = new ExportsClient('b', [exportOf('orders-archive', ARCHIVE)]);
    const ctx = ctxFor([a, b]);
    const router = new ServiceExportTrafficRouter();

    expect(await router.readWeights(ctx)).toEqual({ a: 100, b: 0 });
    const change = await router.moveTraffic(ctx, 'a', 'b');

    expect(b.writes).toEqual(['create orders']);
    expect(a.writes).toEqual(['delete orders']);
    expect(a.items.map(e => e.metadata.name)).toEqual([
      'orders-archive',
      'orders-legacy',
    ]);
    const created = b.items.find(e => e.metadata.name === 'orders')!;
    expect(created.metadata.annotations).toEqual({
      'multicluster-statefulsets/owner-entity': ORDERS,
    });
    expect(created.metadata.labels).toEqual({
      'backstage.io/kubernetes-id': 'orders',
    });
    expect(await router.readWeights(ctx)).toEqual({ a: 0, b: 100 });

    await router.restore(ctx, change.undo);
    expect(a.items.map(e => e.metadata.name).sort()).toEqual([
      'orders',
      'orders-archive',
      'orders-legacy',
    ]);
    expect(b.items.map(e => e.metadata.name)).toEqual(['orders-archive']);
  });

  it('finds no route in exports stamped for other entities or not at all', async () => {
    const a = new ExportsClient('a', [
      exportOf('orders', ARCHIVE),
      exportOf('orders-legacy'),
    ]);
    const ctx = ctxFor([a]);
    const router = new ServiceExportTrafficRouter();
    expect(await router.hasRoute(ctx)).toBe(false);
    await router.moveTraffic(ctx, 'a', 'b');
    expect(a.writes).toEqual([]);
  });

  it('refuses, before any write, to take over a same-named export it does not own', async () => {
    const a = new ExportsClient('a', [exportOf('orders', ORDERS)]);
    const b = new ExportsClient('b', [exportOf('orders', ARCHIVE)]);
    const ctx = ctxFor([a, b]);
    await expect(
      new ServiceExportTrafficRouter().moveTraffic(ctx, 'a', 'b'),
    ).rejects.toEqual(
      expect.objectContaining({
        name: 'NotAllowedError',
        message: expect.stringContaining(
          `ServiceExport db/orders in b is stamped for ${ARCHIVE}, not ${ORDERS}`,
        ),
      }),
    );
    expect(a.writes).toEqual([]);
    expect(b.writes).toEqual([]);
  });
});
