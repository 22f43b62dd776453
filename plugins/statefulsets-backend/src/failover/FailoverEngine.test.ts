import { StatefulsetsMetrics } from '../service/metrics';
import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import { ConflictError, InputError } from '@backstage/errors';
import { RunningSimulator } from '@multicluster/cluster-simulator';
import { knex as createKnex, Knex } from 'knex';
import {
  clientsFor,
  FaultyClient,
  liveTopology,
  startDemoWorld,
  withoutOrdersEngine,
} from './__testUtils__/simulatorWorld';
import { DatabaseFailoverStore } from './DatabaseFailoverStore';
import { FailoverEngine, RESUME_TASK_ID } from './FailoverEngine';
import { redistribute } from './steps';
import { HttpClusterWriteClient } from './HttpClusterWriteClient';
import { waitFor } from '../__testUtils__/waitFor';

jest.setTimeout(60_000);

const quietLogger = () => mockServices.logger.mock();

const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });

const STS = '/apis/apps/v1/namespaces/databases/statefulsets/orders-mysql';
const VS =
  '/apis/networking.istio.io/v1/namespaces/databases/virtualservices/orders-mysql';
const CNPG =
  '/apis/postgresql.cnpg.io/v1/namespaces/databases/clusters/billing-postgres';

function weightsOf(vs: any): Record<string, number> {
  const out: Record<string, number> = {};
  for (const r of vs.spec.tcp[0].route) out[r.destination.subset] = r.weight;
  return out;
}

