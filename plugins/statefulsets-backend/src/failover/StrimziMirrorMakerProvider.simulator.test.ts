/*
 * The Strimzi MirrorMaker 2 provider against the cluster simulator's
 * Strimzi operator and Kafka emulator on the demo's clickstream Kafka,
 * every reading through `pods/exec` into a broker as a run sends it: a
 * switchover and a failback turn the KafkaMirrorMaker2 around and leave
 * every record and consumer group offset on the new primary, and an
 * emergency failover states its loss in offsets.
 */
import {
  FailoverCallContext,
  FailoverSide,
  StrimziMirrorMakerProvider,
} from '@multicluster/backstage-plugin-statefulsets-node';
import { RunningSimulator } from '@multicluster/cluster-simulator';
import { sidesOf, startDemoWorld } from './__testUtils__/simulatorWorld';
import { HttpClusterWriteClient } from './HttpClusterWriteClient';

jest.setTimeout(120_000);

const workload = {
  apiVersion: 'kafka.strimzi.io/v1',
  kind: 'Kafka',
  namespace: 'databases',
  name: 'clickstream',
};
const ctx: FailoverCallContext = {
  entityRef: 'component:default/clickstream',
  engine: 'kafka',
  now: Date.now,
};
const MM2_PATH =
  '/apis/kafka.strimzi.io/v1/namespaces/databases/kafkamirrormaker2s/clickstream-mirror';

/** The demo world with the Strimzi operator as the only operator. */
const startStrimziWorld = () =>
  startDemoWorld({
    keep: {
      operator: 'strimzi',
      apiGroups: ['kafka.strimzi.io', 'core.strimzi.io'],
    },
  });

