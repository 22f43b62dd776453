import { ClusterStore, StoreEvent } from './ClusterStore';

function store() {
  return new ClusterStore({
    name: 'c',
    region: 'r',
    zones: ['r-a'],
    historySize: 100,
  });
}

const sts = {
  apiVersion: 'apps/v1',
  kind: 'StatefulSet',
  metadata: { name: 'db', namespace: 'default' },
  spec: { replicas: 1 },
};

describe('ClusterStore', () => {
  it('keeps one resourceVersion counter and bumps generation on spec changes only', () => {
    const s = store();
    const a = s.create(sts);
    expect(a.metadata.generation).toBe(1);
    expect(a.metadata.uid).toMatch(/-/);
    const b = s.update({
      ...a,
      metadata: { ...a.metadata, labels: { x: 'y' } },
    });
    expect(b.metadata.generation).toBe(1);
    expect(Number(b.metadata.resourceVersion)).toBeGreaterThan(
      Number(a.metadata.resourceVersion),
    );
    const c = s.update({ ...b, spec: { replicas: 2 } });
    expect(c.metadata.generation).toBe(2);
    const d = s.updateStatus({
      ...c,
      status: { replicas: 2 },
      spec: { replicas: 9 },
    });
    expect(d.spec.replicas).toBe(2);
    expect(d.status.replicas).toBe(2);
    expect(d.metadata.generation).toBe(2);
  });

  it('refuses objects in missing namespaces and duplicates', () => {
    const s = store();
    expect(() =>
      s.create({ ...sts, metadata: { name: 'x', namespace: 'nope' } }),
    ).toThrow(/namespaces "nope" not found/);
    s.create(sts);
    expect(() => s.create(sts)).toThrow(/already exists/);
  });

  it('collects dependents through ownerReferences and namespace contents', () => {
    const s = store();
    const owner = s.create(sts);
    s.create({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        name: 'db-0',
        namespace: 'default',
        ownerReferences: [
          {
            apiVersion: 'apps/v1',
            kind: 'StatefulSet',
            name: 'db',
            uid: owner.metadata.uid!,
            controller: true,
          },
        ],
      },
      spec: {},
    });
    s.create({
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: { name: 'data-db-0', namespace: 'default' },
      spec: {},
    });
    s.delete('apps/v1', 'StatefulSet', 'default', 'db');
    expect(s.list('v1', 'Pod')).toHaveLength(0);
    expect(s.list('v1', 'PersistentVolumeClaim')).toHaveLength(1);
    s.create({
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: 'tmp' },
    });
    s.create({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'cm', namespace: 'tmp' },
    });
    s.delete('v1', 'Namespace', undefined, 'tmp');
    expect(s.list('v1', 'ConfigMap', 'tmp')).toHaveLength(0);
  });

  it('replays events for watches and expires them after compaction', () => {
    const s = store();
    const from = s.resourceVersion;
    const seen: StoreEvent[] = [];
    s.subscribe(e => seen.push(e));
    const a = s.create(sts);
    s.update({ ...a, spec: { replicas: 3 } });
    s.delete('apps/v1', 'StatefulSet', 'default', 'db');
    expect(seen.map(e => e.type)).toEqual(['ADDED', 'MODIFIED', 'DELETED']);
    expect(s.eventsSince(from)!.map(e => e.type)).toEqual([
      'ADDED',
      'MODIFIED',
      'DELETED',
    ]);
    s.compact();
    expect(s.eventsSince(from)).toBeUndefined();
  });

  it('serves the kinds of stored CRDs', () => {
    const s = store();
    s.create({
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'CustomResourceDefinition',
      metadata: { name: 'widgets.example.com' },
      spec: {
        group: 'example.com',
        scope: 'Namespaced',
        names: { kind: 'Widget', plural: 'widgets' },
        versions: [
          {
            name: 'v1',
            served: true,
            storage: true,
            schema: { openAPIV3Schema: { type: 'object' } },
          },
        ],
      },
    });
    expect(s.registry.byPlural('example.com', 'v1', 'widgets')?.kind).toBe(
      'Widget',
    );
    s.create({
      apiVersion: 'example.com/v1',
      kind: 'Widget',
      metadata: { name: 'w', namespace: 'default' },
    });
    expect(s.list('example.com/v1', 'Widget')).toHaveLength(1);
  });
});

describe('recorded events', () => {
  it('keeps only the newest ones', () => {
    const s = new ClusterStore({
      name: 'c',
      region: 'r',
      zones: [],
      maxEvents: 3,
    });
    const cm = s.create({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'x', namespace: 'default' },
    });
    for (let i = 0; i < 5; i++)
      s.recordEvent(cm, 'Normal', `R${i}`, 'm', 'test');
    expect(
      s
        .list('v1', 'Event')
        .map(e => (e as any).reason)
        .sort(),
    ).toEqual(['R2', 'R3', 'R4']);
  });
});
