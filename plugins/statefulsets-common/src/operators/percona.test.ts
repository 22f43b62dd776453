import { buildTopology } from '../buildTopology';
import { readEntityPolicy } from '../entityPolicy';
import { ClusterObjects, emptyClusterObjects, KubeObject } from '../kube';
import {
  keepRelatedOperatorObjects,
  operatorLinks,
  operatorRoleOf,
} from './index';
import {
  perconaServerMongodbConvention,
  perconaXtraDbClusterConvention,
} from './percona';

const NS = 'databases';
const now = Date.parse('2026-12-06T12:00:00Z');
const options = { now, maxLagSeconds: 5 };
const lbHost = (cluster: string, svc: string) =>
  `${svc}.${NS}.${cluster}.elb.simulator.local`;

/** A StatefulSet the operator runs, with its pods ready. */
function operated(
  objects: ClusterObjects,
  o: {
    name: string;
    owner: KubeObject;
    labels: Record<string, string>;
    replicas: number;
    image: string;
  },
): void {
  objects.statefulSets.push({
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: {
      name: o.name,
      namespace: NS,
      labels: o.labels,
      ownerReferences: [
        {
          apiVersion: o.owner.apiVersion,
          kind: o.owner.kind!,
          name: o.owner.metadata.name,
        },
      ],
    },
    spec: {
      replicas: o.replicas,
      serviceName: o.name,
      template: {
        metadata: { labels: o.labels },
        spec: { containers: [{ name: 'main', image: o.image }] },
      },
    },
    status: { readyReplicas: o.replicas, updatedReplicas: o.replicas },
  });
  for (let i = 0; i < o.replicas; i++) {
    objects.pods.push({
      metadata: {
        name: `${o.name}-${i}`,
        namespace: NS,
        labels: o.labels,
        ownerReferences: [{ kind: 'StatefulSet', name: o.name }],
      },
      spec: {},
      status: {
        phase: 'Running',
        conditions: [{ type: 'Ready', status: 'True' }],
      },
    });
  }
}

/** One LoadBalancer Service per pod, publishing the cluster's hostname. */
function exposed(
  objects: ClusterObjects,
  cluster: string,
  sts: string,
  replicas: number,
  labels: Record<string, string>,
): void {
  for (let i = 0; i < replicas; i++) {
    objects.services.push({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: `${sts}-${i}`, namespace: NS, labels },
      spec: { type: 'LoadBalancer' },
      status: {
        loadBalancer: {
          ingress: [{ hostname: lbHost(cluster, `${sts}-${i}`) }],
        },
      },
    });
  }
}

const pxcLabels = (name: string, component: string) => ({
  'app.kubernetes.io/name': 'percona-xtradb-cluster',
  'app.kubernetes.io/instance': name,
  'app.kubernetes.io/component': component,
  'app.kubernetes.io/managed-by': 'percona-xtradb-cluster-operator',
  'app.kubernetes.io/part-of': 'percona-xtradb-cluster',
});

function pxcResource(
  name: string,
  pxc: Record<string, unknown>,
  state = 'ready',
) {
  return {
    apiVersion: 'pxc.percona.com/v1',
    kind: 'PerconaXtraDBCluster',
    metadata: { name, namespace: NS },
    spec: { pxc: { size: 3, ...pxc }, haproxy: { enabled: true, size: 2 } },
    status: { state, host: `${name}-haproxy.${NS}` },
  };
}

/** The `payments` PXC in one cluster: source site or replica of eu-central. */
function pxcSite(
  cluster: string,
  o: { source: boolean; state?: string; image?: string; hosts?: string[] },
): ClusterObjects {
  const objects = emptyClusterObjects();
  const resource = pxcResource(
    'payments',
    o.source
      ? {
          expose: { enabled: true, type: 'LoadBalancer' },
          replicationChannels: [{ name: 'payments_dr', isSource: true }],
        }
      : {
          replicationChannels: [
            {
              name: 'payments_dr',
              isSource: false,
              sourcesList: (
                o.hosts ??
                [0, 1, 2].map(i => lbHost('eu-central', `payments-pxc-${i}`))
              ).map(host => ({ host, port: 3306, weight: 100 })),
            },
          ],
        },
    o.state,
  );
  objects.perconaXtraDbClusters.push(
    resource,
    // Another database of the namespace, read because the kind is read whole.
    pxcResource('ledger', {}),
  );
  const image = o.image ?? 'percona/percona-xtradb-cluster:8.0.42-33.1';
  operated(objects, {
    name: 'payments-pxc',
    owner: resource,
    labels: pxcLabels('payments', 'pxc'),
    replicas: 3,
    image,
  });
  operated(objects, {
    name: 'payments-haproxy',
    owner: resource,
    labels: pxcLabels('payments', 'haproxy'),
    replicas: 2,
    image: 'percona/haproxy:2.8.15',
  });
  if (o.source) {
    exposed(objects, cluster, 'payments-pxc', 3, pxcLabels('payments', 'pxc'));
  }
  return objects;
}

