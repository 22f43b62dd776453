/*
 * A switchover and a failback of the demo's events-kafka started over
 * REST, as the failover dialog starts them, against the cluster simulator:
 * the plan words each step in Kafka tools and mm2.properties changes, and
 * the runs leave the mirror flow reversed and back, read through pods/exec.
 * Kafka has no read-only switch: a write on the new primary reaches the
 * other side through MirrorMaker 2, one on the old primary never reaches
 * the new one (its producers were stopped and the flow no longer runs
 * that way).
 */
import { Entity } from '@backstage/catalog-model';

import { RunningSimulator } from '@multicluster/cluster-simulator';

import { clientsFor, startDemoWorld } from './__testUtils__/simulatorWorld';
import { HttpClusterWriteClient } from './HttpClusterWriteClient';
import {
  failoverAppConfig,
  startPluginBackend,
  switchOverByRest,
  until,
} from './__testUtils__/restFailover';

jest.setTimeout(120_000);

const FIRST_BROKER: Record<string, string> = {
  'eu-central': 'events-kafka-0',
  'us-east': 'events-kafka-20',
};

const entity: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: {
    name: 'events-kafka',
    namespace: 'default',
    annotations: {
      'backstage.io/kubernetes-id': 'events-kafka',
      'backstage.io/kubernetes-namespace': 'databases',
      'multicluster-statefulsets/engine': 'kafka',
      'multicluster-statefulsets/strategy': 'active-passive',
      'multicluster-statefulsets/max-failover-lag': '30',
    },
  },
  spec: {
    type: 'database',
    owner: 'group:default/database-platform',
    lifecycle: 'production',
  },
};

describe('a Kafka switchover and failback from the failover API', () => {
  let sim: RunningSimulator;
  let clients: HttpClusterWriteClient[];

  beforeAll(async () => {
    sim = await startDemoWorld();
    clients = clientsFor(sim, 10_000);
  });

  afterAll(() => sim?.stop());

  const client = (cluster: string) => clients.find(c => c.cluster === cluster)!;

  /** `kubectl exec <first broker> -- sh -c '<command>'` in a cluster. */
  async function exec(cluster: string, command: string) {
    return client(cluster).exec(
      {
        namespace: 'databases',
        pod: FIRST_BROKER[cluster],
        container: 'kafka',
      },
      ['sh', '-c', command],
      { timeoutMs: 10_000 },
    );
  }
  const endOffset = async (cluster: string) => {
    const out = await exec(
      cluster,
      '/opt/kafka/bin/kafka-get-offsets.sh --bootstrap-server localhost:9092 --topic write-test --partitions 0',
    );
    return Number(out.stdout.trim().split(':')[2] ?? 0);
  };
  const produce = (cluster: string) =>
    exec(
      cluster,
      '/opt/kafka/bin/kafka-producer-perf-test.sh --topic write-test --num-records 1 --record-size 100 --throughput -1 --producer-props bootstrap.servers=localhost:9092',
    );
  const mm2 = async () =>
    (
      await client('us-east').get(
        '/api/v1/namespaces/databases/configmaps/events-kafka-mirrormaker2',
      )
    ).data['mm2.properties'] as string;

  async function expectPrimary(primary: string, old: string) {
    const text = await mm2();
    expect(text).toContain(`${primary}->${old}.enabled = true`);
    expect(text).toContain(`${old}->${primary}.enabled = false`);
    // MirrorMaker 2 restarted: the old side holds everything the new has.
    await until(async () =>
      (await endOffset(primary)) === (await endOffset(old)) ? true : undefined,
    );
    // A write on the new primary is accepted and mirrored to the old side.
    const before = await endOffset(primary);
    expect((await produce(primary)).exitCode).toBe(0);
    expect(await endOffset(primary)).toBeGreaterThan(before);
    await until(async () =>
      (await endOffset(old)) >= before + 1 ? true : undefined,
    );
    // A write on the old side never reaches the new primary's log.
    const primaryEnd = await endOffset(primary);
    const oldEnd = await endOffset(old);
    await produce(old);
    expect(await endOffset(old)).toBe(oldEnd + 1);
    expect(await endOffset(primary)).toBe(primaryEnd);
  }

  it('reverses the mirror flow, and back', async () => {
    const config = failoverAppConfig(sim, 20_000);
    const backend = await startPluginBackend(config, [entity]);
    try {
      await expectPrimary('eu-central', 'us-east');

      const there = await switchOverByRest(
        backend.server,
        'events-kafka',
        'us-east',
      );
      expect(JSON.stringify(there.plan)).toContain(
        'eu-central->us-east.enabled = false',
      );
      expect(JSON.stringify(there.plan)).toContain('kafka-get-offsets.sh');
      expect(there.plan.dataLossInEngine).toMatchObject({
        unit: 'offsets',
        provider: 'kafka-mirrormaker2',
      });
      expect(there.run.status).toBe('succeeded');
      await expectPrimary('us-east', 'eu-central');

      const back = await switchOverByRest(
        backend.server,
        'events-kafka',
        'eu-central',
      );
      expect(back.run.status).toBe('succeeded');
      await expectPrimary('eu-central', 'us-east');
    } finally {
      await backend.stop();
    }
  });
});
