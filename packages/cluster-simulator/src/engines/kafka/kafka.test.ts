/*
 * The Kafka emulator on its own: two clusters and a MirrorMaker 2 between
 * them, the tools' output, end offsets that advance on the cluster taking
 * writes and follow it on the mirrored one, group offsets translated, and
 * the flow reversed by editing mm2.properties and restarting MirrorMaker 2.
 */
import type { KubeObject } from '../../controllers/types';
import { ClusterStore } from '../../store/ClusterStore';
import type { ExecTarget, PeerDirectory } from '../programs';
import { runCommand } from '../programs';
import { KAFKA_STATE_ANNOTATION } from './brokers';
import { CONSUMER_TRAIL, RECORD_INTERVAL_MS } from './state';

let clock = 1_000_000;
const NS = 'databases';

function brokers(store: ClusterStore, start: number) {
  const labels = { app: 'kafka' };
  store.create({
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: { name: 'events-kafka', namespace: NS },
    spec: {
      replicas: 3,
      ordinals: { start },
      serviceName: 'events-kafka-headless',
      selector: { matchLabels: labels },
      template: {
        metadata: { labels },
        spec: { containers: [{ name: 'kafka', image: 'apache/kafka:3.9.0' }] },
      },
      volumeClaimTemplates: [{ metadata: { name: 'data' } }],
    },
  });
  store.create({
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'events-kafka', namespace: NS },
    spec: { selector: labels },
  });
  for (let i = start; i < start + 3; i++) {
    store.create({
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: { name: `data-events-kafka-${i}`, namespace: NS },
    });
    pod(
      store,
      `events-kafka-${i}`,
      'events-kafka',
      labels,
      'apache/kafka:3.9.0',
    );
  }
}

function pod(
  store: ClusterStore,
  name: string,
  owner: string,
  labels: Record<string, string>,
  image: string,
) {
  store.create({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: NS,
      labels,
      ownerReferences: [
        { apiVersion: 'apps/v1', kind: 'StatefulSet', name: owner, uid: owner },
      ],
    },
    spec: { containers: [{ name: 'main', image }] },
    status: { phase: 'Running' },
  });
}

const MM2 = (forward: boolean) => `clusters = eu-central, us-east
eu-central.bootstrap.servers = events-kafka-0.eu-central.events-kafka-headless.databases.svc.clusterset.local:9092
us-east.bootstrap.servers = events-kafka.databases.svc.cluster.local:9092
eu-central->us-east.enabled = ${forward}
us-east->eu-central.enabled = ${!forward}
replication.policy.class = org.apache.kafka.connect.mirror.IdentityReplicationPolicy
sync.group.offsets.enabled = true
emit.checkpoints.interval.seconds = 10
`;

function world() {
  const central = new ClusterStore({
    name: 'eu-central',
    region: 'r',
    zones: [],
  });
  const east = new ClusterStore({ name: 'us-east', region: 'r', zones: [] });
  for (const s of [central, east])
    s.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } });
  brokers(central, 0);
  brokers(east, 20);
  east.create({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'events-kafka-mirrormaker2', namespace: NS },
    data: { 'mm2.properties': MM2(true) },
  });
  const mmLabels = { app: 'mm2' };
  east.create({
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: { name: 'events-kafka-mirrormaker2', namespace: NS },
    spec: {
      replicas: 1,
      selector: { matchLabels: mmLabels },
      template: {
        metadata: { labels: mmLabels },
        spec: {
          containers: [
            {
              name: 'mirrormaker2',
              image: 'apache/kafka:3.9.0',
              command: [
                '/opt/kafka/bin/connect-mirror-maker.sh',
                '/etc/mm2/mm2.properties',
              ],
            },
          ],
          volumes: [
            {
              name: 'config',
              configMap: { name: 'events-kafka-mirrormaker2' },
            },
          ],
        },
      },
    },
  });
  pod(
    east,
    'events-kafka-mirrormaker2-30',
    'events-kafka-mirrormaker2',
    mmLabels,
    'apache/kafka:3.9.0',
  );
  const down = new Set<string>();
  const peers: PeerDirectory = {
    store: n => ({ 'eu-central': central, 'us-east': east }[n]),
    reachable: (_from, to) => !down.has(to),
    names: () => ['eu-central', 'us-east'],
  };
  const stores: Record<string, ClusterStore> = {
    'eu-central': central,
    'us-east': east,
  };
  async function exec(
    cluster: string,
    podName: string,
    command: string[],
    stdin = '',
  ) {
    const store = stores[cluster];
    const p = store.peek('', 'Pod', NS, podName)!;
    const target: ExecTarget = {
      store,
      pod: p,
      container: { name: 'main', image: 'apache/kafka:3.9.0' },
      now: () => clock,
      peers,
    };
    let stdout = '';
    let stderr = '';
    const code = await runCommand(command, target, {
      stdout: t => {
        stdout += t;
      },
      stderr: t => {
        stderr += t;
      },
      stdin: async () => stdin,
    });
    return { code, stdout, stderr };
  }
  const offsets = async (cluster: string, topic = 'domain-events') => {
    const pod0 =
      cluster === 'eu-central' ? 'events-kafka-0' : 'events-kafka-20';
    const r = await exec(cluster, pod0, [
      '/opt/kafka/bin/kafka-get-offsets.sh',
      '--bootstrap-server',
      'localhost:9092',
      '--topic',
      topic,
    ]);
    return r.stdout
      .trim()
      .split('\n')
      .map(l => Number(l.split(':')[2]));
  };
  return { central, east, peers, down, exec, offsets };
}

