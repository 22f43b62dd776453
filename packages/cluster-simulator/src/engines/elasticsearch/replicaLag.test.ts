/*
 * An Elasticsearch follower cluster's lag in the topology is what its CCR
 * stats say: no checkpoint lag and 0 s while its indices read their
 * leaders, the time since the last read while the leader is cut off, 0
 * again after heal.
 */
import { LAG_ANNOTATION } from '../../controllers/replicationLagController';
import type { KubeObject } from '../../controllers/types';
import { lagWorld, runningPod } from '../testing/lagWorld';

const NS = 'databases';
const LABELS = { app: 'search' };
const CONTAINERS = [
  {
    name: 'elasticsearch',
    image: 'docker.elastic.co/elasticsearch/elasticsearch:8.15.0',
    env: [
      { name: 'cluster.remote.leader.mode', value: 'proxy' },
      {
        name: 'cluster.remote.leader.proxy_address',
        value: 'leader.eu-central.search.databases.svc.clusterset.local:9300',
      },
    ],
  },
];

function statefulSet(annotations?: Record<string, string>): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: { name: 'search', namespace: NS, annotations },
    spec: {
      serviceName: 'search',
      selector: { matchLabels: LABELS },
      template: {
        metadata: { labels: LABELS },
        spec: { containers: CONTAINERS },
      },
      volumeClaimTemplates: [{ metadata: { name: 'data' } }],
    },
  };
}

/** The data volume of the first node, which holds the cluster's state. */
const claim: KubeObject = {
  apiVersion: 'v1',
  kind: 'PersistentVolumeClaim',
  metadata: { name: 'data-search-0', namespace: NS },
  spec: {},
};

function world() {
  const w = lagWorld(['eu-central', 'us-east'], NS);
  const central = w.store('eu-central');
  central.create(statefulSet());
  central.create(claim);
  central.create({
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'search', namespace: NS },
    spec: { selector: LABELS },
  });
  central.create(runningPod('search', 0, NS, { containers: CONTAINERS }));
  const east = w.store('us-east');
  east.create(
    statefulSet({
      'multicluster-statefulsets/role': 'passive',
      'multicluster-statefulsets/replication-source': 'eu-central',
    }),
  );
  east.create(claim);
  east.create(runningPod('search', 0, NS, { containers: CONTAINERS }));
  return w;
}

type World = ReturnType<typeof world>;

/** The CCR stats of the follower `products` in us-east. */
async function ccrStats(w: World) {
  const r = await w.exec('us-east', NS, 'search-0', [
    'curl',
    '-s',
    'localhost:9200/products/_ccr/stats',
  ]);
  expect(r.code).toBe(0);
  const shard = JSON.parse(r.stdout).indices[0].shards[0];
  return {
    checkpointLag:
      shard.leader_global_checkpoint - shard.follower_global_checkpoint,
    sinceRead: shard.time_since_last_read_millis / 1000,
  };
}

const lagOf = (w: World) =>
  Number(w.annotations('us-east', NS, 'search')[LAG_ANNOTATION]);

describe('the Elasticsearch follower lag', () => {
  it('is what the CCR stats say: 0 reading, growing cut off, 0 healed', async () => {
    const w = world();
    w.reconcile();
    expect(lagOf(w)).toBe(0);
    expect(await ccrStats(w)).toEqual({ checkpointLag: 0, sinceRead: 0 });

    w.advance(3_000);
    w.down('eu-central');
    w.advance(5_500);
    w.reconcile();
    expect(lagOf(w)).toBe(5.5);
    expect((await ccrStats(w)).sinceRead).toBe(5.5);

    w.heal();
    w.advance(1_000);
    w.reconcile();
    expect(lagOf(w)).toBe(0);
    expect(await ccrStats(w)).toEqual({ checkpointLag: 0, sinceRead: 0 });
  });
});
