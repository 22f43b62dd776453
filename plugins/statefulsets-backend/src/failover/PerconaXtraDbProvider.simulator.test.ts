/*
 * The Percona XtraDB Cluster provider against the cluster simulator running
 * the simulated Percona operator and the demo's `payments`: each step
 * changes the operator's replication channels and waits for the operator
 * to apply them; the servers' roles are read with `mysql` through
 * pods/exec. A switchover and a failback, a fence rolled back, and an
 * emergency failover whose data-loss window is stated in transactions and
 * whose old source, pointed at the new one when it answers, is reported
 * for the transactions only it has.
 */
import {
  FailoverCallContext,
  FailoverSide,
  PerconaXtraDbProvider,
} from '@multicluster/backstage-plugin-statefulsets-node';
import { RunningSimulator } from '@multicluster/cluster-simulator';
import {
  demoFilesWorld,
  startQuietSimulator,
} from '../__testUtils__/simulatedDatabases';
import { clientsFor } from './__testUtils__/simulatorWorld';
import { HttpClusterWriteClient } from './HttpClusterWriteClient';

jest.setTimeout(120_000);

const ENTITY_REF = 'component:default/payments';
const PXC_PATH =
  '/apis/pxc.percona.com/v1/namespaces/databases/perconaxtradbclusters/payments';
const workload = {
  apiVersion: 'apps/v1',
  kind: 'StatefulSet',
  namespace: 'databases',
  name: 'payments-haproxy',
};
const ctx: FailoverCallContext = {
  entityRef: ENTITY_REF,
  engine: 'mysql',
  now: Date.now,
};
const host = (cluster: string, i: number) =>
  `payments-pxc-${i}.databases.${cluster}.elb.simulator.local`;
const sleep = (ms: number) => new Promise(r => setTimeout(r, ms));

async function until<T>(probe: () => Promise<T | undefined>): Promise<T> {
  const end = Date.now() + 30_000;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > end) throw new Error('condition not reached in 30 s');
    await sleep(100);
  }
}

