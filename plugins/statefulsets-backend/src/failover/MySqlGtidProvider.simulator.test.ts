/*
 * The MySQL provider against the cluster simulator's MySQL emulator, every
 * statement through `pods/exec` as a run sends it: a switchover and a
 * failback leave the engines in swapped roles (read from the servers, not
 * from annotations), and an emergency failover states its data-loss window
 * in transactions and reports the old source's errant ones at failback.
 */
import {
  FailoverCallContext,
  FailoverSide,
  MySqlGtidProvider,
} from '@multicluster/backstage-plugin-statefulsets-node';
import { RunningSimulator } from '@multicluster/cluster-simulator';
import { clientsFor, startDemoWorld } from './__testUtils__/simulatorWorld';
import { HttpClusterWriteClient } from './HttpClusterWriteClient';

jest.setTimeout(60_000);

const workload = {
  apiVersion: 'apps/v1',
  kind: 'StatefulSet',
  namespace: 'databases',
  name: 'orders-mysql',
};
const PRIMARY_POD: Record<string, string> = {
  'eu-central': 'orders-mysql-0',
  'eu-west': 'orders-mysql-10',
};
const address = (cluster: string) =>
  `${PRIMARY_POD[cluster]}.${cluster}.orders-mysql-headless.databases.svc.clusterset.local`;
const ctx: FailoverCallContext = {
  entityRef: 'component:default/orders-mysql',
  engine: 'mysql',
  now: Date.now,
};
const sleep = (ms: number) => new Promise(r => setTimeout(r, ms));

