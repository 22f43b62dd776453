import {
  ClusterWriteClient,
  FailoverReplicationProvider,
  ResourceRef,
} from '../failover';
import {
  ANNOTATION_FENCED_REPLICAS,
  caughtUpSince,
  GenericStatefulSetProvider,
} from './GenericStatefulSetProvider';

/** An in-memory object with RFC 7386 merge patches, counting writes. */
class MemoryClient implements ClusterWriteClient {
  readonly cluster: string;
  obj: any;
  patches = 0;

  constructor(cluster: string, obj: any) {
    this.cluster = cluster;
    this.obj = obj;
  }

  pathOf(ref: ResourceRef): string {
    return `/${ref.kind}/${ref.namespace}/${ref.name}`;
  }

  async get<T>(): Promise<T | undefined> {
    return structuredClone(this.obj);
  }

  async mergePatch<T>(_path: string, patch: unknown): Promise<T> {
    const merge = (target: any, p: any): any => {
      if (p === null || typeof p !== 'object' || Array.isArray(p)) return p;
      const out = { ...(target ?? {}) };
      for (const [k, v] of Object.entries(p)) {
        if (v === null) delete out[k];
        else out[k] = merge(out[k], v);
      }
      return out;
    };
    this.patches += 1;
    this.obj = merge(this.obj, patch);
    return this.obj;
  }

  async create<T>(): Promise<T> {
    throw new Error('not used');
  }

  async delete(): Promise<void> {
    throw new Error('not used');
  }
}

const workload = {
  apiVersion: 'apps/v1',
  kind: 'StatefulSet',
  namespace: 'db',
  name: 'orders',
};

const STAMP = {
  'multicluster-statefulsets/owner-entity': 'component:default/orders',
};

function side(
  cluster: string,
  annotations: Record<string, string>,
  stamp: Record<string, string> = STAMP,
) {
  const client = new MemoryClient(cluster, {
    metadata: {
      name: 'orders',
      namespace: 'db',
      annotations: { ...stamp, ...annotations },
    },
    spec: { replicas: 3 },
    status: { readyReplicas: 3 },
  });
  return { cluster, client, workload };
}

const ctx = { entityRef: 'component:default/orders', now: () => Date.now() };

