/*
 * A Kafka cluster MirrorMaker 2 mirrors into: its lag in the topology is
 * the record age MirrorMaker 2's series publish, 0 while the flow runs,
 * growing while the source is cut off, 0 again after heal.
 */
import { LAG_ANNOTATION } from '../../controllers/replicationLagController';
import type { ClusterStore } from '../../store/ClusterStore';
import { lagWorld, runningPod } from '../testing/lagWorld';
import { MM2_RECORD_AGE, renderMirrorMakerMetrics } from './exporterMetrics';

const NS = 'databases';
const IMAGE = 'apache/kafka:3.9.0';

function brokers(
  store: ClusterStore,
  start: number,
  annotations?: Record<string, string>,
) {
  const labels = { app: 'kafka' };
  store.create({
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: { name: 'events-kafka', namespace: NS, annotations },
    spec: {
      replicas: 1,
      ordinals: { start },
      selector: { matchLabels: labels },
      template: {
        metadata: { labels },
        spec: { containers: [{ name: 'kafka', image: IMAGE }] },
      },
    },
  });
  store.create({
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'events-kafka', namespace: NS },
    spec: { selector: labels },
  });
  const pod = runningPod('events-kafka', start, NS, {
    containers: [{ name: 'kafka', image: IMAGE }],
  });
  pod.metadata.labels = { ...pod.metadata.labels, ...labels };
  store.create(pod);
}

const PROPS = `clusters = eu-central, us-east
eu-central.bootstrap.servers = events-kafka-0.eu-central.events-kafka-headless.databases.svc.clusterset.local:9092
us-east.bootstrap.servers = events-kafka:9092
eu-central->us-east.enabled = true
`;

function world() {
  const w = lagWorld(['eu-central', 'us-east'], NS);
  const central = w.store('eu-central');
  const east = w.store('us-east');
  brokers(central, 0);
  brokers(east, 20, {
    'multicluster-statefulsets/role': 'passive',
    'multicluster-statefulsets/replication-source': 'eu-central',
  });
  east.create({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'mm2', namespace: NS },
    data: { 'mm2.properties': PROPS },
  });
  const mm2Spec = {
    containers: [
      {
        name: 'mm2',
        image: IMAGE,
        command: ['/opt/kafka/bin/connect-mirror-maker.sh'],
      },
    ],
    volumes: [{ name: 'c', configMap: { name: 'mm2' } }],
  };
  east.create({
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: { name: 'mm2', namespace: NS },
    spec: {
      selector: { matchLabels: { app: 'mm2' } },
      template: { metadata: { labels: { app: 'mm2' } }, spec: mm2Spec },
    },
  });
  const pod = runningPod('mm2', 0, NS, mm2Spec);
  pod.metadata.labels = { ...pod.metadata.labels, app: 'mm2' };
  east.create(pod);
  return w;
}

type World = ReturnType<typeof world>;

/** The record ages MirrorMaker 2's series publish, in seconds. */
function recordAges(w: World): number[] {
  const text = renderMirrorMakerMetrics(
    'us-east',
    w.store('us-east'),
    w.peers,
    w.now,
  );
  return [
    ...text.matchAll(new RegExp(`^${MM2_RECORD_AGE}\\{.*\\} (\\d+)$`, 'gm')),
  ].map(m => Number(m[1]) / 1000);
}

const lagOf = (w: World) =>
  Number(w.annotations('us-east', NS, 'events-kafka')[LAG_ANNOTATION]);

describe('the Kafka mirror lag', () => {
  it('is MirrorMaker 2’s record age: 0 running, growing cut off, 0 healed', async () => {
    const w = world();
    // The mirror starts: its tools read the target.
    const r = await w.exec('us-east', NS, 'events-kafka-20', [
      'kafka-topics.sh',
      '--bootstrap-server',
      'localhost:9092',
      '--list',
    ]);
    expect(r.code).toBe(0);
    w.reconcile();
    expect(lagOf(w)).toBe(0);
    expect(new Set(recordAges(w))).toEqual(new Set([0]));

    w.advance(4_000);
    w.partition('eu-central', 'us-east');
    w.advance(6_000);
    w.reconcile();
    expect(lagOf(w)).toBe(6);
    const ages = recordAges(w);
    expect(ages.length).toBeGreaterThan(0);
    expect(new Set(ages)).toEqual(new Set([6]));

    w.heal();
    w.advance(1_000);
    w.reconcile();
    expect(lagOf(w)).toBe(0);
    expect(new Set(recordAges(w))).toEqual(new Set([0]));
  });
});