const psmdbLabels = (component: string) => ({
  'app.kubernetes.io/name': 'percona-server-mongodb',
  'app.kubernetes.io/instance': 'profiles',
  'app.kubernetes.io/replset': 'rs0',
  'app.kubernetes.io/component': component,
  'app.kubernetes.io/managed-by': 'percona-server-mongodb-operator',
  'app.kubernetes.io/part-of': 'percona-server-mongodb',
});

/** The `profiles` PSMDB in one cluster: the main site or the unmanaged one. */
function psmdbSite(
  cluster: string,
  o: { main: boolean; state?: string; image?: string },
): ClusterObjects {
  const objects = emptyClusterObjects();
  const resource: KubeObject = {
    apiVersion: 'psmdb.percona.com/v1',
    kind: 'PerconaServerMongoDB',
    metadata: { name: 'profiles', namespace: NS },
    spec: {
      ...(o.main ? {} : { unmanaged: true }),
      replsets: [
        {
          name: 'rs0',
          size: 3,
          expose: { enabled: true, type: 'LoadBalancer' },
          ...(o.main
            ? {
                externalNodes: [0, 1, 2].map(i => ({
                  host: lbHost('us-east', `profiles-rs0-${i}`),
                  votes: 0,
                  priority: 0,
                })),
              }
            : {}),
        },
      ],
    },
    status: { state: o.state ?? 'ready' },
  };
  objects.perconaServerMongodbs.push(resource, {
    apiVersion: 'psmdb.percona.com/v1',
    kind: 'PerconaServerMongoDB',
    metadata: { name: 'sessions', namespace: NS },
    spec: { replsets: [{ name: 'rs0', size: 3 }] },
  });
  operated(objects, {
    name: 'profiles-rs0',
    owner: resource,
    labels: psmdbLabels('mongod'),
    replicas: 3,
    image: o.image ?? 'percona/percona-server-mongodb:8.0.12-4',
  });
  exposed(objects, cluster, 'profiles-rs0', 3, psmdbLabels('external-service'));
  return objects;
}

function topologyOf(byCluster: Record<string, ClusterObjects>, engine: string) {
  for (const objects of Object.values(byCluster)) {
    keepRelatedOperatorObjects(objects);
  }
  return buildTopology({
    entityRef: 'component:default/db',
    policy: readEntityPolicy({ 'multicluster-statefulsets/engine': engine }),
    snapshots: Object.entries(byCluster).map(([name, objects]) => ({
      info: { name, zones: [] },
      objects,
    })),
    replication: operatorLinks(byCluster, options),
    traffic: { routing: 'none', weights: {}, warnings: [] },
    now,
  });
}