describe('FailoverEngine against the cluster simulator', () => {
  let sim: RunningSimulator;
  let clients: HttpClusterWriteClient[];
  let faulty: FaultyClient[];
  let store: DatabaseFailoverStore;
  let db: Knex;

  const client = (name: string) => clients.find(c => c.cluster === name)!;

  beforeEach(async () => {
    sim = await startDemoWorld({ edit: withoutOrdersEngine });
    clients = clientsFor(sim);
    faulty = clients.map(c => new FaultyClient(c));
    db = await databases.init('SQLITE_3');
    store = await DatabaseFailoverStore.create({ database: db });
    // Wait until the passive side reports a fresh lag and all pods are ready.
    await waitFor(async () => {
      const t = await liveTopology(sim, clients, 'orders-mysql');
      const ok =
        t.replication[0]?.lagSeconds !== null &&
        t.clusters.every(c =>
          c.workloads.every(w => w.replicas.ready === w.replicas.desired),
        );
      return ok ? t : undefined;
    });
  });

  afterEach(async () => {
    await sim.stop();
  });

  function engine(
    options: Partial<Parameters<typeof FailoverEngine.create>[0]> = {},
  ) {
    return FailoverEngine.create({
      store,
      clients: faulty,
      logger: quietLogger(),
      // Generous bounds: the suite shares the machine with every other
      // simulated world, and a bound hit by load alone rolls a run back.
      leaseMs: 5000,
      catchUpTimeoutMs: 20_000,
      verifyTimeoutMs: 20_000,
      ...options,
    });
  }

  async function finished(e: FailoverEngine, id: string) {
    await e.waitForRun(id);
    return store.getRunDetails(id);
  }

  it('switches orders-mysql over to eu-west and back, recording RPO and RTO', async () => {
    const audited: string[] = [];
    const measured: string[] = [];
    const metricsService = {
      createCounter: (name: string) => ({
        add: (_: number, attrs: any) =>
          measured.push(`${name} ${attrs.status}`),
      }),
      createHistogram: (name: string) => ({
        record: (ms: number, attrs: any) =>
          measured.push(`${name} ${attrs?.step} ${attrs?.status} ${ms >= 0}`),
      }),
    } as any;
    const e = engine({
      metrics: StatefulsetsMetrics.create(metricsService),
      auditor: mockServices.auditor.mock({
        createEvent: async (o: any) => ({
          success: async () => {
            audited.push(`${o.eventId}:${o.meta.step}:ok`);
          },
          fail: async () => {
            audited.push(`${o.eventId}:${o.meta.step}:fail`);
          },
        }),
      }),
    });
    const topology = await liveTopology(sim, clients, 'orders-mysql');
    const run = await e.start({
      topology,
      targetCluster: 'eu-west',
      mode: 'switchover',
      actor: 'user:default/ops',
    });
    const done = await finished(e, run.id);
    expect(done.error).toBeUndefined();
    expect(done.status).toBe('succeeded');
    expect(done.steps.map(s => s.status)).toEqual(
      done.steps.map(() => 'succeeded'),
    );
    expect(audited).toEqual(
      done.steps.map(step => `failover-step:${step.kind}:ok`),
    );
    expect(typeof done.rpoSeconds).toBe('number');
    expect(done.rtoMs).toBeGreaterThan(0);
    // The review reads the lag and the data-loss window at fence time from
    // the fence step; the window counts the age of the lag reading too.
    const fenced = done.steps.find(s => s.kind === 'fence')!.inputs!;
    expect(fenced.lagAtFence).toBe(done.rpoSeconds);
    expect(fenced.dataLossWindowSeconds).toBeGreaterThanOrEqual(
      done.rpoSeconds!,
    );
    expect(measured).toEqual([
      ...done.steps.map(
        step =>
          `multicluster_statefulsets.failover.step.duration ${step.kind} succeeded true`,
      ),
      'multicluster_statefulsets.failover.runs succeeded',
    ]);

    const west = await client('eu-west').get(STS);
    const central = await client('eu-central').get(STS);
    expect(west.metadata.annotations['multicluster-statefulsets/role']).toBe(
      'active',
    );
    expect(
      west.metadata.annotations['multicluster-statefulsets/replication-source'],
    ).toBeUndefined();
    expect(central.metadata.annotations['multicluster-statefulsets/role']).toBe(
      'passive',
    );
    expect(
      central.metadata.annotations[
        'multicluster-statefulsets/replication-source'
      ],
    ).toBe('eu-west');
    expect(central.spec.replicas).toBe(3);
    for (const c of ['eu-central', 'eu-west']) {
      expect(weightsOf(await client(c).get(VS))).toEqual({
        'eu-central': 0,
        'eu-west': 100,
      });
    }

    // And back again, once the old side is a ready replica with a fresh lag.
    const back = await waitFor(async () => {
      const t = await liveTopology(sim, clients, 'orders-mysql');
      const plan = await e.plan({
        topology: t,
        targetCluster: 'eu-central',
        mode: 'switchover',
      });
      return plan.allowed ? t : undefined;
    });
    const run2 = await e.start({
      topology: back,
      targetCluster: 'eu-central',
      mode: 'switchover',
      actor: 'user:default/ops',
    });
    expect((await finished(e, run2.id)).status).toBe('succeeded');
    expect(weightsOf(await client('eu-west').get(VS))['eu-central']).toBe(100);
    expect(await store.listRuns('component:default/orders-mysql')).toHaveLength(
      2,
    );
  });

  it('switches billing-postgres over with CloudNativePG demotion and promotion tokens', async () => {
    const e = engine();
    const topology = await waitFor(async () => {
      const t = await liveTopology(sim, clients, 'billing-postgres');
      return t.replication[0]?.lagSeconds !== null &&
        t.clusters.find(c => c.name === 'eu-west')?.workloads[0]?.replicas
          .ready === 3
        ? t
        : undefined;
    });
    const run = await e.start({
      topology,
      targetCluster: 'eu-west',
      mode: 'switchover',
      actor: 'user:default/ops',
    });
    const done = await finished(e, run.id);
    expect(done.error).toBeUndefined();
    expect(done.status).toBe('succeeded');
    const fence = done.steps.find(s => s.kind === 'fence')!;
    const token = (fence.outcome as any).undo.demotionToken;
    expect(typeof token).toBe('string');
    const west = await client('eu-west').get(CNPG);
    expect(west.spec.replica.primary).toBe('eu-west');
    expect(west.spec.replica.promotionToken).toBe(token);
    expect(west.status.lastPromotionToken).toBe(token);
    const central = await client('eu-central').get(CNPG);
    expect(central.spec.replica.primary).toBe('eu-west');
  });

  it('refuses an emergency failover without force and a run while one is in progress', async () => {
    const e = engine({
      beforeStep: async () => new Promise(r => setTimeout(r, 300)),
    });
    const topology = await liveTopology(sim, clients, 'orders-mysql');
    await expect(
      e.start({
        topology,
        targetCluster: 'eu-west',
        mode: 'failover',
        actor: 'user:default/ops',
      }),
    ).rejects.toThrow(InputError);
    const run = await e.start({
      topology,
      targetCluster: 'eu-west',
      mode: 'switchover',
      actor: 'user:default/ops',
    });
    await expect(
      e.start({
        topology,
        targetCluster: 'eu-west',
        mode: 'switchover',
        actor: 'user:default/other',
      }),
    ).rejects.toThrow(ConflictError);
    await e.stop();
    await e.waitForRun(run.id);
  });

  it('rolls back when the VirtualService patch keeps answering 409 before promotion', async () => {
    faulty.find(c => c.cluster === 'eu-west')!.failWith = (method, p) =>
      method === 'PATCH' && p.includes('/virtualservices/') ? 409 : undefined;
    const e = engine();
    const topology = await liveTopology(sim, clients, 'orders-mysql');
    const run = await e.start({
      topology,
      targetCluster: 'eu-west',
      mode: 'switchover',
      actor: 'user:default/ops',
    });
    const done = await finished(e, run.id);
    expect(done.status).toBe('rolled-back');
    expect(done.error).toMatch(/409/);
    const fenceTraffic = done.steps.find(s => s.kind === 'fence-traffic')!;
    expect(fenceTraffic.status).toBe('failed');
    expect(fenceTraffic.compensation).toBe('compensated');
    expect(done.steps.find(s => s.kind === 'fence')!.status).toBe('pending');
    expect(weightsOf(await client('eu-central').get(VS))).toEqual({
      'eu-central': 100,
      'eu-west': 0,
    });
    const central = await client('eu-central').get(STS);
    expect(central.spec.replicas).toBe(3);
    expect(central.metadata.annotations['multicluster-statefulsets/role']).toBe(
      'active',
    );
  });

  it('retries a one-off 409 and stops for a human when traffic cannot move after promotion', async () => {
    let conflicts = 1;
    faulty.find(c => c.cluster === 'eu-west')!.failWith = (method, p) => {
      if (method === 'PATCH' && p.includes('/virtualservices/') && conflicts) {
        conflicts -= 1;
        return 409;
      }
      return undefined;
    };
    const e = engine();
    let topology = await liveTopology(sim, clients, 'orders-mysql');
    const ok = await e.start({
      topology,
      targetCluster: 'eu-west',
      mode: 'switchover',
      actor: 'user:default/ops',
    });
    expect((await finished(e, ok.id)).status).toBe('succeeded');

    // Now an emergency failover back (forced with a reason: eu-west still
    // answers). Once the promotion is done, a sync puts eu-west's copy of
    // the route back and a persistent conflict keeps traffic from moving.
    const reason = 'drill: eu-west is to be treated as lost';
    const back = engine({
      beforeStep: async (_id, step) => {
        if (step.kind !== 'move-traffic') return;
        const vs = await client('eu-west').get(VS);
        vs.spec.tcp[0].route = vs.spec.tcp[0].route.map((r: any) => ({
          ...r,
          weight: r.destination.subset === 'eu-west' ? 100 : 0,
        }));
        await client('eu-west').mergePatch(VS, { spec: vs.spec });
        faulty.find(c => c.cluster === 'eu-west')!.failWith = (method, p) =>
          method === 'PATCH' && p.includes('/virtualservices/')
            ? 409
            : undefined;
      },
    });
    topology = await waitFor(async () => {
      const t = await liveTopology(sim, clients, 'orders-mysql');
      const plan = await back.plan({
        topology: t,
        targetCluster: 'eu-central',
        mode: 'failover',
        reason,
      });
      return plan.allowed ? t : undefined;
    });
    const stuck = await back.start({
      topology,
      targetCluster: 'eu-central',
      mode: 'failover',
      force: true,
      reason,
      actor: 'user:default/ops',
    });
    expect(stuck.reason).toBe(reason);
    const done = await finished(back, stuck.id);
    expect(done.status).toBe('needs-attention');
    expect(done.attention).toMatch(
      /point databases\/orders-mysql at eu-central/,
    );
    expect(done.steps.find(s => s.kind === 'promote')!.status).toBe(
      'succeeded',
    );
    expect(done.steps.find(s => s.kind === 'move-traffic')!.status).toBe(
      'failed',
    );
    // The answering source was fenced before the promotion, not deferred.
    expect(done.steps.find(s => s.kind === 'fence-old-source')!.status).toBe(
      'succeeded',
    );
    expect(
      (await client('eu-west').get(STS)).metadata.annotations[
        'multicluster-statefulsets/role'
      ],
    ).toBe('fenced');
    expect(await store.activeRunId('component:default/orders-mysql')).toBe(
      undefined,
    );
  });

  it('gives the source back at once when the target goes down during the catch-up wait, and repairs the target when it returns', async () => {
    const e = engine({
      // Without the health watch the wait would last this long.
      catchUpTimeoutMs: 60_000,
      healthIntervalMs: 100,
      healthProbeTimeoutMs: 500,
      beforeStep: async (_id, step) => {
        if (step.kind === 'wait-catch-up') {
          await sim.admin.setFaults('eu-west', { down: true });
        }
      },
    });
    const topology = await liveTopology(sim, clients, 'orders-mysql');
    const run = await e.start({
      topology,
      targetCluster: 'eu-west',
      mode: 'switchover',
      actor: 'user:default/ops',
    });
    const done = await finished(e, run.id);
    const wait = done.steps.find(s => s.kind === 'wait-catch-up')!;
    expect(wait.status).toBe('failed');
    expect(wait.error).toMatch(/eu-west stopped answering/);
    // The source took writes again seconds after it was fenced, far from
    // the 60 s catch-up bound (a loaded machine stretches the seconds, never
    // to the bound).
    const fencedAt = Date.parse(
      done.steps.find(s => s.kind === 'fence-traffic')!.startedAt!,
    );
    expect(Date.parse(done.finishedAt!) - fencedAt).toBeLessThan(20_000);
    expect(done.plan.fenceBudgetSeconds).toBe(15);
    const central = await client('eu-central').get(STS);
    expect(central.spec.replicas).toBe(3);
    expect(central.metadata.annotations['multicluster-statefulsets/role']).toBe(
      'active',
    );
    expect(weightsOf(await client('eu-central').get(VS))['eu-central']).toBe(
      100,
    );
    // Only the copy of the route in eu-west, changed before it went down,
    // is left; the backend restores it, nobody is asked to.
    expect(done.status).toBe('rolled-back-with-pending-repair');
    expect(done.attention).toMatch(/repaired by the backend/);
    expect(done.attention).not.toMatch(/by hand/);
    const fence = done.steps.find(s => s.kind === 'fence')!;
    expect(fence.compensation).toBe('compensated');
    expect(fence.changes!.map(c => [c.cluster, c.undo])).toEqual([
      ['eu-central', 'undone'],
    ]);
    const fenceTraffic = done.steps.find(s => s.kind === 'fence-traffic')!;
    expect(fenceTraffic.compensation).toBe('pending');
    expect(
      fenceTraffic.changes!.map(c => [c.cluster, c.object, c.undo]).sort(),
    ).toEqual([
      ['eu-central', 'VirtualService databases/orders-mysql', 'undone'],
      ['eu-west', 'VirtualService databases/orders-mysql', 'pending'],
    ]);
    // eu-west answers again: the next round of repairs finishes the job.
    await sim.admin.clearFaults('eu-west');
    await e.retryDeferred();
    const repaired = await store.getRunDetails(run.id);
    expect(repaired.status).toBe('rolled-back');
    expect(
      repaired.steps.find(s => s.kind === 'fence-traffic')!.compensation,
    ).toBe('compensated');
    expect(weightsOf(await client('eu-west').get(VS))).toEqual({
      'eu-central': 100,
      'eu-west': 0,
    });
  });

  it('rolls back without asking anything when the target is down as the run starts, and leaves its route alone', async () => {
    const e = engine({
      beforeStep: async (_id, step) => {
        if (step.kind === 'fence-traffic') {
          await sim.admin.setFaults('eu-west', { down: true });
        }
      },
    });
    const topology = await liveTopology(sim, clients, 'orders-mysql');
    const run = await e.start({
      topology,
      targetCluster: 'eu-west',
      mode: 'switchover',
      actor: 'user:default/ops',
    });
    const done = await finished(e, run.id);
    expect(done.status).toBe('rolled-back');
    expect(done.attention).toBeUndefined();
    // The source was never fenced; eu-west's route was never changed, so
    // nothing there is "to restore".
    expect(done.steps.find(s => s.kind === 'fence')!.status).toBe('pending');
    const changes = done.steps.flatMap(s => s.changes ?? []);
    expect(changes.map(c => c.cluster)).toEqual(['eu-central']);
    expect(changes[0].undo).toBe('undone');
    await sim.admin.clearFaults('eu-west');
    expect(weightsOf(await client('eu-west').get(VS))).toEqual({
      'eu-central': 100,
      'eu-west': 0,
    });
  });

  it('ends the catch-up wait when the lag grows instead of shrinking', async () => {
    const e = engine({
      catchUpTimeoutMs: 60_000,
      healthIntervalMs: 100,
      beforeStep: async (_id, step) => {
        // Replication from eu-central to eu-west is cut; both still answer.
        if (step.kind === 'wait-catch-up') {
          sim.admin.partition('eu-central', 'eu-west');
        }
      },
    });
    try {
      const topology = await liveTopology(sim, clients, 'orders-mysql');
      const run = await e.start({
        topology,
        targetCluster: 'eu-west',
        mode: 'switchover',
        actor: 'user:default/ops',
      });
      const done = await finished(e, run.id);
      const wait = done.steps.find(s => s.kind === 'wait-catch-up')!;
      expect(wait.error).toMatch(/lag of eu-west grows instead of shrinking/);
      expect(done.status).toBe('rolled-back');
      // Given up long before the 60 s catch-up bound.
      expect(
        Date.parse(done.finishedAt!) - Date.parse(wait.startedAt!),
      ).toBeLessThan(20_000);
    } finally {
      sim.admin.heal();
    }
  });

  it('rolls back when the fence budget is spent before promotion', async () => {
    // The target's lag cannot be read: the wait could only time out.
    let waiting = false;
    faulty.find(c => c.cluster === 'eu-west')!.failWith = (method, p) =>
      method === 'GET' && p === STS && waiting ? 500 : undefined;
    const e = engine({
      catchUpTimeoutMs: 60_000,
      beforeStep: async (_id, step) => {
        waiting = step.kind === 'wait-catch-up';
      },
    });
    const topology = await liveTopology(sim, clients, 'orders-mysql');
    topology.policy.fenceBudgetSeconds = 2;
    const run = await e.start({
      topology,
      targetCluster: 'eu-west',
      mode: 'switchover',
      actor: 'user:default/ops',
    });
    expect(run.plan.fenceBudgetSeconds).toBe(2);
    const done = await finished(e, run.id);
    waiting = false;
    expect(done.status).toBe('rolled-back');
    expect(done.error).toMatch(/fence budget of 2 s was spent/);
    const fencedAt = Date.parse(
      done.steps.find(s => s.kind === 'fence-traffic')!.startedAt!,
    );
    // Rolled back on the spent budget, long before the 60 s catch-up bound.
    expect(Date.parse(done.finishedAt!) - fencedAt).toBeLessThan(20_000);
    expect(done.steps.find(s => s.kind === 'promote')!.status).toBe('pending');
    const central = await client('eu-central').get(STS);
    expect(central.spec.replicas).toBe(3);
    expect(central.metadata.annotations['multicluster-statefulsets/role']).toBe(
      'active',
    );
  });

  it('fails over to eu-west while eu-central is down and fences eu-central when it returns', async () => {
    await sim.admin.setFaults('eu-central', { down: true });
    const topology = await liveTopology(sim, clients, 'orders-mysql');
    expect(
      topology.clusters.find(c => c.name === 'eu-central')!.reachable,
    ).toBe(false);
    const e = engine();
    const run = await e.start({
      topology,
      targetCluster: 'eu-west',
      mode: 'failover',
      force: true,
      actor: 'user:default/ops',
    });
    const done = await finished(e, run.id);
    expect(done.status).toBe('succeeded');
    expect(done.steps.find(s => s.kind === 'fence-old-source')!.status).toBe(
      'deferred',
    );
    expect(done.attention).toMatch(/eu-central could not be fenced yet/);
    expect(done.rpoSeconds).toEqual(expect.any(Number));
    expect(
      done.steps.find(s => s.kind === 'promote')!.inputs!.dataLossWindowSeconds,
    ).toBeGreaterThanOrEqual(done.rpoSeconds!);
    expect(weightsOf(await client('eu-west').get(VS))['eu-west']).toBe(100);

    await sim.admin.clearFaults('eu-central');
    // The owner calls this on a timer; the first call may still meet the
    // connections the outage broke.
    await waitFor(async () => {
      await e.retryDeferred();
      const r = await store.getRunDetails(run.id);
      return r.steps.find(s => s.kind === 'fence-old-source')!.status ===
        'succeeded'
        ? r
        : undefined;
    });
    const central = await client('eu-central').get(STS);
    expect(central.metadata.annotations['multicluster-statefulsets/role']).toBe(
      'fenced',
    );
    expect(central.spec.replicas).toBe(0);
    expect(weightsOf(await client('eu-central').get(VS))).toEqual({
      'eu-central': 0,
      'eu-west': 100,
    });
    const after = await store.getRunDetails(run.id);
    expect(after.steps.find(s => s.kind === 'fence-old-source')!.status).toBe(
      'succeeded',
    );
  });

  it('fences the old primary at once when it comes back during an emergency failover', async () => {
    await sim.admin.setFaults('eu-central', { down: true });
    const topology = await liveTopology(sim, clients, 'orders-mysql');
    const e = engine({
      beforeStep: async (_id, step) => {
        if (step.kind === 'fence-old-source') {
          await sim.admin.clearFaults('eu-central');
        }
      },
    });
    const run = await e.start({
      topology,
      targetCluster: 'eu-west',
      mode: 'failover',
      force: true,
      actor: 'user:default/ops',
    });
    const done = await finished(e, run.id);
    expect(done.status).toBe('succeeded');
    expect(done.attention).toBeUndefined();
    expect(done.steps.map(s => s.status)).toEqual(
      done.steps.map(() => 'succeeded'),
    );
    const central = await client('eu-central').get(STS);
    expect(central.metadata.annotations['multicluster-statefulsets/role']).toBe(
      'fenced',
    );
    expect(weightsOf(await client('eu-central').get(VS))['eu-west']).toBe(100);
  });

  it('fails billing-postgres over without a token and fences the old CloudNativePG primary when it returns', async () => {
    const ready = await waitFor(async () => {
      const t = await liveTopology(sim, clients, 'billing-postgres');
      return t.replication[0]?.lagSeconds !== null ? t : undefined;
    });
    expect(ready.replication[0].from).toBe('eu-central');
    await sim.admin.setFaults('eu-central', { down: true });
    const topology = await liveTopology(sim, clients, 'billing-postgres');
    const e = engine();
    const run = await e.start({
      topology,
      targetCluster: 'eu-west',
      mode: 'failover',
      force: true,
      actor: 'user:default/ops',
    });
    const done = await finished(e, run.id);
    expect(done.error).toBeUndefined();
    expect(done.status).toBe('succeeded');
    const west = await client('eu-west').get(CNPG);
    expect(west.spec.replica).toEqual(
      expect.objectContaining({ primary: 'eu-west', enabled: false }),
    );
    await sim.admin.clearFaults('eu-central');
    await waitFor(async () => {
      await e.retryDeferred();
      const r = await store.getRunDetails(run.id);
      return r.steps.every(s => s.status !== 'deferred') ? r : undefined;
    });
    const central = await client('eu-central').get(CNPG);
    expect(central.metadata.annotations['cnpg.io/fencedInstances']).toBe(
      '["*"]',
    );
    expect(central.spec.replica.primary).toBe('eu-west');
  });

  it('drains eu-west of the active-active media-shared through its VirtualService', async () => {
    const e = engine();
    const topology = await liveTopology(sim, clients, 'media-shared');
    const before = topology.traffic.weights;
    expect(before['eu-west']).toBeGreaterThan(0);
    const run = await e.start({
      topology,
      targetCluster: 'eu-west',
      mode: 'drain',
      actor: 'user:default/ops',
    });
    const done = await finished(e, run.id);
    expect(done.error).toBeUndefined();
    expect(done.status).toBe('succeeded');
    expect(done.rpoSeconds).toBe(0);
    const after = await liveTopology(sim, clients, 'media-shared');
    expect(after.traffic.weights).toEqual({ 'eu-central': 100, 'eu-west': 0 });
    // Nothing was promoted or fenced.
    expect(after.clusters.map(c => c.role)).toEqual(
      topology.clusters.map(c => c.role),
    );
  });

  it('drains us-east of sessions-mongodb by withdrawing its MCS ServiceExport', async () => {
    const e = engine();
    const topology = await liveTopology(sim, clients, 'sessions-mongodb');
    expect(topology.traffic.routing).toBe('mcs');
    const run = await e.start({
      topology,
      targetCluster: 'us-east',
      mode: 'drain',
      actor: 'user:default/ops',
    });
    const done = await finished(e, run.id);
    expect(done.error).toBeUndefined();
    expect(done.status).toBe('succeeded');
    const after = await liveTopology(sim, clients, 'sessions-mongodb');
    expect(Object.keys(after.traffic.weights).sort()).toEqual([
      'eu-central',
      'eu-west',
    ]);
    expect(
      await client('us-east').get(
        '/apis/multicluster.x-k8s.io/v1alpha1/namespaces/databases/serviceexports/sessions-mongodb',
      ),
    ).toBeUndefined();
  });

  it('rolls back a run interrupted before promotion when another engine starts', async () => {
    let first: FailoverEngine;
    // eslint-disable-next-line prefer-const
    first = engine({
      ownerId: 'engine-1',
      beforeStep: (_id, step) => {
        if (step.kind === 'promote') void first.stop();
      },
    });
    const topology = await liveTopology(sim, clients, 'orders-mysql');
    const run = await first.start({
      topology,
      targetCluster: 'eu-west',
      mode: 'switchover',
      actor: 'user:default/ops',
    });
    await first.waitForRun(run.id);
    const interrupted = await store.getRunDetails(run.id);
    expect(interrupted.status).toBe('running');
    expect((await client('eu-central').get(STS)).spec.replicas).toBe(0);

    // A killed backend cannot release its lease: pretend it still holds it.
    expect(await store.claim(run.id, 'killed-backend', 300)).toEqual(
      expect.objectContaining({ owner: 'killed-backend' }),
    );
    const secondStore = await DatabaseFailoverStore.create({ database: db });
    const scheduler = mockServices.scheduler();
    const second = FailoverEngine.create({
      store: secondStore,
      clients: faulty,
      logger: quietLogger(),
      ownerId: 'engine-2',
      scheduler,
    });
    // Nothing to take over while the lease lasts; the engine's scheduled
    // task (on every replica) looks again, and takes the run once the lease
    // ran out.
    expect(await second.resumeInterrupted()).toEqual([]);
    expect(await scheduler.getScheduledTasks()).toEqual([
      expect.objectContaining({ id: RESUME_TASK_ID, scope: 'local' }),
    ]);
    const done = await waitFor(async () => {
      await scheduler.triggerTask(RESUME_TASK_ID);
      const r = await store.getRunDetails(run.id);
      return r.status === 'running' ? undefined : r;
    });
    await second.stop();
    expect(done.status).toBe('rolled-back');
    expect(done.error).toMatch(/interrupted/);
    expect(done.steps.find(s => s.kind === 'promote')!.status).toBe('pending');
    const central = await client('eu-central').get(STS);
    expect(central.spec.replicas).toBe(3);
    expect(central.metadata.annotations['multicluster-statefulsets/role']).toBe(
      'active',
    );
    expect(weightsOf(await client('eu-central').get(VS))['eu-central']).toBe(
      100,
    );
  });

  it('continues a run interrupted after promotion without redoing finished steps', async () => {
    let first: FailoverEngine;
    // eslint-disable-next-line prefer-const
    first = engine({
      ownerId: 'engine-1',
      beforeStep: (_id, step) => {
        if (step.kind === 'move-traffic') void first.stop();
      },
    });
    const topology = await liveTopology(sim, clients, 'orders-mysql');
    const run = await first.start({
      topology,
      targetCluster: 'eu-west',
      mode: 'switchover',
      actor: 'user:default/ops',
    });
    await first.waitForRun(run.id);
    const before = await store.getRunDetails(run.id);
    expect(before.status).toBe('running');
    const promoteStarted = before.steps.find(
      s => s.kind === 'promote',
    )!.startedAt;

    const second = FailoverEngine.create({
      store,
      clients: faulty,
      logger: quietLogger(),
      ownerId: 'engine-2',
      verifyTimeoutMs: 5000,
    });
    await second.resumeInterrupted();
    const done = await store.getRunDetails(run.id);
    expect(done.status).toBe('succeeded');
    expect(done.steps.find(s => s.kind === 'promote')!.startedAt).toBe(
      promoteStarted,
    );
    expect(weightsOf(await client('eu-central').get(VS))['eu-west']).toBe(100);
  });
});

