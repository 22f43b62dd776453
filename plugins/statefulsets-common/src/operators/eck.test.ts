import { buildTopology } from '../buildTopology';
import { readEntityPolicy } from '../entityPolicy';
import { ClusterObjects, emptyClusterObjects, KubeObject } from '../kube';
import { eckConvention, remoteAddressesOf } from './eck';
import { keepRelatedOperatorObjects, operatorLinks } from './index';

const NS = 'databases';
const NOW = Date.parse('2026-12-01T00:00:00Z');
const LEADER_HOST = 'logs-es-transport.databases.eu-west.elb.simulator.local';
const CLUSTER_NAME = 'elasticsearch.k8s.elastic.co/cluster-name';

interface Side {
  cluster: string;
  name?: string;
  version?: string;
  config?: Record<string, unknown>;
  publish?: string;
  health?: string;
  phase?: string;
  readyPods?: number;
}

function elasticsearch(side: Side): KubeObject {
  const name = side.name ?? 'logs';
  return {
    apiVersion: 'elasticsearch.k8s.elastic.co/v1',
    kind: 'Elasticsearch',
    metadata: {
      name,
      namespace: NS,
      labels: { 'backstage.io/owner': 'group:default/database-platform' },
    },
    spec: {
      version: side.version ?? '9.1.0',
      nodeSets: [{ name: 'default', count: 3, config: side.config ?? {} }],
    },
    status: {
      health: side.health ?? 'green',
      phase: side.phase ?? 'Ready',
      availableNodes: side.readyPods ?? 3,
      version: side.version ?? '9.1.0',
    },
  };
}

/** What ECK runs for one Elasticsearch in one cluster. */
function clusterObjects(...sides: Side[]): ClusterObjects {
  const objects = emptyClusterObjects();
  for (const side of sides) {
    const es = elasticsearch(side);
    const name = es.metadata.name;
    const version = side.version ?? '9.1.0';
    const labels = {
      'common.k8s.elastic.co/type': 'elasticsearch',
      [CLUSTER_NAME]: name,
      'elasticsearch.k8s.elastic.co/statefulset-name': `${name}-es-default`,
      'elasticsearch.k8s.elastic.co/version': version,
    };
    const owner = {
      apiVersion: 'elasticsearch.k8s.elastic.co/v1',
      kind: 'Elasticsearch',
      name,
    };
    objects.elasticsearches.push(es);
    objects.statefulSets.push({
      apiVersion: 'apps/v1',
      kind: 'StatefulSet',
      metadata: {
        name: `${name}-es-default`,
        namespace: NS,
        labels,
        ownerReferences: [owner],
      },
      spec: {
        replicas: 3,
        serviceName: `${name}-es-default`,
        template: {
          metadata: { labels },
          spec: {
            containers: [
              {
                name: 'elasticsearch',
                image: `docker.elastic.co/elasticsearch/elasticsearch:${version}`,
              },
            ],
          },
        },
        volumeClaimTemplates: [{ metadata: { name: 'elasticsearch-data' } }],
      },
      status: { replicas: 3, readyReplicas: side.readyPods ?? 3 },
    });
    for (let i = 0; i < 3; i++) {
      objects.pods.push({
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: {
          name: `${name}-es-default-${i}`,
          namespace: NS,
          labels,
          ownerReferences: [
            { kind: 'StatefulSet', name: `${name}-es-default` },
          ],
        },
        status: {
          phase: 'Running',
          conditions: [
            {
              type: 'Ready',
              status: i < (side.readyPods ?? 3) ? 'True' : 'False',
            },
          ],
        },
      });
    }
    objects.services.push({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: {
        name: `${name}-es-transport`,
        namespace: NS,
        labels: {
          'common.k8s.elastic.co/type': 'elasticsearch',
          [CLUSTER_NAME]: name,
        },
        ownerReferences: [owner],
      },
      spec: {
        type: side.publish ? 'LoadBalancer' : 'ClusterIP',
        ports: [{ name: 'tcp-transport', port: 9300 }],
      },
      status: side.publish
        ? { loadBalancer: { ingress: [{ hostname: side.publish }] } }
        : {},
    });
  }
  return objects;
}