describe('GenericStatefulSetProvider', () => {
  it('fences idempotently and unfences to the remembered replica count', async () => {
    // Used through the extension point's contract, as the engine does.
    const provider: FailoverReplicationProvider =
      new GenericStatefulSetProvider();
    const source = side('a', { 'multicluster-statefulsets/role': 'active' });
    const target = side('b', {});
    const undo = await provider.fence(source, target, ctx);
    expect(undo).toEqual({ previousRole: 'active', replicas: 3 });
    expect(source.client.obj.spec.replicas).toBe(0);
    expect(
      source.client.obj.metadata.annotations[ANNOTATION_FENCED_REPLICAS],
    ).toBe('3');
    // A re-run after a restart changes nothing and still knows the count.
    expect(await provider.fence(source, target, ctx)).toEqual(undo);
    expect(source.client.patches).toBe(1);

    await provider.unfence(source, {}, ctx);
    expect(source.client.obj.spec.replicas).toBe(3);
    expect(source.client.obj.metadata.annotations).toEqual({
      ...STAMP,
      'multicluster-statefulsets/role': 'active',
    });
    await provider.unfence(source, {}, ctx);
    expect(source.client.patches).toBe(2);
  });

  it('promotes once, then reattaches the old side as a replica', async () => {
    // Used through the extension point's contract, as the engine does.
    const provider: FailoverReplicationProvider =
      new GenericStatefulSetProvider();
    const old = side('a', { 'multicluster-statefulsets/role': 'active' });
    const target = side('b', {
      'multicluster-statefulsets/role': 'passive',
      'multicluster-statefulsets/replication-source': 'a',
      'multicluster-statefulsets/replication-lag-seconds': '0.000',
    });
    expect(await provider.isPromoted(target, ctx)).toBe(false);
    const promote = { ...ctx, emergency: false };
    await provider.promote(target, old, promote);
    await provider.promote(target, old, promote);
    expect(target.client.patches).toBe(1);
    expect(await provider.isPromoted(target, ctx)).toBe(true);
    expect(target.client.obj.metadata.annotations).toEqual({
      ...STAMP,
      'multicluster-statefulsets/role': 'active',
    });

    await provider.fence(old, target, ctx);
    expect(await provider.verifyRoles(target, old, ctx)).toEqual([]);
    await provider.reattach!(old, target, {}, ctx);
    expect(old.client.obj.spec.replicas).toBe(3);
    expect(old.client.obj.metadata.annotations).toEqual({
      ...STAMP,
      'multicluster-statefulsets/role': 'passive',
      'multicluster-statefulsets/replication-source': 'b',
    });
  });

  it.each([
    [
      'stamped for another entity',
      {
        'multicluster-statefulsets/owner-entity': 'component:default/payments',
      },
      /StatefulSet db\/orders in a is stamped for component:default\/payments, not component:default\/orders/,
    ],
    [
      'not stamped',
      {},
      /carries no multicluster-statefulsets\/owner-entity annotation.*kubectl --context a annotate statefulset orders -n db multicluster-statefulsets\/owner-entity=component:default\/orders/,
    ],
  ])('changes nothing on a workload %s', async (_what, stamp, reason) => {
    const provider: FailoverReplicationProvider =
      new GenericStatefulSetProvider();
    // A side every call would change: passive, replicating from elsewhere.
    const foreign = side(
      'a',
      {
        'multicluster-statefulsets/role': 'passive',
        'multicluster-statefulsets/replication-source': 'c',
      },
      stamp,
    );
    const mine = side('b', { 'multicluster-statefulsets/role': 'passive' });
    const refused = expect.objectContaining({
      name: 'NotAllowedError',
      message: expect.stringMatching(reason),
    });
    await expect(provider.fence(foreign, mine, ctx)).rejects.toEqual(refused);
    await expect(provider.unfence(foreign, {}, ctx)).rejects.toEqual(refused);
    await expect(
      provider.promote(foreign, mine, { ...ctx, emergency: true }),
    ).rejects.toEqual(refused);
    await expect(provider.abortPromotion(foreign, mine, ctx)).rejects.toEqual(
      refused,
    );
    await expect(provider.markFenced(foreign, mine, ctx)).rejects.toEqual(
      refused,
    );
    await expect(provider.reattach!(foreign, mine, {}, ctx)).rejects.toEqual(
      refused,
    );
    expect(foreign.client.patches).toBe(0);
  });

  it('describes its steps as role annotations and scaling to zero, with a reattach', () => {
    const provider: FailoverReplicationProvider =
      new GenericStatefulSetProvider();
    const described = provider.describeSteps!({
      sourceCluster: 'a',
      targetCluster: 'b',
      sourceWorkload: {
        ...workload,
        kind: 'StatefulSet',
        role: 'active',
        replicas: { desired: 3, ready: 3, updated: 3 },
        ordinalsStart: 0,
        pods: [],
        volumes: [],
      },
    });
    expect(described.fenceMethod).toBe(
      'generic: StatefulSet db/orders in a is annotated fenced and scaled to zero replicas (was 3)',
    );
    expect(described.fence).toEqual([
      'StatefulSet db/orders: annotation role = fenced',
      'StatefulSet db/orders: replicas 3 → 0',
    ]);
    expect(described.reattach).toEqual([
      'StatefulSet db/orders: annotation role = passive, replication-source = b',
      'StatefulSet db/orders: replicas back to 3',
    ]);
  });

  it('counts only a zero lag measured after the fence as caught up', () => {
    const fence = Date.parse('2026-11-27T12:00:00.400Z');
    expect(
      caughtUpSince({ seconds: 0, observedAt: '2026-11-27T12:00:00Z' }, fence),
    ).toBe(true);
    expect(
      caughtUpSince({ seconds: 0, observedAt: '2026-11-27T11:59:59Z' }, fence),
    ).toBe(false);
    expect(
      caughtUpSince(
        { seconds: 0.2, observedAt: '2026-11-27T12:00:01Z' },
        fence,
      ),
    ).toBe(false);
    expect(caughtUpSince({ seconds: null }, fence)).toBe(false);
  });
});