function setFlow(east: ClusterStore, forward: boolean) {
  const cm = structuredClone(
    east.peek('', 'ConfigMap', NS, 'events-kafka-mirrormaker2')!,
  ) as KubeObject;
  cm.data = { 'mm2.properties': MM2(forward) };
  east.update(cm);
}

function restartMirrorMaker(east: ClusterStore, running: boolean) {
  const p = structuredClone(
    east.peek('', 'Pod', NS, 'events-kafka-mirrormaker2-30')!,
  ) as KubeObject;
  p.status = { phase: running ? 'Running' : 'Pending' };
  east.updateStatus(p);
}

beforeEach(() => {
  clock = 1_000_000;
});

describe('the Kafka tools', () => {
  it('list and describe topics as kafka-topics.sh prints them', async () => {
    const w = world();
    const list = await w.exec('eu-central', 'events-kafka-0', [
      'kafka-topics.sh',
      '--bootstrap-server',
      'localhost:9092',
      '--list',
    ]);
    expect(list.stdout).toBe('audit-log\ndomain-events\n');
    const described = await w.exec('eu-central', 'events-kafka-0', [
      'sh',
      '-c',
      '/opt/kafka/bin/kafka-topics.sh --bootstrap-server events-kafka:9092 --describe --topic audit-log',
    ]);
    expect(described.code).toBe(0);
    expect(described.stdout).toMatch(
      /^Topic: audit-log\tTopicId: \S+\tPartitionCount: 3\tReplicationFactor: 3\tConfigs: min.insync.replicas=2\n\tTopic: audit-log\tPartition: 0\tLeader: 0\tReplicas: 0,1,2\tIsr: 0,1,2/,
    );
    const missing = await w.exec('eu-central', 'events-kafka-0', [
      'kafka-topics.sh',
      '--bootstrap-server',
      'localhost:9092',
      '--describe',
      '--topic',
      'nope',
    ]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain("Topic 'nope' does not exist as expected");
  });

  it('fail on a bootstrap server that leads nowhere', async () => {
    const w = world();
    const r = await w.exec('eu-central', 'events-kafka-0', [
      'kafka-get-offsets.sh',
      '--bootstrap-server',
      'elsewhere:9092',
    ]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('Timed out waiting for a node assignment');
    const unknown = await w.exec('eu-central', 'events-kafka-0', [
      'kafka-mirror.sh',
    ]);
    expect(unknown.code).toBe(127);
  });

  it('advance the end offsets on the cluster taking writes, and mirror them', async () => {
    const w = world();
    const start = await w.offsets('eu-central');
    expect(start).toHaveLength(6);
    expect(await w.offsets('us-east')).toEqual(start);
    clock += 5 * RECORD_INTERVAL_MS;
    const later = await w.offsets('eu-central');
    expect(later).toEqual(start.map(o => o + 5));
    expect(await w.offsets('us-east')).toEqual(later);
    // The checkpoint topic exists on the target.
    const list = await w.exec('us-east', 'events-kafka-20', [
      'kafka-topics.sh',
      '--bootstrap-server',
      'localhost:9092',
      '--list',
    ]);
    expect(list.stdout).toContain('eu-central.checkpoints.internal\n');
    // The state lives on the first broker's claim.
    expect(
      w.central.peek('', 'PersistentVolumeClaim', NS, 'data-events-kafka-0')!
        .metadata.annotations?.[KAFKA_STATE_ANNOTATION],
    ).toBeDefined();
  });

  it('translate committed group offsets to the target', async () => {
    const w = world();
    clock += 3 * RECORD_INTERVAL_MS;
    const describe = (cluster: string, pod0: string) =>
      w.exec(cluster, pod0, [
        'kafka-consumer-groups.sh',
        '--bootstrap-server',
        'localhost:9092',
        '--describe',
        '--group',
        'events-projector',
      ]);
    const a = await describe('eu-central', 'events-kafka-0');
    const b = await describe('us-east', 'events-kafka-20');
    expect(a.stdout).toContain(
      "Consumer group 'events-projector' has no active members.",
    );
    expect(a.stdout).toMatch(
      /GROUP +TOPIC +PARTITION +CURRENT-OFFSET +LOG-END-OFFSET +LAG +CONSUMER-ID +HOST +CLIENT-ID/,
    );
    const row = (text: string) =>
      text
        .split('\n')
        .find(l => /^events-projector +domain-events +0 /.test(l))!
        .split(/ +/);
    expect(row(a.stdout)[5]).toBe(String(CONSUMER_TRAIL));
    expect(row(b.stdout).slice(0, 5)).toEqual(row(a.stdout).slice(0, 5));
  });

  it('stops mirroring while MirrorMaker 2 or the source is down, and catches up', async () => {
    const w = world();
    const start = await w.offsets('eu-central');
    expect(await w.offsets('us-east')).toEqual(start);
    restartMirrorMaker(w.east, false);
    // A change of feed takes effect when the cluster is next read.
    expect(await w.offsets('us-east')).toEqual(start);
    clock += 4 * RECORD_INTERVAL_MS;
    expect(await w.offsets('us-east')).toEqual(start);
    restartMirrorMaker(w.east, true);
    expect(await w.offsets('us-east')).toEqual(start.map(o => o + 4));
    w.down.add('eu-central');
    clock += 2 * RECORD_INTERVAL_MS;
    expect(await w.offsets('us-east')).toEqual(start.map(o => o + 4));
  });

  it('reverses with the flow: the old source follows the new one', async () => {
    const w = world();
    // The product stops the producers on the old source first.
    const sts = structuredClone(
      w.central.peek('apps', 'StatefulSet', NS, 'events-kafka')!,
    );
    sts.metadata.annotations = { 'multicluster-statefulsets/role': 'fenced' };
    w.central.update(sts);
    const fenced = await w.offsets('eu-central');
    clock += 3 * RECORD_INTERVAL_MS;
    expect(await w.offsets('eu-central')).toEqual(fenced);
    expect(await w.offsets('us-east')).toEqual(fenced);
    setFlow(w.east, false);
    restartMirrorMaker(w.east, false);
    restartMirrorMaker(w.east, true);
    expect(await w.offsets('us-east')).toEqual(fenced);
    clock += 2 * RECORD_INTERVAL_MS;
    const east = await w.offsets('us-east');
    expect(east).toEqual(fenced.map(o => o + 2));
    expect(await w.offsets('eu-central')).toEqual(east);
    // A record written to the old side is not mirrored to the new primary.
    const wrote = await w.exec(
      'eu-central',
      'events-kafka-0',
      [
        'kafka-console-producer.sh',
        '--bootstrap-server',
        'localhost:9092',
        '--topic',
        'domain-events',
      ],
      'stray\n',
    );
    expect(wrote.code).toBe(0);
    expect((await w.offsets('eu-central'))[0]).toBe(east[0] + 1);
    expect((await w.offsets('us-east'))[0]).toBe(east[0]);
  });

  it('appends what the console producer sends', async () => {
    const w = world();
    const before = await w.offsets('eu-central', 'audit-log');
    const r = await w.exec(
      'eu-central',
      'events-kafka-1',
      [
        'kafka-console-producer.sh',
        '--bootstrap-server',
        'localhost:9092',
        '--topic',
        'audit-log',
      ],
      'one\ntwo\n',
    );
    expect(r.code).toBe(0);
    expect(await w.offsets('eu-central', 'audit-log')).toEqual([
      before[0] + 2,
      ...before.slice(1),
    ]);
    const runClass = await w.exec('eu-central', 'events-kafka-0', [
      'kafka-run-class.sh',
      'org.apache.kafka.tools.GetOffsetShell',
      '--bootstrap-server',
      'localhost:9092',
      '--topic',
      'audit-log',
      '--partitions',
      '0',
    ]);
    expect(runClass.stdout).toBe(`audit-log:0:${before[0] + 2}\n`);
    const perf = await w.exec('eu-central', 'events-kafka-0', [
      'sh',
      '-c',
      '/opt/kafka/bin/kafka-producer-perf-test.sh --topic audit-log --num-records 3 --record-size 100 --throughput -1 --producer-props bootstrap.servers=localhost:9092',
    ]);
    expect(perf.stdout).toMatch(/^3 records sent, /);
    expect((await w.offsets('eu-central', 'audit-log'))[0]).toBe(before[0] + 5);
  });
});
