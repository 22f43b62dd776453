/*
 * The MongoDB provider against the cluster simulator's MongoDB emulator,
 * every mongosh command through `pods/exec` as a run sends it, on the
 * demo's sessions-mongodb (one replica set over eu-central, eu-west and
 * us-east): a switchover and a failback move the elected primary (read
 * from the members, not from annotations); an emergency with a majority
 * left needs no forced reconfiguration, one without it forces the set down
 * to the members the target reaches and states the data lost in optime
 * seconds.
 */
import {
  FailoverCallContext,
  FailoverSide,
  MongoReplicaSetProvider,
} from '@multicluster/backstage-plugin-statefulsets-node';
import { RunningSimulator } from '@multicluster/cluster-simulator';
import { clientsFor, startDemoWorld } from './__testUtils__/simulatorWorld';

jest.setTimeout(90_000);

const workload = {
  apiVersion: 'apps/v1',
  kind: 'StatefulSet',
  namespace: 'databases',
  name: 'sessions-mongodb',
};
const FIRST_POD: Record<string, string> = {
  'eu-central': 'sessions-mongodb-0',
  'eu-west': 'sessions-mongodb-10',
  'us-east': 'sessions-mongodb-20',
};
const ctx: FailoverCallContext = {
  entityRef: 'component:default/sessions-mongodb',
  engine: 'mongodb',
  now: Date.now,
};
const sleep = (ms: number) => new Promise(r => setTimeout(r, ms));