const FOLLOWS_EU_WEST = {
  'cluster.remote.logs-eu-west.mode': 'proxy',
  'cluster.remote.logs-eu-west.proxy_address': `${LEADER_HOST}:9300`,
};

function leaderAndFollower(follower: Partial<Side> = {}) {
  return {
    'eu-west': clusterObjects({ cluster: 'eu-west', publish: LEADER_HOST }),
    'us-east': clusterObjects({
      cluster: 'us-east',
      publish: 'logs-es-transport.databases.us-east.elb.simulator.local',
      config: FOLLOWS_EU_WEST,
      ...follower,
    }),
  };
}

const options = { now: NOW, maxLagSeconds: 30 };

describe('eckConvention', () => {
  it('selects the pods of an Elasticsearch by its cluster-name label', () => {
    const es = elasticsearch({ cluster: 'eu-west' });
    expect(eckConvention.selectorOf?.(es)).toBe(
      'elasticsearch.k8s.elastic.co/cluster-name=logs',
    );
    expect(eckConvention.engine).toBe('elasticsearch');
  });

  it('reads remote clusters in proxy and sniff mode, dotted or nested', () => {
    const es = elasticsearch({
      cluster: 'us-east',
      config: {
        'cluster.remote.a.proxy_address': 'leader.example.net:9300',
        cluster: {
          remote: {
            b: { seeds: ['10.0.0.1:9300', '10.0.0.2:9300'] },
            c: { seeds: 'seed-1.example.net:9300,seed-2.example.net' },
          },
        },
        'node.store.allow_mmap': false,
      },
    });
    expect(remoteAddressesOf(es)).toEqual([
      { alias: 'a', host: 'leader.example.net', port: 9300 },
      { alias: 'b', host: '10.0.0.1', port: 9300 },
      { alias: 'b', host: '10.0.0.2', port: 9300 },
      { alias: 'c', host: 'seed-1.example.net', port: 9300 },
      { alias: 'c', host: 'seed-2.example.net' },
    ]);
  });

  it('makes the follower passive and the leader active, from ECK', () => {
    const world = leaderAndFollower();
    const roleIn = (cluster: 'eu-west' | 'us-east') =>
      eckConvention.roleOf?.(world[cluster].statefulSets[0], world[cluster]);
    expect(roleIn('eu-west')).toEqual({ role: 'active', source: 'eck' });
    expect(roleIn('us-east')).toEqual({ role: 'passive', source: 'eck' });
  });

  it('says nothing of a StatefulSet no Elasticsearch runs', () => {
    const objects = clusterObjects({ cluster: 'eu-west' });
    const other: KubeObject = {
      ...objects.statefulSets[0],
      metadata: { name: 'orders-db', namespace: NS, labels: {} },
    };
    expect(eckConvention.roleOf?.(other, objects)).toBeUndefined();
  });

  it('does not take a remote cluster of the same Kubernetes cluster for a leader elsewhere', () => {
    const objects = clusterObjects(
      {
        cluster: 'eu-west',
        config: {
          'cluster.remote.archive.seeds':
            'archive-es-transport.databases.svc:9300',
        },
      },
      { cluster: 'eu-west', name: 'archive' },
    );
    expect(eckConvention.roleOf?.(objects.statefulSets[0], objects)).toEqual({
      role: 'active',
      source: 'eck',
    });
  });

  it('links the leader cluster to the follower, lag left to the metrics', () => {
    expect(operatorLinks(leaderAndFollower(), options)).toEqual([
      {
        from: 'eu-west',
        to: 'us-east',
        workload: 'logs-es-default',
        provider: 'eck',
        lagSeconds: null,
        healthy: false,
        reason: 'lag not reported by ECK',
      },
    ]);
  });

  it('links through a host name external-dns publishes for the transport Service', () => {
    const world = leaderAndFollower({
      config: {
        'cluster.remote.logs-eu-west.seeds': [
          'logs-transport.eu-west.example.net:9300',
        ],
      },
    });
    world['eu-west'].services[0].metadata.annotations = {
      'external-dns.alpha.kubernetes.io/hostname':
        'logs-transport.eu-west.example.net.',
    };
    expect(
      eckConvention
        .links?.(world, options)
        .map(l => [l.from, l.to, l.workload]),
    ).toEqual([['eu-west', 'us-east', 'logs-es-default']]);
  });

  it('links nothing when the remote address is not one the other cluster publishes', () => {
    const world = leaderAndFollower({
      config: {
        'cluster.remote.x.proxy_address': 'elsewhere.example.net:9300',
      },
    });
    expect(eckConvention.links?.(world, options)).toEqual([]);
    // Still a follower of something outside the clusters read.
    expect(
      eckConvention.roleOf?.(world['us-east'].statefulSets[0], world['us-east'])
        ?.role,
    ).toBe('passive');
  });

  it('marks the link unhealthy when the follower is red or not Ready', () => {
    const [red] = eckConvention.links!(
      leaderAndFollower({ health: 'red', phase: 'ApplyingChanges' }),
      options,
    );
    expect(red).toMatchObject({
      healthy: false,
      lagSeconds: null,
      reason: 'follower Elasticsearch logs: health red, phase ApplyingChanges',
    });
    const [unknown] = eckConvention.links!(
      leaderAndFollower({ health: 'unknown' }),
      options,
    );
    expect(unknown.reason).toBe('follower Elasticsearch logs: health unknown');
  });

  it('keeps only the Elasticsearch that runs the entity StatefulSets', () => {
    const objects = clusterObjects({ cluster: 'eu-west' });
    objects.elasticsearches.push(
      elasticsearch({ cluster: 'eu-west', name: 'metrics' }),
    );
    keepRelatedOperatorObjects(objects);
    expect(objects.elasticsearches.map(e => e.metadata.name)).toEqual(['logs']);
  });
});

