import { bitnamiStatefulSet } from '../__fixtures__/bitnami';
import { REPLICATION_SOURCE_ENV, ROLE_SPECIFIC_ENV } from '../chartConventions';
import { ClusterObjects, emptyClusterObjects, KubeObject } from '../kube';
import {
  chartReplicas,
  chartReplicaSettingsOf,
  chartReplicationConvention,
  resolveReplicationHost,
} from './chartReplication';

const options = { now: Date.parse('2026-12-01T00:00:00Z'), maxLagSeconds: 30 };

function service(
  name: string,
  extra: { loadBalancer?: Array<{ ip?: string; hostname?: string }> } = {},
): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace: 'databases' },
    spec: { type: extra.loadBalancer ? 'LoadBalancer' : 'ClusterIP' },
    status: extra.loadBalancer
      ? { loadBalancer: { ingress: extra.loadBalancer } }
      : {},
  };
}

function serviceExport(name: string): KubeObject {
  return {
    apiVersion: 'multicluster.x-k8s.io/v1alpha1',
    kind: 'ServiceExport',
    metadata: { name, namespace: 'databases' },
  };
}

function cluster(parts: Partial<ClusterObjects>): ClusterObjects {
  return { ...emptyClusterObjects(), ...parts };
}

/** A MySQL primary in eu-central and a replica in eu-west naming `host`. */
function mysqlPair(host: string, central: Partial<ClusterObjects> = {}) {
  return {
    'eu-central': cluster({
      statefulSets: [
        bitnamiStatefulSet({
          chart: 'mysql',
          component: 'primary',
          release: 'shop',
        }),
      ],
      services: [service('shop-mysql-primary')],
      ...central,
    }),
    'eu-west': cluster({
      statefulSets: [
        bitnamiStatefulSet({
          chart: 'mysql',
          component: 'secondary',
          release: 'shop-dr',
          masterHost: host,
        }),
      ],
    }),
  };
}

