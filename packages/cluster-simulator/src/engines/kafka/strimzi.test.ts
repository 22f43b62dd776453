/*
 * The Kafka emulator in the pods of Strimzi Kafkas: the demo's clickstream
 * Kafka in two clusters, run by the simulated Strimzi operator and mirrored
 * by its KafkaMirrorMaker2. The brokers' tools see end offsets advance on
 * the side taking producers and follow it on the mirrored side, consumer
 * groups translated by the checkpoint connector, the flow stopped by a
 * partition or a reversed spec, and the operator's lag record read from the
 * same state.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { SIM_LAG_SECONDS } from '../../controllers/metrics';
import {
  STRIMZI_API,
  strimziController,
} from '../../controllers/operators/strimzi';
import type { ControllerContext, KubeObject } from '../../controllers/types';
import { seedObjects } from '../../store/seed';
import { operatorCrdsOf } from '../../world';
import { lagWorld } from '../testing/lagWorld';
import { RECORD_INTERVAL_MS } from './state';

const NS = 'databases';
const CLUSTERS = ['eu-central', 'us-east'];
const demoFile = (cluster: string) =>
  path.resolve(
    __dirname,
    '../../../../../examples/world',
    cluster,
    'clickstream-kafka.yaml',
  );

function setup() {
  const world = lagWorld(CLUSTERS, NS);
  for (const cluster of CLUSTERS) {
    const objects = parseAllDocuments(
      fs.readFileSync(demoFile(cluster), 'utf8'),
    )
      .map(d => d.toJS() as KubeObject)
      .filter(Boolean)
      .map(object => ({ object, source: demoFile(cluster) }));
    seedObjects(world.store(cluster), [
      ...operatorCrdsOf({ operators: ['strimzi'] }),
      ...objects,
    ]);
  }
  const operator = strimziController();
  const reconcile = () => {
    for (const cluster of CLUSTERS) {
      const ctx: ControllerContext = {
        cluster: world.store(cluster),
        clusters: new Map(CLUSTERS.map(c => [c, world.store(c)])),
        now: world.now,
        isPartitioned: (a, b) => !world.peers.reachable(a, b),
        isDown: c => !world.peers.reachable(c, c),
      };
      operator.reconcile(ctx);
    }
  };
  reconcile();
  reconcile();

  /** `kafka-get-offsets.sh` in a broker pod: `topic:partition` → end offset. */
  async function offsets(cluster: string, pod = 'clickstream-brokers-0') {
    const r = await world.exec(cluster, NS, pod, [
      '/opt/kafka/bin/kafka-get-offsets.sh',
      '--bootstrap-server',
      'localhost:9092',
      '--topic',
      'domain-events',
    ]);
    expect(r).toMatchObject({ code: 0, stderr: '' });
    return r.stdout
      .trim()
      .split('\n')
      .map(l => Number(l.split(':')[2]));
  }
  /** The committed offsets of `events-projector` on partition 0. */
  async function committed(cluster: string) {
    const r = await world.exec(cluster, NS, 'clickstream-brokers-1', [
      '/opt/kafka/bin/kafka-consumer-groups.sh',
      '--bootstrap-server',
      'localhost:9092',
      '--describe',
      '--group',
      'events-projector',
    ]);
    expect(r.code).toBe(0);
    const row = r.stdout
      .split('\n')
      .find(l => /^events-projector\s+domain-events\s+0\s/.test(l));
    return Number(row?.trim().split(/\s+/)[3]);
  }
  /** Writes `n` records to partition 0 of domain-events through a broker of `cluster`. */
  async function produce(cluster: string, n: number) {
    const r = await world.exec(cluster, NS, 'clickstream-brokers-0', [
      '/opt/kafka/bin/kafka-producer-perf-test.sh',
      '--topic',
      'domain-events',
      '--num-records',
      String(n),
      '--record-size',
      '100',
      '--throughput',
      '-1',
      '--producer-props',
      'bootstrap.servers=localhost:9092',
    ]);
    expect(r.code).toBe(0);
  }
  const mm2 = () =>
    world
      .store('us-east')
      .get(STRIMZI_API, 'KafkaMirrorMaker2', NS, 'clickstream-mirror')!;
  const lagRecord = (cluster: string) =>
    world.store(cluster).get(STRIMZI_API, 'Kafka', NS, 'clickstream')!.metadata
      .annotations?.[SIM_LAG_SECONDS];
  return { world, reconcile, offsets, committed, produce, mm2, lagRecord };
}

