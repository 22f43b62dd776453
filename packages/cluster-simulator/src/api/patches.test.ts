import {
  PatchError,
  applyConfiguration,
  applyJsonPatch,
  applyMergePatch,
  applyStrategicMergePatch,
  fieldsV1Of,
  removeUnappliedFields,
} from './patches';

const sts = {
  metadata: { name: 'db', labels: { app: 'db' } },
  spec: {
    replicas: 2,
    template: {
      spec: {
        containers: [
          {
            name: 'mysql',
            image: 'mysql:8.4',
            env: [{ name: 'A', value: '1' }],
            ports: [{ containerPort: 3306, name: 'mysql' }],
            volumeMounts: [{ name: 'data', mountPath: '/var/lib/mysql' }],
          },
          { name: 'exporter', image: 'exporter:1' },
        ],
        volumes: [{ name: 'config', configMap: { name: 'c' } }],
      },
    },
  },
};

describe('JSON merge patch', () => {
  it('merges maps, deletes on null and replaces lists', () => {
    const out = applyMergePatch(sts, {
      metadata: { labels: { app: null, tier: 'db' } },
      spec: { template: { spec: { volumes: [] } } },
    });
    expect(out.metadata.labels).toEqual({ tier: 'db' });
    expect(out.spec.template.spec.volumes).toEqual([]);
    expect(out.spec.template.spec.containers).toHaveLength(2);
    expect(sts.metadata.labels).toEqual({ app: 'db' });
  });
});

describe('JSON patch', () => {
  it('applies add, replace, remove, move, copy and test in order', () => {
    const out = applyJsonPatch(sts, [
      { op: 'test', path: '/spec/replicas', value: 2 },
      { op: 'replace', path: '/spec/replicas', value: 3 },
      { op: 'add', path: '/metadata/annotations', value: { 'a~b/c': 'x' } },
      {
        op: 'add',
        path: '/spec/template/spec/containers/-',
        value: { name: 'side', image: 's' },
      },
      {
        op: 'copy',
        from: '/metadata/labels/app',
        path: '/metadata/labels/copy',
      },
      {
        op: 'move',
        from: '/metadata/labels/copy',
        path: '/metadata/labels/moved',
      },
      { op: 'remove', path: '/spec/template/spec/containers/1' },
    ]);
    expect(out.spec.replicas).toBe(3);
    expect(out.metadata.annotations['a~b/c']).toBe('x');
    expect(out.metadata.labels).toEqual({ app: 'db', moved: 'db' });
    expect(out.spec.template.spec.containers.map((c: any) => c.name)).toEqual([
      'mysql',
      'side',
    ]);
  });

  it('decodes ~0 and ~1 in pointers', () => {
    const out = applyJsonPatch({ metadata: { annotations: { 'a/b': '1' } } }, [
      { op: 'replace', path: '/metadata/annotations/a~1b', value: '2' },
    ]);
    expect(out.metadata.annotations['a/b']).toBe('2');
  });

  it('fails the whole patch on a failed test or a missing path', () => {
    expect(() =>
      applyJsonPatch(sts, [{ op: 'test', path: '/spec/replicas', value: 9 }]),
    ).toThrow(PatchError);
    expect(() =>
      applyJsonPatch(sts, [{ op: 'remove', path: '/spec/nothing' }]),
    ).toThrow(PatchError);
    expect(() => applyJsonPatch(sts, { op: 'add' })).toThrow(PatchError);
  });
});

