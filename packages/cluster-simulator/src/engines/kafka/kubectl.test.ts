/*
 * kubectl v1.35 exec against the Kafka emulator in the demo's events-kafka
 * pair: the tools answer at their image paths, the mirrored cluster holds
 * its source's end offsets.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import type { RunningSimulator } from '../../simulator';
import { fetchKubectl, KubectlHome } from '../../testing/kubectl';
import { podRunning, startTestSimulator } from '../../testing/testWorld';

jest.setTimeout(60000);

const WORLD = path.resolve(__dirname, '../../../../../examples/world');

function objectsOf(cluster: string) {
  const text = fs.readFileSync(
    path.join(WORLD, cluster, 'events-kafka.yaml'),
    'utf8',
  );
  return [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'databases' } },
    ...parseAllDocuments(text).map(d => d.toJS()),
  ];
}

let sim: RunningSimulator;
let home: KubectlHome | undefined;

beforeAll(async () => {
  fetchKubectl();
  sim = await startTestSimulator({
    clusters: [
      {
        name: 'eu-central',
        region: 'eu-central-1',
        objects: objectsOf('eu-central'),
      },
      { name: 'us-east', region: 'us-east-1', objects: objectsOf('us-east') },
    ],
  });
  home = new KubectlHome(sim.clusters, 'sim-kafka-');
  await podRunning(sim, 'eu-central', 'events-kafka-0');
  await podRunning(sim, 'us-east', 'events-kafka-20');
  await podRunning(sim, 'us-east', 'events-kafka-mirrormaker2-30');
}, 300000);

afterAll(async () => {
  await sim?.stop();
  home?.remove();
});

const getOffsets = (context: string, pod: string) =>
  home!.run([
    '--context',
    context,
    '-n',
    'databases',
    'exec',
    pod,
    '--',
    '/opt/kafka/bin/kafka-get-offsets.sh',
    '--bootstrap-server',
    'localhost:9092',
    '--topic',
    'domain-events',
  ]);

describe('kubectl exec into a Kafka broker', () => {
  it('prints end offsets as topic:partition:offset, mirrored on the passive side', async () => {
    const central = await getOffsets('eu-central', 'events-kafka-0');
    expect(central.code).toBe(0);
    expect(central.stderr).toBe('');
    expect(central.stdout).toMatch(/^(domain-events:[0-5]:\d+\n){6}$/);
    const east = await getOffsets('us-east', 'events-kafka-20');
    const partition0 = (out: string) =>
      Number(out.split('\n')[0].split(':')[2]);
    // The passive side has what the active side had when it read it.
    expect(partition0(east.stdout)).toBeGreaterThanOrEqual(
      partition0(central.stdout),
    );
  });

  it('describes a topic as kafka-topics.sh does', async () => {
    const r = await home!.run([
      '--context',
      'us-east',
      '-n',
      'databases',
      'exec',
      'events-kafka-20',
      '--',
      'sh',
      '-c',
      '/opt/kafka/bin/kafka-topics.sh --bootstrap-server localhost:9092 --describe --topic audit-log',
    ]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(
      /^Topic: audit-log\tTopicId: \S+\tPartitionCount: 3\tReplicationFactor: 3\t/,
    );
    expect(r.stdout).toContain(
      '\tPartition: 0\tLeader: 20\tReplicas: 20,21,22\t',
    );
  });
});