describe('MySqlGtidProvider through pods/exec', () => {
  let sim: RunningSimulator;
  let sides: Record<string, FailoverSide>;
  const provider = new MySqlGtidProvider();

  /** Runs SQL in a cluster's primary pod, as a test would with kubectl exec. */
  async function sql(cluster: string, statement: string, user = 'root') {
    const client = sides[cluster].client as HttpClusterWriteClient;
    return client.exec(
      { namespace: 'databases', pod: PRIMARY_POD[cluster], container: 'mysql' },
      ['mysql', `-u${user}`, '-N', '-e', statement],
      { timeoutMs: 10_000 },
    );
  }
  const value = async (cluster: string, statement: string) =>
    (await sql(cluster, statement)).stdout.trim();
  const replicaStatus = async (cluster: string) =>
    (
      await sides[cluster].client.exec!(
        {
          namespace: 'databases',
          pod: PRIMARY_POD[cluster],
          container: 'mysql',
        },
        ['mysql', '-uroot', '-e', 'SHOW REPLICA STATUS\\G'],
      )
    ).stdout;

  async function waitRunning(side: FailoverSide, pod: string) {
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline) {
      const p = await side.client.get(
        `/api/v1/namespaces/databases/pods/${pod}`,
      );
      if (p?.status?.phase === 'Running') return;
      await sleep(200);
    }
    throw new Error(`${pod} is not Running`);
  }

  const annotations = async (cluster: string) =>
    (
      await sides[cluster].client.get(
        '/apis/apps/v1/namespaces/databases/statefulsets/orders-mysql',
      )
    ).metadata.annotations;

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

  async function expectRoles(primary: string, replica: string) {
    expect(await value(primary, 'SELECT @@super_read_only')).toBe('0');
    expect(await value(replica, 'SELECT @@super_read_only')).toBe('1');
    expect(await replicaStatus(primary)).toBe('');
    const status = await replicaStatus(replica);
    expect(status).toContain(` Source_Host: ${address(primary)}\n`);
    expect(status).toContain(' Replica_SQL_Running: Yes\n');
    expect(status).toContain(` Channel_Name: ${primary}\n`);
    // The role annotations follow the engine.
    const primaryAnnotations = await annotations(primary);
    expect(primaryAnnotations['multicluster-statefulsets/role']).toBe('active');
    expect(
      primaryAnnotations['multicluster-statefulsets/replication-source'],
    ).toBeUndefined();
    expect(await annotations(replica)).toMatchObject({
      'multicluster-statefulsets/role': 'passive',
      'multicluster-statefulsets/replication-source': primary,
    });
    // Writes are accepted on the new primary and refused on the old one.
    const accepted = await sql(primary, 'INSERT INTO orders VALUES (1)', 'app');
    expect(accepted.exitCode).toBe(0);
    const refused = await sql(replica, 'INSERT INTO orders VALUES (2)', 'app');
    expect(refused.exitCode).toBe(1);
    expect(refused.stderr).toContain('ERROR 1290');
    expect(
      await provider.verifyRoles(sides[primary], sides[replica], ctx),
    ).toEqual([]);
    expect(await provider.isPromoted(sides[primary], ctx)).toBe(true);
    expect(await provider.isPromoted(sides[replica], ctx)).toBe(false);
  }

  beforeAll(async () => {
    sim = await startDemoWorld();
    const clients = clientsFor(sim, 10_000);
    sides = Object.fromEntries(
      ['eu-central', 'eu-west'].map(cluster => [
        cluster,
        {
          cluster,
          client: clients.find(c => c.cluster === cluster)!,
          workload,
        },
      ]),
    );
    await Promise.all(
      Object.entries(PRIMARY_POD).map(([c, pod]) => waitRunning(sides[c], pod)),
    );
  });

  afterAll(() => sim?.stop());

  it('is chosen for MySQL StatefulSets only', () => {
    expect(provider.supportsWorkload(workload, 'mysql')).toBe(true);
    expect(provider.supportsWorkload(workload, 'mongodb')).toBe(false);
    expect(provider.supportsWorkload(workload)).toBe(false);
  });

  it("starts with the demo's wiring: eu-west's primary replicates from eu-central's", async () => {
    await sleep(1_100);
    await expectRoles('eu-central', 'eu-west');
    expect((await provider.readLag(sides['eu-west'], ctx)).seconds).toBe(0);
    // The other pods follow their own cluster's primary.
    const follower = await sides['eu-west'].client.exec!(
      { namespace: 'databases', pod: 'orders-mysql-11', container: 'mysql' },
      ['mysql', '-uroot', '-e', 'SHOW REPLICA STATUS\\G'],
    );
    expect(follower.stdout).toContain(
      ' Source_Host: orders-mysql-10.orders-mysql-headless\n',
    );
  });

  it('switches over and fails back, leaving the engines in swapped roles', async () => {
    const { fenced, promoted } = await switchover('eu-central', 'eu-west');
    expect(fenced).toMatchObject({
      pod: 'orders-mysql-0',
      superReadOnly: false,
    });
    // A switchover loses nothing.
    expect(promoted).toMatchObject({
      pod: 'orders-mysql-10',
      previousChannels: ['eu-central'],
      lostTransactions: 0,
    });
    await expectRoles('eu-west', 'eu-central');

    await sleep(600);
    await switchover('eu-west', 'eu-central');
    await expectRoles('eu-central', 'eu-west');
  });

  it('rolls a fence back to the flags it found, also when the fence ran twice', async () => {
    await provider.fence(sides['eu-central'], sides['eu-west'], ctx);
    // A restarted run performs the fence again.
    const undo = await provider.fence(
      sides['eu-central'],
      sides['eu-west'],
      ctx,
    );
    expect(await value('eu-central', 'SELECT @@super_read_only')).toBe('1');
    expect(
      (await annotations('eu-central'))['multicluster-statefulsets/role'],
    ).toBe('fenced');
    await provider.unfence(sides['eu-central'], undo, ctx);
    expect(await value('eu-central', 'SELECT @@read_only')).toBe('0');
    expect(
      (await annotations('eu-central'))['multicluster-statefulsets/role'],
    ).toBe('active');
  });

  it('states an emergency failover’s data-loss window in transactions and reports errant ones at failback', async () => {
    // eu-west falls behind: its replication stops while eu-central writes on.
    await sql('eu-west', 'STOP REPLICA');
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
    expect(await value('eu-west', 'SELECT @@read_only')).toBe('0');

    // The old source comes back: fenced, and left out of the topology.
    await provider.markFenced(sides['eu-central'], sides['eu-west'], ctx);
    expect(await value('eu-central', 'SELECT @@super_read_only')).toBe('1');
    expect(await replicaStatus('eu-central')).toBe('');
    const errant =
      /has \d+ errant transaction\(s\) that eu-west never executed/;
    await expect(
      provider.reattach(sides['eu-central'], sides['eu-west'], promoted, ctx),
    ).rejects.toThrow(errant);
    // A failback onto it is refused before anything waits or changes.
    await expect(
      provider.waitCaughtUp(sides['eu-central'], sides['eu-west'], {
        ...ctx,
        timeoutMs: 1_000,
      }),
    ).rejects.toThrow(errant);
    expect(
      await provider.verifyRoles(sides['eu-west'], sides['eu-central'], ctx),
    ).toEqual([expect.stringMatching(errant)]);
  });

  it('journals commands that carry no password', async () => {
    const seen: string[][] = [];
    const client = sides['eu-central'].client;
    const spy: FailoverSide = {
      ...sides['eu-central'],
      client: {
        cluster: client.cluster,
        pathOf: r => client.pathOf(r),
        get: p => client.get(p),
        mergePatch: (p, patch) => client.mergePatch(p, patch),
        create: (p, body) => client.create(p, body),
        delete: p => client.delete(p),
        exec: (t, command, o) => {
          seen.push(command);
          return client.exec!(t, command, o);
        },
      },
    };
    await provider.reattach(spy, sides['eu-west'], {}, ctx).catch(() => {});
    await provider.abortPromotion(spy, sides['eu-west'], ctx);
    const follow = seen.find(c => c[2].includes('CHANGE REPLICATION SOURCE'));
    expect(follow?.[2]).toContain(`SOURCE_HOST='${address('eu-west')}'`);
    expect(follow?.[2]).toContain("SOURCE_PASSWORD='$REPLICATION_PASSWORD'");
    expect(follow?.[2]).toMatch(/^MYSQL_PWD="\$MYSQL_ROOT_PASSWORD" mysql /);
  });
});
