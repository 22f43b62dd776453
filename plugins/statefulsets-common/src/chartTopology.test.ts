import { bitnamiStatefulSet } from './__fixtures__/bitnami';
import { buildTopology } from './buildTopology';
import { readEntityPolicy } from './entityPolicy';
import { emptyClusterObjects, KubeObject } from './kube';
import { operatorLinks } from './operators';

function snapshot(name: string, ...statefulSets: KubeObject[]) {
  const objects = emptyClusterObjects();
  objects.statefulSets.push(...statefulSets);
  return { info: { name, zones: [] }, objects };
}

describe('a Bitnami chart database without the product annotations', () => {
  const topology = buildTopology({
    entityRef: 'component:default/orders',
    policy: readEntityPolicy({ 'multicluster-statefulsets/engine': 'mysql' }),
    snapshots: [
      snapshot(
        'eu-west',
        bitnamiStatefulSet({
          chart: 'mysql',
          component: 'primary',
          image: 'bitnami/mysql:8.4.2-debian-12-r0',
        }),
      ),
      snapshot(
        'eu-central',
        bitnamiStatefulSet({
          chart: 'mysql',
          component: 'secondary',
          release: 'orders-dr',
          image: 'bitnami/mysql:8.0.36-debian-12-r1',
          replicas: 2,
        }),
      ),
    ],
    replication: [],
    traffic: { routing: 'none', weights: {}, warnings: [] },
    now: Date.parse('2026-12-01T00:00:00Z'),
  });

  it('takes each cluster role from the component label, with its source', () => {
    expect(
      topology.clusters.map(c => [
        c.name,
        c.role,
        c.workloads[0].roleSource,
        c.workloads[0].component,
      ]),
    ).toEqual([
      ['eu-west', 'active', 'chart-component-label', 'primary'],
      ['eu-central', 'passive', 'chart-component-label', 'secondary'],
    ]);
  });

  it('compares the primary with its differently named replica', () => {
    expect(topology.drift).toEqual([
      {
        workload: 'orders-dr-mysql-secondary ↔ orders-mysql-primary',
        workloads: {
          'eu-west': 'orders-mysql-primary',
          'eu-central': 'orders-dr-mysql-secondary',
        },
        field: 'image[mysql]',
        values: {
          'eu-west': 'bitnami/mysql:8.4.2-debian-12-r0',
          'eu-central': 'bitnami/mysql:8.0.36-debian-12-r1',
        },
      },
    ]);
  });

  it('is not ready because the replica is older than its primary', () => {
    const byId = new Map(topology.readiness.checks.map(c => [c.id, c]));
    expect(topology.readiness.verdict).toBe('not-ready');
    expect(byId.get('engine-version')).toMatchObject({
      status: 'fail',
      evidence: expect.stringContaining(
        'replica eu-central/orders-dr-mysql-secondary runs mysql 8.0.36-debian-12-r1, its primary eu-west/orders-mysql-primary 8.4.2-debian-12-r0',
      ),
    });
    expect(byId.get('no-critical-drift')?.status).toBe('warn');
  });
});

describe('a Bitnami chart replica in another cluster, found by its source host', () => {
  const now = Date.parse('2026-12-01T00:00:00Z');
  const central = emptyClusterObjects();
  central.statefulSets.push(
    bitnamiStatefulSet({
      chart: 'mysql',
      component: 'primary',
      release: 'shop-mysql',
      image: 'docker.io/bitnami/mysql:8.4.5-debian-12-r0',
    }),
  );
  central.services.push({
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'shop-mysql-primary', namespace: 'databases' },
  });
  central.serviceExports.push({
    apiVersion: 'multicluster.x-k8s.io/v1alpha1',
    kind: 'ServiceExport',
    metadata: { name: 'shop-mysql-primary', namespace: 'databases' },
  });
  const west = emptyClusterObjects();
  west.statefulSets.push(
    bitnamiStatefulSet({
      chart: 'mysql',
      component: 'secondary',
      release: 'shop-mysql-dr',
      image: 'docker.io/bitnami/mysql:8.0.42-debian-12-r0',
      replicas: 2,
      masterHost: 'shop-mysql-primary.databases.svc.clusterset.local',
    }),
  );
  const replication = operatorLinks(
    { 'eu-central': central, 'eu-west': west },
    { now, maxLagSeconds: 30 },
  );
  const topology = buildTopology({
    entityRef: 'component:default/shop-mysql',
    policy: readEntityPolicy({ 'multicluster-statefulsets/engine': 'mysql' }),
    snapshots: [
      { info: { name: 'eu-central', zones: [] }, objects: central },
      { info: { name: 'eu-west', zones: [] }, objects: west },
    ],
    replication,
    traffic: { routing: 'mcs', weights: {}, warnings: [] },
    now,
  });

  it('links the replica to the cluster exporting its primary', () => {
    expect(topology.replication).toEqual([
      {
        from: 'eu-central',
        to: 'eu-west',
        workload: 'shop-mysql-dr-secondary',
        provider: 'chart-replication-env',
        lagSeconds: null,
        healthy: false,
        reason: 'lag not reported by the chart',
      },
    ]);
    expect(
      topology.clusters.map(c => [c.name, c.role, c.workloads[0].roleSource]),
    ).toEqual([
      ['eu-central', 'active', 'chart-component-label'],
      ['eu-west', 'passive', 'chart-component-label'],
    ]);
  });

  it('shows the image difference and fails readiness on the older replica', () => {
    expect(topology.drift).toContainEqual(
      expect.objectContaining({
        field: 'image[mysql]',
        values: {
          'eu-central': 'docker.io/bitnami/mysql:8.4.5-debian-12-r0',
          'eu-west': 'docker.io/bitnami/mysql:8.0.42-debian-12-r0',
        },
      }),
    );
    expect(
      topology.readiness.checks.find(c => c.id === 'engine-version'),
    ).toMatchObject({ status: 'fail' });
    expect(topology.readiness.verdict).toBe('not-ready');
  });
});