describe('an ECK Elasticsearch replicated across two clusters', () => {
  const world = leaderAndFollower({ version: '9.0.4' });
  for (const objects of Object.values(world))
    keepRelatedOperatorObjects(objects);
  const topology = buildTopology({
    entityRef: 'component:default/logs',
    policy: readEntityPolicy({
      'multicluster-statefulsets/engine': 'elasticsearch',
    }),
    snapshots: Object.entries(world).map(([name, objects]) => ({
      info: { name, zones: [] },
      objects,
    })),
    replication: operatorLinks(world, options),
    traffic: { routing: 'none', weights: {}, warnings: [] },
    now: NOW,
  });

  it('gives each cluster its role from ECK', () => {
    expect(
      topology.clusters.map(c => [
        c.name,
        c.role,
        c.workloads.map(w => [w.name, w.role, w.roleSource]),
      ]),
    ).toEqual([
      ['eu-west', 'active', [['logs-es-default', 'active', 'eck']]],
      ['us-east', 'passive', [['logs-es-default', 'passive', 'eck']]],
    ]);
  });

  it('carries the link from the leader to the follower', () => {
    expect(
      topology.replication.map(l => [l.from, l.to, l.workload, l.provider]),
    ).toEqual([['eu-west', 'us-east', 'logs-es-default', 'eck']]);
  });

  it('is not ready while the follower runs an older Elasticsearch than its leader', () => {
    const check = topology.readiness.checks.find(
      c => c.id === 'engine-version',
    );
    expect(check).toMatchObject({
      status: 'fail',
      evidence: expect.stringContaining('us-east/logs-es-default runs'),
    });
    expect(check?.evidence).toContain(
      '9.0.4, its primary eu-west/logs-es-default 9.1.0: the replica is older',
    );
  });

  it('shows the follower running another Elasticsearch version as drift', () => {
    expect(topology.drift).toEqual([
      expect.objectContaining({
        workload: 'logs-es-default',
        field: 'image[elasticsearch]',
        values: {
          'eu-west': 'docker.elastic.co/elasticsearch/elasticsearch:9.1.0',
          'us-east': 'docker.elastic.co/elasticsearch/elasticsearch:9.0.4',
        },
      }),
    ]);
  });
});
