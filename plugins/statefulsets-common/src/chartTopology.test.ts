import { bitnamiStatefulSet } from './__fixtures__/bitnami';
import { buildTopology } from './buildTopology';
import { readEntityPolicy } from './entityPolicy';
import { emptyClusterObjects, KubeObject } from './kube';

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
