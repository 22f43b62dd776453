import { bitnamiStatefulSet } from './__fixtures__/bitnami';
import { statefulSet } from './__fixtures__/objects';
import { computeDrift } from './drift';

describe('computeDrift', () => {
  it('lists every differing field with values side by side', () => {
    const drift = computeDrift({
      a: [statefulSet({ cluster: 'a', image: 'mysql:8.4.2', storage: '10Gi' })],
      b: [
        statefulSet({
          cluster: 'b',
          image: 'mysql:8.4.3',
          storage: '20Gi',
          replicas: 3,
        }),
      ],
      c: [statefulSet({ cluster: 'c', image: 'mysql:8.4.2', storage: '10Gi' })],
    });
    expect(drift.map(d => d.field)).toEqual([
      'image[mysql]',
      'replicas',
      'storage.size[data]',
    ]);
    expect(drift[0]).toEqual({
      workload: 'orders-db',
      field: 'image[mysql]',
      values: { a: 'mysql:8.4.2', b: 'mysql:8.4.3', c: 'mysql:8.4.2' },
    });
  });

  it('finds no drift between identical clusters or a lone cluster', () => {
    expect(
      computeDrift({
        a: [statefulSet({ cluster: 'a' })],
        b: [statefulSet({ cluster: 'b' })],
      }),
    ).toEqual([]);
    expect(
      computeDrift({ a: [statefulSet({ cluster: 'a', image: 'x' })] }),
    ).toEqual([]);
  });

  it('shows a field missing on one side as null, one variable at a time', () => {
    const withEnv = statefulSet({ cluster: 'a' });
    withEnv.spec.template.spec.containers[0].env = [
      { name: 'MODE', value: 'x' },
      { name: 'SAME', value: 'y' },
    ];
    const alsoEnv = statefulSet({ cluster: 'b' });
    alsoEnv.spec.template.spec.containers[0].env = [
      { name: 'SAME', value: 'y' },
    ];
    const drift = computeDrift({ a: [withEnv], b: [alsoEnv] });
    expect(drift).toEqual([
      {
        workload: 'orders-db',
        field: 'config.env[mysql].MODE',
        values: { a: 'x', b: null },
      },
    ]);
  });

  it('compares a chart primary with its secondary in another cluster despite different names', () => {
    const drift = computeDrift({
      'eu-west': [
        bitnamiStatefulSet({
          chart: 'mysql',
          component: 'primary',
          image: 'bitnami/mysql:8.4.2',
          env: [{ name: 'MYSQL_CHARACTER_SET', value: 'utf8mb4' }],
        }),
      ],
      'eu-central': [
        bitnamiStatefulSet({
          chart: 'mysql',
          component: 'secondary',
          image: 'bitnami/mysql:8.0.36',
          replicas: 3,
          storage: '20Gi',
          storageClass: 'slow',
          cpu: '250m',
          env: [{ name: 'MYSQL_CHARACTER_SET', value: 'latin1' }],
        }),
      ],
    });
    const workload = 'orders-mysql-primary ↔ orders-mysql-secondary';
    const workloads = {
      'eu-west': 'orders-mysql-primary',
      'eu-central': 'orders-mysql-secondary',
    };
    // Replica count and the replication variables differ by role, not by drift.
    expect(drift.map(d => d.field)).toEqual([
      'config.env[mysql].MYSQL_CHARACTER_SET',
      'image[mysql]',
      'resources[mysql]',
      'storage.class[data]',
      'storage.size[data]',
    ]);
    expect(drift[1]).toEqual({
      workload,
      workloads,
      field: 'image[mysql]',
      values: {
        'eu-west': 'bitnami/mysql:8.4.2',
        'eu-central': 'bitnami/mysql:8.0.36',
      },
    });
    expect(drift.every(d => d.workload === workload)).toBe(true);
  });

  it('compares the one primary with each replica side and keeps arbiters apart', () => {
    const pg = (component: string, storage: string) =>
      bitnamiStatefulSet({ chart: 'postgresql', component, storage });
    const drift = computeDrift({
      a: [pg('primary', '8Gi'), pg('read', '8Gi')],
      b: [
        bitnamiStatefulSet({
          chart: 'postgresql',
          component: 'read',
          release: 'orders-dr',
          storage: '16Gi',
        }),
      ],
      c: [
        bitnamiStatefulSet({
          chart: 'mongodb',
          component: 'arbiter',
          image: 'mongo:8.0',
        }),
      ],
    });
    expect(drift).toEqual([
      {
        workload: 'orders-dr-postgresql-read ↔ orders-postgresql-primary',
        workloads: {
          a: 'orders-postgresql-primary',
          b: 'orders-dr-postgresql-read',
        },
        field: 'storage.size[data]',
        values: { a: '8Gi', b: '16Gi' },
      },
    ]);
  });

  it('still pairs by name first, with every field compared', () => {
    const drift = computeDrift({
      a: [bitnamiStatefulSet({ chart: 'mysql', component: 'secondary' })],
      b: [
        bitnamiStatefulSet({
          chart: 'mysql',
          component: 'secondary',
          replicas: 2,
        }),
      ],
    });
    expect(drift).toEqual([
      {
        workload: 'orders-mysql-secondary',
        field: 'replicas',
        values: { a: '1', b: '2' },
      },
    ]);
  });

  it('compares Strimzi Kafkas by version, config and their node pools', () => {
    const kafka = (
      version: string,
      replicas: number,
      size: string,
      isr: number,
    ) => ({
      apiVersion: 'kafka.strimzi.io/v1',
      kind: 'Kafka',
      metadata: { name: 'clickstream' },
      spec: { kafka: { version, config: { 'min.insync.replicas': isr } } },
      nodePools: [
        {
          metadata: { name: 'brokers' },
          spec: {
            replicas,
            roles: ['broker'],
            storage: { type: 'persistent-claim', size },
          },
        },
      ],
    });
    const drift = computeDrift({
      a: [kafka('4.1.0', 3, '100Gi', 2)],
      b: [kafka('4.0.0', 2, '50Gi', 2)],
    });
    expect(drift.map(d => [d.field, d.values])).toEqual([
      ['replicas', { a: '3', b: '2' }],
      ['replicas[brokers]', { a: '3', b: '2' }],
      [
        'storage[brokers]',
        {
          a: '{"type":"persistent-claim","size":"100Gi"}',
          b: '{"type":"persistent-claim","size":"50Gi"}',
        },
      ],
      ['version', { a: '4.1.0', b: '4.0.0' }],
    ]);
  });
});