describe('PerconaXtraDbProvider through the operator and pods/exec', () => {
  let sim: RunningSimulator;
  let sides: Record<string, FailoverSide>;
  const provider = new PerconaXtraDbProvider({
    pollIntervalMs: 100,
    operatorTimeoutMs: 20_000,
  });

  function mysql(cluster: string, sql: string, user = 'root', i = 0) {
    return (sides[cluster].client as HttpClusterWriteClient).exec(
      { namespace: 'databases', pod: `payments-pxc-${i}`, container: 'pxc' },
      ['mysql', `-u${user}`, '-N', '-e', sql],
      { timeoutMs: 10_000 },
    );
  }
  const value = async (cluster: string, sql: string, i = 0) =>
    (await mysql(cluster, sql, 'root', i)).stdout.trim();
  const channel = async (cluster: string) =>
    (await sides[cluster].client.get(PXC_PATH)).spec.pxc.replicationChannels[0];

  async function switchover(from: string, to: string) {
    const fenced = await provider.fence(sides[from], sides[to], ctx);
    await provider.waitCaughtUp(sides[to], sides[from], {
      ...ctx,
      timeoutMs: 5_000,
    });
    const promoted = await provider.promote(sides[to], sides[from], {
      ...ctx,
      fenced,
      emergency: false,
    });
    await provider.reattach(sides[from], sides[to], promoted, ctx);
    return { fenced, promoted };
  }

  async function expectRoles(source: string, replica: string) {
    expect(await channel(source)).toMatchObject({ isSource: true });
    expect((await channel(source)).sourcesList).toBeUndefined();
    expect(
      (await channel(replica)).sourcesList.map((s: any) => s.host),
    ).toEqual([0, 1, 2].map(i => host(source, i)));
    expect(await value(source, 'SELECT @@read_only')).toBe('0');
    expect(await value(replica, 'SELECT @@read_only')).toBe('1');
    expect(await value(replica, 'SELECT @@read_only', 2)).toBe('1');
    expect(
      (await mysql(source, 'INSERT INTO payments VALUES (1)', 'app')).exitCode,
    ).toBe(0);
    expect(
      (await mysql(replica, 'INSERT INTO payments VALUES (1)', 'app')).stderr,
    ).toContain('ERROR 1290');
    expect(
      await provider.verifyRoles(sides[source], sides[replica], ctx),
    ).toEqual([]);
    expect(await provider.isPromoted(sides[source], ctx)).toBe(true);
    expect(await provider.isPromoted(sides[replica], ctx)).toBe(false);
  }

  beforeAll(async () => {
    sim = await startQuietSimulator(
      demoFilesWorld({
        clusters: ['eu-central', 'eu-west'],
        operators: ['percona'],
        files: ['payments-pxc.yaml'],
      }),
    );
    const clients = clientsFor(sim, 10_000);
    sides = {};
    for (const client of clients) {
      sides[client.cluster] = { cluster: client.cluster, client, workload };
      for (const sts of ['payments-haproxy', 'payments-pxc']) {
        const path = `/apis/apps/v1/namespaces/databases/statefulsets/${sts}`;
        await until(() => client.get(path));
        await client.mergePatch(path, {
          metadata: {
            annotations: {
              'multicluster-statefulsets/owner-entity': ENTITY_REF,
            },
          },
        });
      }
    }
    // The operator's pod sets settle (every pod of the current revision and
    // ready) before the tests exec into them.
    for (const client of clients) {
      await until(async () => {
        const sts = await client.get(
          '/apis/apps/v1/namespaces/databases/statefulsets/payments-pxc',
        );
        const st = sts?.status ?? {};
        return st.readyReplicas === sts?.spec?.replicas &&
          st.updatedReplicas === sts?.spec?.replicas &&
          st.currentRevision === st.updateRevision
          ? true
          : undefined;
      });
    }
    await until(async () =>
      (await value('eu-west', 'SELECT @@read_only', 2)) === '1' &&
      (await value('eu-central', 'SELECT @@read_only', 2)) === '0'
        ? true
        : undefined,
    );
  });

  afterAll(() => sim?.stop());

  it("starts with the demo's wiring and reads the lag from the replica's channel", async () => {
    await expectRoles('eu-central', 'eu-west');
    expect((await provider.readLag(sides['eu-west'], ctx)).seconds).toBe(0);
    // The primary keeps taking writes: one may land between reading the
    // replica's GTID set and the primary's, so the test waits for a reading
    // with nothing in flight, as an operator watching a live site would.
    const loss = await until(async () => {
      const read = await provider.readDataLoss(
        sides['eu-west'],
        sides['eu-central'],
        ctx,
      );
      return read?.amount === 0 ? read : undefined;
    });
    expect(loss).toMatchObject({ amount: 0, unit: 'transactions' });
  });

  it('refuses another entity’s workload before changing anything', async () => {
    await expect(
      provider.fence(sides['eu-central'], sides['eu-west'], {
        ...ctx,
        entityRef: 'component:default/other',
      }),
    ).rejects.toThrow(/stamped for component:default\/payments/);
    expect(await channel('eu-central')).toMatchObject({ isSource: true });
  });

  it('switches over and fails back by turning the channels around', async () => {
    const { fenced, promoted } = await switchover('eu-central', 'eu-west');
    expect(fenced.previousChannels).toEqual([
      { name: 'payments_eu_central_to_eu_west', isSource: true },
    ]);
    expect(promoted).toMatchObject({ lostTransactions: 0 });
    await expectRoles('eu-west', 'eu-central');

    await sleep(600);
    await switchover('eu-west', 'eu-central');
    await expectRoles('eu-central', 'eu-west');
  });

  it('rolls a fence back to the channels it found', async () => {
    const undo = await provider.fence(
      sides['eu-central'],
      sides['eu-west'],
      ctx,
    );
    expect(await value('eu-central', 'SELECT @@read_only')).toBe('1');
    // A restarted run performs the fence again without another change.
    await provider.fence(sides['eu-central'], sides['eu-west'], ctx);
    await provider.unfence(sides['eu-central'], undo, ctx);
    expect(await channel('eu-central')).toEqual({
      name: 'payments_eu_central_to_eu_west',
      isSource: true,
    });
    expect(await value('eu-central', 'SELECT @@read_only')).toBe('0');
    await expectRoles('eu-central', 'eu-west');
  });

  it('states an emergency failover’s data-loss window in transactions and reports the old source’s own transactions', async () => {
    // The sites lose each other: eu-west falls behind while eu-central writes on.
    sim.admin.partition('eu-central', 'eu-west');
    try {
      await sleep(1_100);
      const window = await provider.readDataLoss(
        sides['eu-west'],
        sides['eu-central'],
        ctx,
      );
      expect(window).toMatchObject({ unit: 'transactions' });
      expect(window!.amount).toBeGreaterThanOrEqual(2);
      const promoted = await provider.promote(
        sides['eu-west'],
        sides['eu-central'],
        { ...ctx, emergency: true },
      );
      expect(promoted.lostTransactions).toBeGreaterThanOrEqual(2);
      const uuid = await value('eu-central', 'SELECT @@server_uuid');
      expect(String(promoted.lostGtids)).toContain(uuid);
      expect(await channel('eu-west')).toMatchObject({ isSource: true });
      expect(await value('eu-west', 'SELECT @@read_only')).toBe('0');
    } finally {
      sim.admin.heal();
    }

    // The old source answers again: it becomes a read_only replica of the
    // new one, and the transactions only it has are reported, not hidden.
    await provider.markFenced(sides['eu-central'], sides['eu-west'], ctx);
    await until(async () =>
      (await value('eu-central', 'SELECT @@read_only')) === '1'
        ? true
        : undefined,
    );
    const diverged =
      /eu-central has \d+ transaction\(s\) that eu-west never executed/;
    await expect(
      provider.reattach(sides['eu-central'], sides['eu-west'], {}, ctx),
    ).rejects.toThrow(diverged);
    expect(
      await provider.verifyRoles(sides['eu-west'], sides['eu-central'], ctx),
    ).toEqual([expect.stringMatching(diverged)]);
  });
});
