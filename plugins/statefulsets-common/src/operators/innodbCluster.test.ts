import { buildTopology } from '../buildTopology';
import { readEntityPolicy } from '../entityPolicy';
import { ClusterObjects, emptyClusterObjects, KubeObject } from '../kube';
import {
  innodbClusterConvention,
  innodbClusterStatusOf,
  innodbPodRole,
} from './innodbCluster';
import { keepRelatedOperatorObjects, operatorLinks } from './index';

const NS = 'databases';
const NAME = 'ledger';
const NOW = Date.parse('2026-12-01T00:00:00Z');
const labels = { tier: 'mysql', 'mysql.oracle.com/cluster': NAME };

function innodbCluster(name: string): KubeObject {
  return {
    apiVersion: 'mysql.oracle.com/v2',
    kind: 'InnoDBCluster',
    metadata: { name, namespace: NS },
    spec: { secretName: `${name}-root`, instances: 3 },
    status: { cluster: { status: 'ONLINE', onlineInstances: 3 } },
  };
}

function side(image: string): ClusterObjects {
  const objects = emptyClusterObjects();
  objects.innodbClusters.push(innodbCluster(NAME), innodbCluster('other'));
  objects.statefulSets.push({
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: {
      name: NAME,
      namespace: NS,
      labels: { ...labels, 'app.kubernetes.io/component': 'database' },
    },
    spec: {
      replicas: 3,
      template: {
        metadata: { labels: { ...labels, component: 'mysqld' } },
        spec: { containers: [{ name: 'mysql', image }] },
      },
    },
    status: { readyReplicas: 3, updatedReplicas: 3 },
  });
  objects.pods.push(
    ...['PRIMARY', 'SECONDARY', undefined].map(
      (role, i): KubeObject => ({
        metadata: {
          name: `${NAME}-${i}`,
          namespace: NS,
          labels: {
            ...labels,
            ...(role ? { 'mysql.oracle.com/cluster-role': role } : {}),
          },
          ownerReferences: [{ kind: 'StatefulSet', name: NAME }],
        },
        status: { phase: 'Running' },
      }),
    ),
  );
  return objects;
}

function world() {
  return {
    'eu-central': side(
      'container-registry.oracle.com/mysql/community-server:9.1.0',
    ),
    'eu-west': side(
      'container-registry.oracle.com/mysql/community-server:9.0.1',
    ),
  };
}

describe('innodbClusterConvention', () => {
  it('says the MySQL Operator runs the StatefulSet, without a role it never publishes', () => {
    const objects = world()['eu-central'];
    expect(
      innodbClusterConvention.roleOf!(objects.statefulSets[0], objects),
    ).toEqual({ role: 'unknown', source: 'mysql-operator' });
    expect(
      innodbClusterConvention.roleOf!(
        { metadata: { name: NAME, namespace: NS } },
        objects,
      ),
    ).toBeUndefined();
  });

  it('reads pod roles from the Group Replication role label (absent unless ONLINE)', () => {
    expect(world()['eu-west'].pods.map(innodbPodRole)).toEqual([
      'primary',
      'replica',
      'unknown',
    ]);
  });

  it('reads the group status the operator probed', () => {
    expect(innodbClusterStatusOf(innodbCluster(NAME))).toBe('ONLINE');
    expect(innodbClusterStatusOf({ metadata: { name: NAME } })).toBeUndefined();
  });

  it('selects the pods of an InnoDBCluster', () => {
    expect(innodbClusterConvention.selectorOf!(innodbCluster(NAME))).toBe(
      'mysql.oracle.com/cluster=ledger,tier=mysql',
    );
  });

  it('draws no link between clusters: the operator cannot express one', () => {
    expect(innodbClusterConvention.links).toBeUndefined();
    expect(operatorLinks(world(), { now: NOW, maxLagSeconds: 30 })).toEqual([]);
  });

  it('drops an InnoDBCluster of the namespace that runs none of the pods', () => {
    const objects = world()['eu-central'];
    keepRelatedOperatorObjects(objects);
    expect(objects.innodbClusters.map(c => c.metadata.name)).toEqual([NAME]);
  });

  it('builds the topology of two independent InnoDBClusters', () => {
    const w = world();
    for (const objects of Object.values(w)) keepRelatedOperatorObjects(objects);
    const topology = buildTopology({
      entityRef: 'component:default/ledger',
      policy: readEntityPolicy({ 'multicluster-statefulsets/engine': 'mysql' }),
      snapshots: Object.entries(w).map(([name, objects]) => ({
        info: { name, zones: [] },
        objects,
      })),
      replication: operatorLinks(w, { now: NOW, maxLagSeconds: 30 }),
      traffic: { routing: 'none', weights: {}, warnings: [] },
      now: NOW,
    });
    expect(
      topology.clusters.map(c => [
        c.name,
        c.role,
        c.workloads.map(x => [x.name, x.role, x.roleSource]),
      ]),
    ).toEqual([
      ['eu-central', 'unknown', [[NAME, 'unknown', 'mysql-operator']]],
      ['eu-west', 'unknown', [[NAME, 'unknown', 'mysql-operator']]],
    ]);
    // Each member's role comes from the operator's role label.
    expect(
      topology.clusters
        .find(c => c.name === 'eu-west')!
        .workloads[0].pods.map(p => p.role),
    ).toEqual(world()['eu-west'].pods.map(innodbPodRole));
    expect(topology.replication).toEqual([]);
    expect(topology.drift).toEqual([
      expect.objectContaining({
        workload: NAME,
        field: 'image[mysql]',
        values: {
          'eu-central':
            'container-registry.oracle.com/mysql/community-server:9.1.0',
          'eu-west':
            'container-registry.oracle.com/mysql/community-server:9.0.1',
        },
      }),
    ]);
  });
});
