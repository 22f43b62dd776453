/*
 * The Kafka MirrorMaker 2 provider against the cluster simulator's Kafka
 * emulator on the demo's events-kafka, every reading through `pods/exec`
 * as a run sends it: a switchover and a failback reverse the mirror flow
 * in mm2.properties, leave every record and consumer group offset on the
 * new primary, and an emergency failover states its loss in offsets.
 */
import {
  FailoverCallContext,
  FailoverSide,
  KafkaMirrorMakerProvider,
} from '@multicluster/backstage-plugin-statefulsets-node';
import { RunningSimulator } from '@multicluster/cluster-simulator';
import { sidesOf, startDemoWorld } from './__testUtils__/simulatorWorld';
import { HttpClusterWriteClient } from './HttpClusterWriteClient';

jest.setTimeout(90_000);

const workload = {
  apiVersion: 'apps/v1',
  kind: 'StatefulSet',
  namespace: 'databases',
  name: 'events-kafka',
};
const FIRST_BROKER: Record<string, string> = {
  'eu-central': 'events-kafka-0',
  'us-east': 'events-kafka-20',
};
const ctx: FailoverCallContext = {
  entityRef: 'component:default/events-kafka',
  engine: 'kafka',
  now: Date.now,
};

describe('KafkaMirrorMakerProvider through pods/exec', () => {
  let sim: RunningSimulator;
  let sides: Record<string, FailoverSide>;
  const provider = new KafkaMirrorMakerProvider({ pollMs: 200 });

  /** `kubectl exec <first broker> -- <tool> --bootstrap-server localhost:9092 …`. */
  async function tool(cluster: string, args: string[], stdin?: string) {
    const client = sides[cluster].client as HttpClusterWriteClient;
    return client.exec(
      {
        namespace: 'databases',
        pod: FIRST_BROKER[cluster],
        container: 'kafka',
      },
      stdin === undefined
        ? args
        : ['sh', '-c', `echo ${stdin} | ${args.join(' ')}`],
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
  const mm2 = async () =>
    (
      await sides['us-east'].client.get(
        '/api/v1/namespaces/databases/configmaps/events-kafka-mirrormaker2',
      )
    ).data['mm2.properties'] as string;

  async function until(probe: () => Promise<boolean>, what: string) {
    const end = Date.now() + 30_000;
    while (!(await probe().catch(() => false))) {
      if (Date.now() > end) throw new Error(`${what} not reached in 30 s`);
      await new Promise(r => setTimeout(r, 200));
    }
  }

  async function switchover(from: string, to: string) {
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
    await provider.reattach(sides[from], sides[to], promoted, ctx);
    return { fenced, promoted };
  }

  /** The new primary takes writes that reach the old one; the old one's stay there. */
  async function expectFlow(primary: string, follower: string) {
    const text = await mm2();
    expect(text).toContain(`${primary}->${follower}.enabled = true`);
    expect(text).toContain(`${follower}->${primary}.enabled = false`);
    expect(
      await provider.verifyRoles(sides[primary], sides[follower], ctx),
    ).toEqual([]);
    expect(await provider.isPromoted(sides[primary], ctx)).toBe(true);
    expect(await provider.isPromoted(sides[follower], ctx)).toBe(false);
    // MirrorMaker 2 restarted: the follower catches up with the primary.
    await until(
      async () => (await endOffsets(primary)) === (await endOffsets(follower)),
      `${follower} mirroring ${primary}`,
    );
  }

  beforeAll(async () => {
    sim = await startDemoWorld();
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

  it('is chosen for Kafka StatefulSets only', () => {
    expect(provider.supportsWorkload(workload, 'kafka')).toBe(true);
    expect(provider.supportsWorkload(workload, 'mysql')).toBe(false);
  });

  it('switches over and fails back, reversing the mirror flow', async () => {
    await expectFlow('eu-central', 'us-east');
    const { fenced, promoted } = await switchover('eu-central', 'us-east');
    expect(fenced).toMatchObject({ pod: 'events-kafka-0' });
    // A switchover loses nothing.
    expect(promoted).toMatchObject({ pod: 'events-kafka-20', lostRecords: 0 });
    await expectFlow('us-east', 'eu-central');
    // Consumer groups were translated: the same committed offsets on both.
    const groups = (cluster: string) =>
      tool(cluster, [
        'kafka-consumer-groups.sh',
        '--bootstrap-server',
        'localhost:9092',
        '--describe',
        '--group',
        'events-projector',
      ]).then(r => r.stdout.replace(/ +/g, ' '));
    await until(
      async () => (await groups('us-east')) === (await groups('eu-central')),
      'group offsets translated',
    );

    await switchover('us-east', 'eu-central');
    await expectFlow('eu-central', 'us-east');
  });

  it('fails over in an emergency without waiting and counts the lost records', async () => {
    // MirrorMaker 2 stops (its ConfigMap set to a flow that does not exist).
    const before = await provider.readDataLoss(
      sides['us-east'],
      sides['eu-central'],
      ctx,
    );
    expect(before).toMatchObject({ unit: 'offsets' });
    const promoted = await provider.promote(
      sides['us-east'],
      sides['eu-central'],
      {
        ...ctx,
        emergency: true,
      },
    );
    expect(promoted.lostRecords).toEqual(expect.any(Number));
    expect(await mm2()).toContain('eu-central->us-east.enabled = false');
    await provider.markFenced(sides['eu-central'], sides['us-east'], ctx);
    await expectFlow('us-east', 'eu-central');
    await switchover('us-east', 'eu-central');
    await expectFlow('eu-central', 'us-east');
  });
});