describe.each(databases.eachSupportedId())('FailoverEngine lock on %s', id => {
  let sim: RunningSimulator;
  afterEach(async () => sim?.stop());

  it('lets exactly one of two engines on one database start a run', async () => {
    sim = await startDemoWorld({ edit: withoutOrdersEngine });
    const clients = clientsFor(sim);
    const knex = await databases.init(id);
    const other: Knex = id.startsWith('POSTGRES')
      ? createKnex(knex.client.config)
      : knex;
    const engines: FailoverEngine[] = [];
    // Migrations run one after the other, as backend replicas start.
    for (const database of [knex, other]) {
      engines.push(
        FailoverEngine.create({
          store: await DatabaseFailoverStore.create({ database }),
          clients,
          logger: quietLogger(),
        }),
      );
    }
    // Race on a topology whose plan passes, so that only the lock decides
    // (a loaded machine can otherwise leave the lag momentarily stale).
    const request = {
      targetCluster: 'eu-west',
      mode: 'switchover' as const,
      actor: 'user:default/ops',
    };
    const topology = await waitFor(async () => {
      const t = await liveTopology(sim, clients, 'orders-mysql');
      if (t.replication[0]?.lagSeconds === null) return undefined;
      const plan = await engines[0].plan({ topology: t, ...request });
      return plan.allowed ? t : undefined;
    });
    const results = await Promise.allSettled(
      engines.map(e =>
        e.start({
          topology,
          targetCluster: 'eu-west',
          mode: 'switchover',
          actor: 'user:default/ops',
        }),
      ),
    );
    const started = results.filter(r => r.status === 'fulfilled');
    const refused = results.filter(
      (r): r is PromiseRejectedResult => r.status === 'rejected',
    );
    expect(started).toHaveLength(1);
    expect(refused).toHaveLength(1);
    expect(refused[0].reason).toBeInstanceOf(ConflictError);
    await Promise.all(engines.map(e => e.stop()));
    if (other !== knex) await other.destroy();
  });
});

describe('redistribute', () => {
  it('spreads a drained share in proportion and keeps the sum at 100', () => {
    expect(redistribute({ a: 50, b: 30, c: 20 }, 'a')).toEqual({
      a: 0,
      b: 60,
      c: 40,
    });
    expect(redistribute({ a: 100, b: 0, c: 0 }, 'a')).toEqual({
      a: 0,
      b: 50,
      c: 50,
    });
    const odd = redistribute({ a: 40, b: 20, c: 20, d: 20 }, 'a');
    expect(Object.values(odd).reduce((x, y) => x + y, 0)).toBe(100);
  });
});