describe('perconaXtraDbClusterConvention', () => {
  const c = perconaXtraDbClusterConvention;

  it('names the pods a resource runs and the engine', () => {
    expect(c.engine).toBe('mysql');
    expect(c.selectorOf!(pxcResource('payments', {}))).toBe(
      'app.kubernetes.io/instance=payments,app.kubernetes.io/name=percona-xtradb-cluster',
    );
  });

  it('gives the source site active and the replica site passive, proxies included', () => {
    const central = pxcSite('eu-central', { source: true });
    const west = pxcSite('eu-west', { source: false });
    const roles = (objects: ClusterObjects) =>
      objects.statefulSets.map(s => [
        s.metadata.name,
        operatorRoleOf(s, objects),
      ]);
    expect(roles(central)).toEqual([
      [
        'payments-pxc',
        { role: 'active', source: 'percona-xtradb-cluster', component: 'pxc' },
      ],
      [
        'payments-haproxy',
        {
          role: 'active',
          source: 'percona-xtradb-cluster',
          component: 'haproxy',
        },
      ],
    ]);
    expect(roles(west).map(([n, s]: any) => [n, s.role])).toEqual([
      ['payments-pxc', 'passive'],
      ['payments-haproxy', 'passive'],
    ]);
  });

  it('says nothing of a StatefulSet no resource runs', () => {
    const objects = pxcSite('eu-central', { source: true });
    const other = {
      ...objects.statefulSets[0],
      metadata: { name: 'x', namespace: NS },
    };
    expect(c.roleOf!(other, objects)).toBeUndefined();
  });

  it('links the cluster publishing a sourcesList host to the replica site', () => {
    const byCluster = {
      'eu-central': pxcSite('eu-central', { source: true }),
      'eu-west': pxcSite('eu-west', { source: false }),
    };
    expect(c.links!(byCluster, options)).toEqual([
      {
        from: 'eu-central',
        to: 'eu-west',
        workload: 'payments-pxc',
        provider: 'percona-xtradb-cluster',
        lagSeconds: null,
        healthy: false,
        reason: "lag not in the operator's status",
      },
    ]);
  });

  it('reports a replica site that is not ready', () => {
    const [link] = c.links!(
      {
        'eu-central': pxcSite('eu-central', { source: true }),
        'eu-west': pxcSite('eu-west', { source: false, state: 'initializing' }),
      },
      options,
    );
    expect(link).toMatchObject({
      healthy: false,
      reason: 'replica site state initializing',
    });
  });

  it('matches a source host external-dns publishes for a Service', () => {
    const central = pxcSite('eu-central', { source: true });
    central.services[1].metadata.annotations = {
      'external-dns.alpha.kubernetes.io/hostname':
        'pxc-1.payments.example.org.',
    };
    const links = c.links!(
      {
        'eu-central': central,
        'eu-west': pxcSite('eu-west', {
          source: false,
          hosts: ['PXC-1.payments.example.org'],
        }),
      },
      options,
    );
    expect(links.map(l => [l.from, l.to])).toEqual([['eu-central', 'eu-west']]);
  });

  it('finds no link when no cluster publishes the sources', () => {
    expect(
      c.links!(
        {
          'eu-central': pxcSite('eu-central', { source: true }),
          'eu-west': pxcSite('eu-west', {
            source: false,
            hosts: ['10.0.0.7', 'mysql.on-premises.example.com'],
          }),
        },
        options,
      ),
    ).toEqual([]);
  });

  it("keeps only the resource that runs the entity's pods", () => {
    const objects = pxcSite('eu-central', { source: true });
    expect(objects.perconaXtraDbClusters).toHaveLength(2);
    keepRelatedOperatorObjects(objects);
    expect(objects.perconaXtraDbClusters.map(r => r.metadata.name)).toEqual([
      'payments',
    ]);
  });

  it('builds a two-cluster topology: roles, their source, the link and drift', () => {
    const topology = topologyOf(
      {
        'eu-central': pxcSite('eu-central', { source: true }),
        'eu-west': pxcSite('eu-west', {
          source: false,
          image: 'percona/percona-xtradb-cluster:8.0.41-32.1',
        }),
      },
      'mysql',
    );
    expect(
      topology.clusters.map(cl => [
        cl.name,
        cl.role,
        cl.workloads.map(w => [w.name, w.role, w.roleSource, w.component]),
      ]),
    ).toEqual([
      [
        'eu-central',
        'active',
        [
          ['payments-haproxy', 'active', 'percona-xtradb-cluster', 'haproxy'],
          ['payments-pxc', 'active', 'percona-xtradb-cluster', 'pxc'],
        ],
      ],
      [
        'eu-west',
        'passive',
        [
          ['payments-haproxy', 'passive', 'percona-xtradb-cluster', 'haproxy'],
          ['payments-pxc', 'passive', 'percona-xtradb-cluster', 'pxc'],
        ],
      ],
    ]);
    expect(
      topology.replication.map(l => [l.from, l.to, l.workload, l.provider]),
    ).toEqual([
      ['eu-central', 'eu-west', 'payments-pxc', 'percona-xtradb-cluster'],
    ]);
    expect(topology.drift).toEqual([
      expect.objectContaining({
        workload: 'payments-pxc',
        values: {
          'eu-central': 'percona/percona-xtradb-cluster:8.0.42-33.1',
          'eu-west': 'percona/percona-xtradb-cluster:8.0.41-32.1',
        },
      }),
    ]);
    expect(
      topology.readiness.checks.find(ch => ch.id === 'passive-in-sync'),
    ).toMatchObject({ status: 'warn' });
  });
});

