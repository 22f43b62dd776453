import { bitnamiStatefulSet } from './__fixtures__/bitnami';
import { buildWorkloads } from './buildWorkloads';
import {
  engineOfImage,
  engineOfObject,
  memberKindOf,
  workloadRoleOf,
} from './chartConventions';
import { emptyClusterObjects, KubeObject } from './kube';

function workloadsOf(...statefulSets: KubeObject[]) {
  const objects = emptyClusterObjects();
  objects.statefulSets.push(...statefulSets);
  for (const sts of statefulSets) {
    objects.pods.push({
      metadata: {
        name: `${sts.metadata.name}-0`,
        namespace: 'databases',
        ownerReferences: [{ kind: 'StatefulSet', name: sts.metadata.name }],
      },
      status: { phase: 'Running' },
    });
  }
  return buildWorkloads(objects);
}

describe('roles from the chart component label', () => {
  it('reads the Bitnami MySQL primary and secondary StatefulSets', () => {
    const ws = workloadsOf(
      bitnamiStatefulSet({ chart: 'mysql', component: 'primary' }),
      bitnamiStatefulSet({ chart: 'mysql', component: 'secondary' }),
    );
    expect(
      ws.map(w => [w.name, w.role, w.roleSource, w.component, w.serviceName]),
    ).toEqual([
      [
        'orders-mysql-primary',
        'active',
        'chart-component-label',
        'primary',
        'orders-mysql-primary-headless',
      ],
      [
        'orders-mysql-secondary',
        'passive',
        'chart-component-label',
        'secondary',
        'orders-mysql-secondary-headless',
      ],
    ]);
  });

  it('reads the Bitnami PostgreSQL primary and read replicas', () => {
    const ws = workloadsOf(
      bitnamiStatefulSet({ chart: 'postgresql', component: 'primary' }),
      bitnamiStatefulSet({ chart: 'postgresql', component: 'read' }),
    );
    expect(ws.map(w => [w.name, w.role, w.roleSource])).toEqual([
      ['orders-postgresql-primary', 'active', 'chart-component-label'],
      ['orders-postgresql-read', 'passive', 'chart-component-label'],
    ]);
  });

  it('gives MongoDB data members no role and marks arbiter pods as arbiters', () => {
    const ws = workloadsOf(
      bitnamiStatefulSet({ chart: 'mongodb', component: 'mongodb' }),
      bitnamiStatefulSet({ chart: 'mongodb', component: 'arbiter' }),
      bitnamiStatefulSet({ chart: 'mongodb', component: 'hidden' }),
    );
    expect(
      ws.map(w => [w.name, w.role, w.roleSource, w.component, w.pods[0].role]),
    ).toEqual([
      ['orders-mongodb', 'unknown', undefined, 'mongodb', 'unknown'],
      ['orders-mongodb-arbiter', 'unknown', undefined, 'arbiter', 'arbiter'],
      ['orders-mongodb-hidden', 'unknown', undefined, 'hidden', 'unknown'],
    ]);
  });

  it('lets the role annotation win over the component label', () => {
    const sts = bitnamiStatefulSet({
      chart: 'mysql',
      component: 'primary',
      annotations: { 'multicluster-statefulsets/role': 'passive' },
    });
    expect(workloadRoleOf(sts)).toEqual({
      role: 'passive',
      component: 'primary',
    });
    const [w] = workloadsOf(sts);
    expect(w.role).toBe('passive');
    expect(w.roleSource).toBeUndefined();
  });

  it('ignores component values that name no role', () => {
    const sts = bitnamiStatefulSet({ chart: 'mysql', component: 'primary' });
    sts.metadata.labels!['app.kubernetes.io/component'] = 'cache';
    expect(workloadRoleOf(sts)).toEqual({
      role: 'unknown',
      component: 'cache',
    });
  });
});

describe('engines and member kinds', () => {
  it('reads the engine from the chart name label, else the image', () => {
    expect(
      engineOfObject(
        bitnamiStatefulSet({ chart: 'postgresql', component: 'read' }),
      ),
    ).toBe('postgresql');
    expect(engineOfImage('docker.io/bitnami/mysql:8.0.36-debian-12-r1')).toBe(
      'mysql',
    );
    expect(engineOfImage('postgres:16.3')).toBe('postgresql');
    expect(engineOfImage('registry:5000/mongo@sha256:abc')).toBe('mongodb');
    expect(engineOfImage('percona/percona-xtradb-cluster:8.0.39-30.1')).toBe(
      'mysql',
    );
    expect(engineOfImage('percona/percona-server-mongodb:7.0.14-8')).toBe(
      'mongodb',
    );
    expect(
      engineOfImage('docker.elastic.co/elasticsearch/elasticsearch:9.1.0'),
    ).toBe('elasticsearch');
    expect(engineOfImage('redis:7')).toBeUndefined();
    expect(engineOfObject({ kind: 'Cluster', metadata: { name: 'pg' } })).toBe(
      'postgresql',
    );
  });

  it('tells data members from arbiters and hidden members', () => {
    const kind = (component: string) =>
      memberKindOf(bitnamiStatefulSet({ chart: 'mongodb', component }));
    expect(
      ['mongodb', 'primary', 'read', 'arbiter', 'hidden'].map(kind),
    ).toEqual(['data', 'data', 'data', 'arbiter', 'hidden']);
  });
});