describe('the Kafka emulator in Strimzi broker pods', () => {
  it('advances the source and mirrors it into the target with the groups translated', async () => {
    const { world, offsets, committed, produce } = setup();
    await produce('eu-central', 25);
    const source = await offsets('eu-central');
    expect(source).toHaveLength(6);
    expect(source[0]).toBe(1025);
    expect(await offsets('us-east')).toEqual(source);

    world.advance(5 * RECORD_INTERVAL_MS);
    const later = await offsets('eu-central');
    expect(later).toEqual(source.map(e => e + 5));
    expect(await offsets('us-east', 'clickstream-brokers-2')).toEqual(later);
    // sync.group.offsets.enabled: the same committed offsets on both.
    expect(await committed('us-east')).toBe(await committed('eu-central'));
    expect(await committed('eu-central')).toBeGreaterThan(0);
  });

  it('answers in broker pods only, on the plain listener', async () => {
    const { world } = setup();
    const run = (pod: string, server: string) =>
      world.exec('eu-central', NS, pod, [
        'kafka-topics.sh',
        '--bootstrap-server',
        server,
        '--list',
      ]);
    expect((await run('clickstream-brokers-0', 'localhost:9092')).code).toBe(0);
    // A controller-only node has no client listener.
    expect(
      (await run('clickstream-controllers-3', 'localhost:9092')).code,
    ).toBe(1);
    // The bootstrap Service leads to the brokers.
    const viaService = await run(
      'clickstream-controllers-3',
      'clickstream-kafka-bootstrap:9092',
    );
    expect(viaService.stdout).toContain('domain-events');
  });

  it('stops the flow while the clusters are partitioned and the lag record grows', async () => {
    const { world, reconcile, offsets, lagRecord } = setup();
    world.advance(2000);
    reconcile();
    expect(lagRecord('us-east')).toBe('0');
    expect(lagRecord('eu-central')).toBeUndefined();

    world.partition('eu-central', 'us-east');
    const cut = await offsets('us-east');
    world.advance(10 * RECORD_INTERVAL_MS);
    reconcile();
    expect(await offsets('us-east')).toEqual(cut);
    expect((await offsets('eu-central'))[0]).toBe(cut[0] + 10);
    expect(Number(lagRecord('us-east'))).toBeGreaterThanOrEqual(10);

    world.heal();
    world.advance(RECORD_INTERVAL_MS);
    reconcile();
    expect(await offsets('us-east')).toEqual(await offsets('eu-central'));
    world.advance(60_000);
    reconcile();
    expect(lagRecord('us-east')).toBe('0');
  });

  it('turns the flow around with the KafkaMirrorMaker2 spec', async () => {
    const { world, reconcile, offsets, produce, mm2 } = setup();
    world.advance(3 * RECORD_INTERVAL_MS);
    const m = mm2();
    const target = m.spec.target;
    const source = m.spec.mirrors[0].source;
    m.spec.target = { ...target, ...source };
    m.spec.mirrors[0].source = {
      alias: target.alias,
      bootstrapServers: target.bootstrapServers,
      tls: target.tls,
    };
    world.store('us-east').update(m);
    reconcile();
    const at = await offsets('us-east');
    expect(await offsets('eu-central')).toEqual(at);

    // us-east takes the producers now; eu-central follows it.
    world.advance(4 * RECORD_INTERVAL_MS);
    await produce('us-east', 7);
    const next = await offsets('us-east');
    expect(next).toEqual(at.map((e, p) => e + 4 + (p === 0 ? 7 : 0)));
    expect(await offsets('eu-central')).toEqual(next);

    // Cut off, eu-central takes no writes of its own any more.
    world.partition('eu-central', 'us-east');
    world.advance(5 * RECORD_INTERVAL_MS);
    expect(await offsets('eu-central')).toEqual(next);
    expect(await offsets('us-east')).toEqual(next.map(e => e + 5));
  });

  it('leaves group offsets untranslated without a checkpoint connector syncing them', async () => {
    const { world, reconcile, committed, mm2 } = setup();
    const m = mm2();
    delete m.spec.mirrors[0].checkpointConnector;
    world.store('us-east').update(m);
    reconcile();
    const before = await committed('us-east');
    world.advance(5 * RECORD_INTERVAL_MS);
    expect(await committed('eu-central')).toBeGreaterThan(before);
    expect(await committed('us-east')).toBe(before);
  });
});