describe('MongoReplicaSetProvider through pods/exec', () => {
  let sim: RunningSimulator;
  let sides: Record<string, FailoverSide>;
  const provider = new MongoReplicaSetProvider({ pollMs: 200 });

  /** `kubectl exec <pod> -- mongosh --quiet --eval <js>` in a cluster. */
  function mongosh(cluster: string, js: string, pod = FIRST_POD[cluster]) {
    return sides[cluster].client.exec!(
      { namespace: 'databases', pod, container: 'mongod' },
      ['mongosh', '--quiet', '--eval', js],
      { timeoutMs: 20_000 },
    );
  }

  const annotations = async (cluster: string) =>
    (
      await sides[cluster].client.get(
        '/apis/apps/v1/namespaces/databases/statefulsets/sessions-mongodb',
      )
    ).metadata.annotations;

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

  async function expectPrimaryIn(primary: string, old: string) {
    expect(
      (await mongosh(primary, 'db.hello().isWritablePrimary')).stdout,
    ).toBe('true\n');
    expect((await mongosh(old, 'db.hello().isWritablePrimary')).stdout).toBe(
      'false\n',
    );
    const insert = "db.getSiblingDB('app').sessions.insertOne({user: 'u1'})";
    expect((await mongosh(primary, insert)).exitCode).toBe(0);
    const refused = await mongosh(old, insert);
    expect(refused.exitCode).toBe(1);
    expect(refused.stderr).toContain('MongoServerError[NotWritablePrimary]');
    expect(await provider.verifyRoles(sides[primary], sides[old], ctx)).toEqual(
      [],
    );
    expect(await provider.isPromoted(sides[primary], ctx)).toBe(true);
    expect(await provider.isPromoted(sides[old], ctx)).toBe(false);
    expect(await annotations(primary)).toMatchObject({
      'multicluster-statefulsets/role': 'active',
    });
    expect(await annotations(old)).toMatchObject({
      'multicluster-statefulsets/role': 'passive',
      'multicluster-statefulsets/replication-source': primary,
    });
  }

  async function switchover(from: string, to: string) {
    const fenced = await provider.fence(sides[from], sides[to], ctx);
    await provider.waitCaughtUp(sides[to], sides[from], {
      ...ctx,
      timeoutMs: 10_000,
    });
    const promoted = await provider.promote(sides[to], sides[from], {
      ...ctx,
      fenced,
      emergency: false,
    });
    await provider.reattach(sides[from], sides[to], fenced, ctx);
    return { fenced, promoted };
  }

  beforeAll(async () => {
    sim = await startDemoWorld();
    const clients = clientsFor(sim, 20_000);
    sides = Object.fromEntries(
      Object.keys(FIRST_POD).map(cluster => [
        cluster,
        {
          cluster,
          client: clients.find(c => c.cluster === cluster)!,
          workload,
        },
      ]),
    );
    await Promise.all(
      Object.entries(FIRST_POD).map(([c, pod]) => waitRunning(sides[c], pod)),
    );
  });

  afterAll(() => sim?.stop());

  it('is chosen for MongoDB StatefulSets only', () => {
    expect(provider.supportsWorkload(workload, 'mongodb')).toBe(true);
    expect(provider.supportsWorkload(workload, 'mysql')).toBe(false);
    expect(
      provider.supportsWorkload(
        { ...workload, kind: 'PerconaServerMongoDB' },
        'mongodb',
      ),
    ).toBe(false);
  });

  it('switches the primary to eu-west and back, losing nothing', async () => {
    expect(
      (await mongosh('eu-central', 'db.hello().isWritablePrimary')).stdout,
    ).toBe('true\n');
    await sleep(1_500);
    const loss = await provider.readDataLoss(
      sides['eu-west'],
      sides['eu-central'],
      ctx,
    );
    expect(loss).toMatchObject({ unit: 'optime seconds' });
    expect(loss!.amount).toBeGreaterThanOrEqual(0);
    expect(loss!.amount).toBeLessThanOrEqual(2);

    const there = await switchover('eu-central', 'eu-west');
    expect(there.fenced.priorities).toMatchObject({
      'sessions-mongodb-0.sessions-mongodb.databases.svc.clusterset.local:27017': 2,
    });
    await expectPrimaryIn('eu-west', 'eu-central');
    const conf = JSON.parse(
      (await mongosh('us-east', 'JSON.stringify(rs.conf())')).stdout,
    );
    expect(conf.members.map((m: any) => m.priority)).toEqual([1, 1, 2, 2, 0.5]);

    await switchover('eu-west', 'eu-central');
    await expectPrimaryIn('eu-central', 'eu-west');
    const back = JSON.parse(
      (await mongosh('us-east', 'JSON.stringify(rs.conf())')).stdout,
    );
    expect(back.members.map((m: any) => m.priority)).toEqual([2, 2, 1, 1, 0.5]);
  });

  it('fails over to eu-west without force while a majority survives, then by force to us-east alone', async () => {
    await sim.admin.setFaults('eu-central', { down: true });
    const promoted = await provider.promote(
      sides['eu-west'],
      sides['eu-central'],
      { ...ctx, emergency: true },
    );
    expect(promoted.forced).toBe(false);
    expect(
      (await mongosh('eu-west', 'db.hello().isWritablePrimary')).stdout,
    ).toBe('true\n');

    await sleep(1_500);
    await sim.admin.setFaults('eu-west', { down: true });
    const loss = await provider.readDataLoss(
      sides['us-east'],
      sides['eu-west'],
      ctx,
    );
    expect(loss).toMatchObject({ unit: 'optime seconds' });
    expect(loss!.amount).toBeGreaterThan(0);
    expect(
      (await mongosh('us-east', 'db.hello().isWritablePrimary')).stdout,
    ).toBe('false\n');
    const forced = await provider.promote(sides['us-east'], sides['eu-west'], {
      ...ctx,
      emergency: true,
    });
    expect(forced).toMatchObject({
      forced: true,
      primary:
        'sessions-mongodb-20.sessions-mongodb.databases.svc.clusterset.local:27017',
    });
    expect(forced.lostOptimeSeconds).toBeGreaterThan(0);
    expect(forced.removedMembers).toHaveLength(4);
    const conf = JSON.parse(
      (await mongosh('us-east', 'JSON.stringify(rs.conf())')).stdout,
    );
    expect(conf.version).toBeGreaterThan(10000);
    expect(
      (
        await mongosh(
          'us-east',
          "db.getSiblingDB('app').sessions.insertOne({user: 'u2'}).acknowledged",
        )
      ).stdout,
    ).toBe('true\n');
  });
});