describe('strategic merge patch', () => {
  it('merges containers by name, env by name, ports by containerPort, mounts by path', () => {
    const out = applyStrategicMergePatch(sts, {
      spec: {
        template: {
          spec: {
            containers: [
              {
                name: 'mysql',
                image: 'mysql:8.4.1',
                env: [{ name: 'B', value: '2' }],
                ports: [{ containerPort: 3306, protocol: 'TCP' }],
                volumeMounts: [{ mountPath: '/var/lib/mysql', readOnly: true }],
              },
            ],
          },
        },
      },
    });
    const [mysql, exporter] = out.spec.template.spec.containers;
    expect(mysql.image).toBe('mysql:8.4.1');
    expect(mysql.env).toEqual([
      { name: 'A', value: '1' },
      { name: 'B', value: '2' },
    ]);
    expect(mysql.ports).toEqual([
      { containerPort: 3306, name: 'mysql', protocol: 'TCP' },
    ]);
    expect(mysql.volumeMounts[0]).toEqual({
      name: 'data',
      mountPath: '/var/lib/mysql',
      readOnly: true,
    });
    expect(exporter.name).toBe('exporter');
  });

  it('honours $patch delete and replace', () => {
    const deleted = applyStrategicMergePatch(sts, {
      spec: {
        template: {
          spec: { containers: [{ name: 'exporter', $patch: 'delete' }] },
        },
      },
    });
    expect(
      deleted.spec.template.spec.containers.map((c: any) => c.name),
    ).toEqual(['mysql']);
    const replaced = applyStrategicMergePatch(sts, {
      spec: {
        template: {
          spec: {
            volumes: [{ name: 'only', emptyDir: {} }, { $patch: 'replace' }],
          },
        },
      },
    });
    expect(replaced.spec.template.spec.volumes).toEqual([
      { name: 'only', emptyDir: {} },
    ]);
  });

  it('merges finalizers as a set and deletes from primitive lists', () => {
    const out = applyStrategicMergePatch(
      { metadata: { finalizers: ['a', 'b'] } },
      {
        metadata: {
          finalizers: ['c'],
          '$deleteFromPrimitiveList/finalizers': ['a'],
        },
      },
    );
    expect(out.metadata.finalizers).toEqual(['b', 'c']);
  });
});

describe('server-side apply merge and managed fields', () => {
  it('merges keyed lists of built-ins and keeps unowned fields', () => {
    const out = applyConfiguration(
      sts,
      {
        spec: {
          replicas: 4,
          template: {
            spec: { containers: [{ name: 'mysql', image: 'mysql:9' }] },
          },
        },
      },
      true,
    );
    expect(out.spec.replicas).toBe(4);
    expect(out.spec.template.spec.containers).toHaveLength(2);
    expect(out.spec.template.spec.containers[0].env).toEqual([
      { name: 'A', value: '1' },
    ]);
  });

  it('records keyed list items as k: entries', () => {
    const f = fieldsV1Of({
      metadata: { labels: { app: 'x' } },
      spec: { template: { spec: { containers: [{ name: 'm', image: 'i' }] } } },
    });
    expect(f['f:metadata']['f:labels']['f:app']).toEqual({});
    expect(
      f['f:spec']['f:template']['f:spec']['f:containers']['k:{"name":"m"}'][
        'f:image'
      ],
    ).toEqual({});
  });
});

describe('server-side apply field removal', () => {
  it('removes what a manager stopped applying unless someone else owns it', () => {
    const live = {
      metadata: { annotations: { a: '1', b: '2', c: '3' } },
      spec: {
        template: {
          spec: {
            containers: [
              { name: 'm', image: 'i' },
              { name: 's', image: 'j' },
            ],
          },
        },
      },
    };
    const before = fieldsV1Of({
      metadata: { annotations: { a: '1', b: '2' } },
      spec: {
        template: {
          spec: {
            containers: [
              { name: 'm', image: 'i' },
              { name: 's', image: 'j' },
            ],
          },
        },
      },
    });
    const now = fieldsV1Of({
      metadata: { annotations: { a: '1' } },
      spec: { template: { spec: { containers: [{ name: 'm', image: 'i' }] } } },
    });
    const other = fieldsV1Of({ metadata: { annotations: { c: '3' } } });
    removeUnappliedFields(live, before, now, [other]);
    expect(live.metadata.annotations).toEqual({ a: '1', c: '3' });
    expect(live.spec.template.spec.containers.map(c => c.name)).toEqual(['m']);
  });
});