describe('the Helm chart replication convention', () => {
  it('links a replica to the cluster exporting its clusterset.local host', () => {
    const objects = mysqlPair(
      'shop-mysql-primary.databases.svc.clusterset.local',
      { serviceExports: [serviceExport('shop-mysql-primary')] },
    );
    expect(chartReplicationConvention.links!(objects, options)).toEqual([
      {
        from: 'eu-central',
        to: 'eu-west',
        workload: 'shop-dr-mysql-secondary',
        provider: 'chart-replication-env',
        lagSeconds: null,
        healthy: false,
        reason: 'lag not reported by the chart',
      },
    ]);
  });

  it('gives no link for a clusterset.local host nobody exports, and says why', () => {
    const objects = mysqlPair(
      'shop-mysql-primary.databases.svc.clusterset.local',
    );
    expect(chartReplicationConvention.links!(objects, options)).toEqual([]);
    expect(chartReplicas(objects)).toEqual([
      expect.objectContaining({
        cluster: 'eu-west',
        workload: 'shop-dr-mysql-secondary',
        engine: 'mysql',
        host: 'shop-mysql-primary.databases.svc.clusterset.local',
        resolution: {
          kind: 'unresolved',
          reason:
            'no cluster exports the Service databases/shop-mysql-primary (no ServiceExport)',
        },
      }),
    ]);
  });

  it('refuses to pick a source among several exporting clusters', () => {
    const objects = mysqlPair(
      'shop-mysql-primary.databases.svc.clusterset.local',
      { serviceExports: [serviceExport('shop-mysql-primary')] },
    );
    objects['eu-west'].serviceExports.push(serviceExport('shop-mysql-primary'));
    objects['eu-west'].services.push(service('shop-mysql-primary'));
    expect(chartReplicationConvention.links!(objects, options)).toEqual([]);
    expect(chartReplicas(objects)[0].resolution).toEqual({
      kind: 'unresolved',
      reason:
        'the Service databases/shop-mysql-primary is exported by several clusters (eu-central, eu-west)',
    });
  });

  it('ignores an export whose Service is missing when another has it', () => {
    const objects = mysqlPair(
      'shop-mysql-primary.databases.svc.clusterset.local:3306',
      { serviceExports: [serviceExport('shop-mysql-primary')] },
    );
    objects['eu-west'].serviceExports.push(serviceExport('shop-mysql-primary'));
    expect(
      chartReplicationConvention.links!(objects, options).map(l => l.from),
    ).toEqual(['eu-central']);
  });

  it.each([
    'shop-mysql-primary',
    'shop-mysql-primary.databases',
    'shop-mysql-primary.databases.svc',
    'shop-mysql-primary.databases.svc.cluster.local',
    'shop-mysql-primary-0.shop-mysql-primary-headless.databases.svc.cluster.local',
  ])('reads %s as the replica’s own cluster: no cross-cluster link', host => {
    const objects = mysqlPair(host, {
      serviceExports: [serviceExport('shop-mysql-primary')],
    });
    expect(chartReplicationConvention.links!(objects, options)).toEqual([]);
    expect(chartReplicas(objects)[0].resolution).toEqual({
      kind: 'cluster',
      cluster: 'eu-west',
      via: 'cluster-local',
    });
  });

  it.each([
    [
      'mysql.eu-central.example.com',
      { hostname: 'mysql.eu-central.example.com' },
    ],
    ['10.20.0.15', { ip: '10.20.0.15' }],
  ])(
    'links a replica to the cluster publishing %s on a LoadBalancer',
    (host, ingress) => {
      const objects = mysqlPair(host, {
        services: [
          service('shop-mysql-primary-lb', { loadBalancer: [ingress] }),
        ],
      });
      expect(chartReplicationConvention.links!(objects, options)).toEqual([
        expect.objectContaining({
          from: 'eu-central',
          to: 'eu-west',
          workload: 'shop-dr-mysql-secondary',
        }),
      ]);
      expect(chartReplicas(objects)[0].resolution).toMatchObject({
        via: 'load-balancer',
      });
    },
  );

  it('gives no link for an address no Service publishes', () => {
    const objects = mysqlPair('db.example.com');
    expect(chartReplicationConvention.links!(objects, options)).toEqual([]);
    expect(chartReplicas(objects)[0].resolution).toEqual({
      kind: 'unresolved',
      reason:
        'no Service publishes db.example.com: not a cluster-local or clusterset.local name, nor a LoadBalancer address',
    });
  });

  it('reads the PostgreSQL chart’s read replicas', () => {
    const objects = {
      'eu-central': cluster({
        statefulSets: [
          bitnamiStatefulSet({ chart: 'postgresql', component: 'primary' }),
        ],
        services: [service('orders-postgresql-primary')],
        serviceExports: [serviceExport('orders-postgresql-primary')],
      }),
      'us-east': cluster({
        statefulSets: [
          bitnamiStatefulSet({
            chart: 'postgresql',
            component: 'read',
            release: 'orders-dr',
            masterHost:
              'orders-postgresql-primary.databases.svc.clusterset.local',
          }),
        ],
      }),
    };
    expect(chartReplicationConvention.links!(objects, options)).toEqual([
      expect.objectContaining({
        from: 'eu-central',
        to: 'us-east',
        workload: 'orders-dr-postgresql-read',
        provider: 'chart-replication-env',
      }),
    ]);
    expect(chartReplicas(objects)[0].engine).toBe('postgresql');
  });

  it('reads the MariaDB chart’s secondaries, which drift does not compare', () => {
    const secondary = bitnamiStatefulSet({ chart: 'mysql', component: 'x' });
    secondary.spec.template.spec.containers[0].env = [
      { name: 'MARIADB_REPLICATION_MODE', value: 'slave' },
      {
        name: 'MARIADB_MASTER_HOST',
        value: 'cart-mariadb-primary.databases.svc.clusterset.local.',
      },
    ];
    expect(chartReplicaSettingsOf(secondary)).toEqual({
      engine: 'mariadb',
      host: 'cart-mariadb-primary.databases.svc.clusterset.local',
    });
    expect(ROLE_SPECIFIC_ENV.has('MARIADB_MASTER_HOST')).toBe(true);
  });

  it('needs in clear text only the variables REPLICATION_SOURCE_ENV names', () => {
    const objects = mysqlPair(
      'shop-mysql-primary.databases.svc.clusterset.local',
      { serviceExports: [serviceExport('shop-mysql-primary')] },
    );
    for (const o of Object.values(objects)) {
      for (const sts of o.statefulSets) {
        for (const c of sts.spec.template.spec.containers) {
          c.env = [
            { name: 'MYSQL_MASTER_PORT_NUMBER', value: '3306' },
            ...c.env,
          ].map((e: { name: string; value: string }) =>
            REPLICATION_SOURCE_ENV.has(e.name)
              ? e
              : { name: e.name, value: 'sha256:0123456789ab' },
          );
        }
      }
    }
    expect(
      chartReplicationConvention.links!(objects, options).map(l => l.from),
    ).toEqual(['eu-central']);
  });

  it('reads the primary as no replica', () => {
    expect(
      chartReplicaSettingsOf(
        bitnamiStatefulSet({ chart: 'mysql', component: 'primary' }),
      ),
    ).toBeUndefined();
  });

  it('follows a MongoDB member to its initial primary, expanding the namespace', () => {
    const member = bitnamiStatefulSet({
      chart: 'mongodb',
      component: 'hidden',
      release: 'carts-dr',
    });
    member.spec.template.spec.containers[0].env = [
      {
        name: 'MY_POD_NAMESPACE',
        valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } },
      },
      { name: 'MONGODB_REPLICA_SET_MODE', value: 'hidden' },
      {
        name: 'MONGODB_INITIAL_PRIMARY_HOST',
        value:
          'carts-mongodb-0.carts-mongodb-headless.$(MY_POD_NAMESPACE).svc.clusterset.local',
      },
    ];
    expect(chartReplicaSettingsOf(member)).toEqual({
      engine: 'mongodb',
      host: 'carts-mongodb-0.carts-mongodb-headless.databases.svc.clusterset.local',
    });
    const pod = (name: string): KubeObject => ({
      metadata: { name, namespace: 'databases' },
    });
    const objects = {
      'eu-central': cluster({
        pods: [pod('carts-mongodb-0')],
        services: [service('carts-mongodb-headless')],
        serviceExports: [serviceExport('carts-mongodb-headless')],
      }),
      'eu-west': cluster({
        statefulSets: [member],
        services: [service('carts-mongodb-headless')],
        serviceExports: [serviceExport('carts-mongodb-headless')],
      }),
    };
    expect(
      chartReplicationConvention.links!(objects, options).map(l => [
        l.from,
        l.to,
        l.workload,
      ]),
    ).toEqual([['eu-central', 'eu-west', 'carts-dr-mongodb-hidden']]);
  });

  it('never reads an arbiter as a replica', () => {
    const arbiter = bitnamiStatefulSet({
      chart: 'mongodb',
      component: 'arbiter',
    });
    arbiter.spec.template.spec.containers[0].env = [
      { name: 'MONGODB_REPLICA_SET_MODE', value: 'arbiter' },
      {
        name: 'MONGODB_INITIAL_PRIMARY_HOST',
        value: 'x.y.svc.clusterset.local',
      },
    ];
    expect(chartReplicaSettingsOf(arbiter)).toBeUndefined();
  });

  it('resolves hosts without a replica too', () => {
    expect(
      resolveReplicationHost('SHOP-MYSQL-PRIMARY.', 'eu-west', {}),
    ).toEqual({ kind: 'cluster', cluster: 'eu-west', via: 'cluster-local' });
  });
});