describe('perconaServerMongodbConvention', () => {
  const c = perconaServerMongodbConvention;

  it('names the pods a resource runs and the engine', () => {
    expect(c.engine).toBe('mongodb');
    expect(
      c.selectorOf!({ metadata: { name: 'profiles', namespace: NS } }),
    ).toBe(
      'app.kubernetes.io/instance=profiles,app.kubernetes.io/name=percona-server-mongodb',
    );
  });

  it('gives the main site active and the unmanaged site passive', () => {
    const main = psmdbSite('eu-central', { main: true });
    const unmanaged = psmdbSite('us-east', { main: false });
    expect(operatorRoleOf(main.statefulSets[0], main)).toEqual({
      role: 'active',
      source: 'percona-server-mongodb',
      component: 'mongod',
    });
    expect(operatorRoleOf(unmanaged.statefulSets[0], unmanaged)).toEqual({
      role: 'passive',
      source: 'percona-server-mongodb',
      component: 'mongod',
    });
  });

  it('links the site listing the unmanaged members as external nodes to it', () => {
    expect(
      c.links!(
        {
          'eu-central': psmdbSite('eu-central', { main: true }),
          'us-east': psmdbSite('us-east', { main: false }),
        },
        options,
      ),
    ).toEqual([
      {
        from: 'eu-central',
        to: 'us-east',
        workload: 'profiles-rs0',
        provider: 'percona-server-mongodb',
        lagSeconds: null,
        healthy: false,
        reason: "lag not in the operator's status",
      },
    ]);
  });

  it('reports an unmanaged site that is not ready, and no link without a main site', () => {
    const unready = c.links!(
      {
        'eu-central': psmdbSite('eu-central', { main: true }),
        'us-east': psmdbSite('us-east', { main: false, state: 'error' }),
      },
      options,
    );
    expect(unready.map(l => l.reason)).toEqual(['replica site state error']);
    expect(
      c.links!({ 'us-east': psmdbSite('us-east', { main: false }) }, options),
    ).toEqual([]);
  });

  it("keeps only the resource that runs the entity's pods", () => {
    const objects = psmdbSite('us-east', { main: false });
    keepRelatedOperatorObjects(objects);
    expect(objects.perconaServerMongodbs.map(r => r.metadata.name)).toEqual([
      'profiles',
    ]);
  });

  it('builds a two-cluster topology: roles, their source, the link and drift', () => {
    const topology = topologyOf(
      {
        'eu-central': psmdbSite('eu-central', { main: true }),
        'us-east': psmdbSite('us-east', {
          main: false,
          image: 'percona/percona-server-mongodb:7.0.24-13',
        }),
      },
      'mongodb',
    );
    expect(
      topology.clusters.map(cl => [
        cl.name,
        cl.role,
        cl.workloads.map(w => [w.name, w.role, w.roleSource]),
      ]),
    ).toEqual([
      [
        'eu-central',
        'active',
        [['profiles-rs0', 'active', 'percona-server-mongodb']],
      ],
      [
        'us-east',
        'passive',
        [['profiles-rs0', 'passive', 'percona-server-mongodb']],
      ],
    ]);
    expect(
      topology.replication.map(l => [l.from, l.to, l.workload, l.provider]),
    ).toEqual([
      ['eu-central', 'us-east', 'profiles-rs0', 'percona-server-mongodb'],
    ]);
    expect(topology.drift).toEqual([
      expect.objectContaining({
        workload: 'profiles-rs0',
        values: {
          'eu-central': 'percona/percona-server-mongodb:8.0.12-4',
          'us-east': 'percona/percona-server-mongodb:7.0.24-13',
        },
      }),
    ]);
  });
});