describe('StrimziMirrorMakerProvider through pods/exec', () => {
  let sim: RunningSimulator;
  let sides: Record<string, FailoverSide>;
  const provider = new StrimziMirrorMakerProvider({ pollMs: 200 });

  /** `kubectl exec clickstream-brokers-0 -- <tool> --bootstrap-server localhost:9092 …`. */
  async function tool(cluster: string, args: string[]) {
    const client = sides[cluster].client as HttpClusterWriteClient;
    return client.exec(
      {
        namespace: 'databases',
        pod: 'clickstream-brokers-0',
        container: 'kafka',
      },
      args,
      { timeoutMs: 10_000 },
    );
  }
  const endOffsets = async (cluster: string) =>
    (
      await tool(cluster, [
        '/opt/kafka/bin/kafka-get-offsets.sh',
        '--bootstrap-server',
        'localhost:9092',
        '--topic',
        'domain-events',
      ])
    ).stdout;
  const groups = (cluster: string) =>
    tool(cluster, [
      '/opt/kafka/bin/kafka-consumer-groups.sh',
      '--bootstrap-server',
      'localhost:9092',
      '--describe',
      '--group',
      'events-projector',
    ]).then(r => r.stdout.replace(/ +/g, ' '));
  const mm2 = async () => sides['us-east'].client.get(MM2_PATH);

  async function until(probe: () => Promise<boolean>, what: string) {
    const end = Date.now() + 30_000;
    while (!(await probe().catch(() => false))) {
      if (Date.now() > end) throw new Error(`${what} not reached in 30 s`);
      await new Promise(r => setTimeout(r, 200));
    }
  }

  /** The operator reports the source connector of `from->to` running. */
  const connectorRunning = (from: string, to: string) =>
    until(async () => {
      const m = await mm2();
      return (m.status?.connectors ?? []).some(
        (c: any) =>
          c.name === `${from}->${to}.MirrorSourceConnector` &&
          c.connector.state === 'RUNNING',
      );
    }, `${from}->${to} connector running`);

  async function switchover(from: string, to: string) {
    await connectorRunning(from, to);
    const fenced = await provider.fence(sides[from], sides[to], ctx);
    await provider.waitCaughtUp(sides[to], sides[from], {
      ...ctx,
      timeoutMs: 20_000,
    });
    const promoted = await provider.promote(sides[to], sides[from], {
      ...ctx,
      fenced,
      emergency: false,
    });
    return { fenced, promoted };
  }

  /** The primary's records and groups reach the follower through the mirror. */
  async function expectFlow(primary: string, follower: string) {
    const m = await mm2();
    expect(m.spec.target.alias).toBe(follower);
    expect(m.spec.mirrors[0].source.alias).toBe(primary);
    expect(await provider.verifyRoles(sides[primary], sides[follower])).toEqual(
      [],
    );
    await until(
      async () => (await endOffsets(primary)) === (await endOffsets(follower)),
      `${follower} mirroring ${primary}`,
    );
    await until(
      async () => (await groups(primary)) === (await groups(follower)),
      'group offsets translated',
    );
  }

  beforeAll(async () => {
    sim = await startStrimziWorld();
    sides = sidesOf(sim, workload, ['eu-central', 'us-east']);
    for (const cluster of ['us-east', 'eu-central'])
      await until(
        async () =>
          (
            await tool(cluster, [
              'kafka-topics.sh',
              '--bootstrap-server',
              'localhost:9092',
              '--list',
            ])
          ).exitCode === 0,
        'brokers answering',
      );
  });

  afterAll(() => sim?.stop());

  it('is chosen for Strimzi Kafkas only', () => {
    expect(provider.supportsWorkload(workload)).toBe(true);
    expect(
      provider.supportsWorkload({
        ...workload,
        apiVersion: 'apps/v1',
        kind: 'StatefulSet',
      }),
    ).toBe(false);
  });

  it('switches over with no record lost and fails back, turning the mirror around', async () => {
    await expectFlow('eu-central', 'us-east');
    const { fenced, promoted } = await switchover('eu-central', 'us-east');
    expect(fenced).toMatchObject({ pod: 'clickstream-brokers-0' });
    expect(promoted).toMatchObject({
      reversed: ['us-east/clickstream-mirror'],
      lostRecords: 0,
    });
    expect(
      await provider.readDataLoss(sides['eu-central'], sides['us-east'], ctx),
    ).toMatchObject({ amount: 0, unit: 'offsets' });
    await expectFlow('us-east', 'eu-central');
    // The new primary takes the writes: its end offsets move past the fence's.
    const before = await endOffsets('us-east');
    await until(
      async () => (await endOffsets('us-east')) !== before,
      'us-east taking writes',
    );

    await switchover('us-east', 'eu-central');
    await expectFlow('eu-central', 'us-east');
  });

  it('fails over in an emergency and states the records lost in offsets', async () => {
    await connectorRunning('eu-central', 'us-east');
    // The mirror is cut off: eu-central keeps taking writes us-east lacks.
    await sim.admin.partition('eu-central', 'us-east');
    try {
      const after = await endOffsets('eu-central');
      await until(
        async () => (await endOffsets('eu-central')) !== after,
        'eu-central writing while cut off',
      );
      const loss = await provider.readDataLoss(
        sides['us-east'],
        sides['eu-central'],
        ctx,
      );
      // The product reaches both clusters' brokers: the gap is counted.
      expect(loss).toMatchObject({ unit: 'offsets' });
      expect(loss?.amount).toBeGreaterThan(0);
      const promoted = await provider.promote(
        sides['us-east'],
        sides['eu-central'],
        { ...ctx, emergency: true },
      );
      expect(promoted).toMatchObject({
        reversed: ['us-east/clickstream-mirror'],
      });
      expect(promoted.lostRecords).toEqual(expect.any(Number));
      expect(promoted.lostRecords).toBeGreaterThan(0);
    } finally {
      await sim.admin.heal();
    }
    await provider.markFenced(sides['eu-central'], sides['us-east']);
    await expectFlow('us-east', 'eu-central');
    await switchover('us-east', 'eu-central');
    await expectFlow('eu-central', 'us-east');
  });
});
