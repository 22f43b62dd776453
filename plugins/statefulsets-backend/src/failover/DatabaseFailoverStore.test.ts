import { TestDatabases } from '@backstage/backend-test-utils';
import { ConflictError, NotFoundError } from '@backstage/errors';
import { FailoverPlan } from '@multicluster/backstage-plugin-statefulsets-common';
import { knex as createKnex, Knex } from 'knex';
import { DatabaseFailoverStore, LeaseLostError } from './DatabaseFailoverStore';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });

function plan(entityRef: string): FailoverPlan {
  return {
    entityRef,
    mode: 'switchover',
    sourceCluster: 'a',
    targetCluster: 'b',
    generatedAt: '2026-11-27T12:00:00.000Z',
    allowed: true,
    requiresForce: false,
    offeredModes: ['switchover'],
    checks: [],
    steps: [
      {
        index: 0,
        kind: 'fence',
        title: 'Fence a',
        cluster: 'a',
        changes: [],
        beforePromotion: true,
      },
      {
        index: 1,
        kind: 'promote',
        title: 'Promote b',
        cluster: 'b',
        changes: [],
        beforePromotion: false,
      },
    ],
    dataLossWindowSeconds: 0,
    dataLoss: 'none',
    fenceMethod: 'generic',
    routing: 'none',
    warnings: [],
    workloads: {},
    fenceBudgetSeconds: 15,
  };
}

function newRun(entityRef: string, createdAt = '2026-11-27T12:00:00.000Z') {
  return {
    entityRef,
    mode: 'switchover' as const,
    sourceCluster: 'a',
    targetCluster: 'b',
    actor: 'user:default/ops',
    plan: plan(entityRef),
    createdAt,
  };
}

describe.each(databases.eachSupportedId())(
  'DatabaseFailoverStore on %s',
  id => {
    it('creates runs with their steps and keeps one run per entity', async () => {
      const knex = await databases.init(id);
      const store = await DatabaseFailoverStore.create({ database: knex });
      const run = await store.createRun(newRun('component:default/orders'));
      expect(run.status).toBe('pending');
      expect(run.plan.steps).toHaveLength(2);
      expect(await store.activeRunId('component:default/orders')).toBe(run.id);

      await expect(
        store.createRun(newRun('component:default/orders')),
      ).rejects.toThrow(ConflictError);
      // Another entity is not blocked.
      await store.createRun(newRun('component:default/billing'));

      const details = await store.getRunDetails(run.id);
      expect(details.steps.map(s => [s.index, s.kind, s.status])).toEqual([
        [0, 'fence', 'pending'],
        [1, 'promote', 'pending'],
      ]);

      const lease = (await store.claim(run.id, 'engine-a', 60_000))!;
      await store.updateStep(lease, 0, {
        status: 'succeeded',
        outcome: { replicas: 3 },
        compensation: 'compensated',
      });
      await store.finishRun(lease, {
        status: 'rolled-back',
        finishedAt: '2026-11-27T12:01:00.000Z',
        rpoSeconds: 1.5,
        rtoMs: 1234,
        error: 'boom',
      });
      const after = await store.getRunDetails(run.id);
      expect(after.status).toBe('rolled-back');
      expect(after.rpoSeconds).toBe(1.5);
      expect(after.rtoMs).toBe(1234);
      expect(after.steps[0].outcome).toEqual({ replicas: 3 });
      expect(after.steps[0].compensation).toBe('compensated');
      expect(
        await store.activeRunId('component:default/orders'),
      ).toBeUndefined();

      // The lock is free again.
      const second = await store.createRun(
        newRun('component:default/orders', '2026-11-27T12:05:00.000Z'),
      );
      const history = await store.listRuns('component:default/orders');
      expect(history.map(r => r.id)).toEqual([second.id, run.id]);
      await expect(store.getRunDetails('nope')).rejects.toThrow(NotFoundError);
    });

    it('reads a plan stored by an earlier release with its routing under the old name', async () => {
      const knex = await databases.init(id);
      const store = await DatabaseFailoverStore.create({ database: knex });
      const run = await store.createRun(newRun('component:default/orders'));
      const { routing: _routing, ...rest } = plan('component:default/orders');
      await knex('failover_runs')
        .where({ id: run.id })
        .update({
          plan: JSON.stringify({ ...rest, trafficMethod: 'virtualservice' }),
        });
      const stored = await store.getRunDetails(run.id);
      expect(stored.plan.routing).toBe('istio');
      expect(stored.plan).not.toHaveProperty('trafficMethod');
    });

    it('leases runs to one engine by the database clock, with a growing epoch', async () => {
      const knex = await databases.init(id);
      const store = await DatabaseFailoverStore.create({ database: knex });
      const run = await store.createRun(newRun('component:default/orders'));
      const a = await store.claim(run.id, 'engine-a', 400);
      expect(a).toEqual({ runId: run.id, owner: 'engine-a', epoch: 1 });
      expect(await store.claim(run.id, 'engine-b', 400)).toBeUndefined();
      expect(await store.listResumable()).toEqual([]);
      const until = await store.msUntilNextLeaseExpiry('engine-b');
      expect(until).toBeGreaterThan(0);
      expect(until).toBeLessThanOrEqual(400);
      expect(await store.msUntilNextLeaseExpiry('engine-a')).toBeUndefined();
      expect(await store.renew(a!, 400)).toBe(true);
      await store.assertLease(a!);
      await store.updateStep(a!, 0, { status: 'running' });

      // Engine a stops renewing: once the database's clock passes the
      // lease, the run is resumable and b takes it with a new epoch.
      await new Promise(r => setTimeout(r, 500));
      expect(await store.listResumable()).toEqual([run.id]);
      await expect(store.assertLease(a!)).rejects.toThrow(LeaseLostError);
      const b = await store.claim(run.id, 'engine-b', 60_000);
      expect(b).toEqual({ runId: run.id, owner: 'engine-b', epoch: 2 });

      // Every write of a, the loser, is refused and changes nothing.
      expect(await store.renew(a!, 400)).toBe(false);
      await expect(
        store.updateStep(a!, 0, { status: 'failed', error: 'late' }),
      ).rejects.toThrow(LeaseLostError);
      await expect(store.updateRun(a!, { attention: 'late' })).rejects.toThrow(
        LeaseLostError,
      );
      await expect(
        store.finishRun(a!, { status: 'rolled-back' }),
      ).rejects.toThrow(LeaseLostError);
      await expect(store.assertLease(a!)).rejects.toThrow(LeaseLostError);
      // The same owner with an old epoch is refused too.
      const b2 = (await store.claim(run.id, 'engine-b', 60_000))!;
      expect(b2.epoch).toBe(3);
      await expect(
        store.updateStep(b!, 0, { status: 'failed' }),
      ).rejects.toThrow(LeaseLostError);
      await store.release(a!);
      expect(await store.listResumable()).toEqual([]);
      const details = await store.getRunDetails(run.id);
      expect(details.status).toBe('pending');
      expect(details.attention).toBeUndefined();
      expect(details.steps[0].status).toBe('running');
      expect(await store.activeRunId('component:default/orders')).toBe(run.id);

      await store.updateStep(b2, 1, { status: 'deferred' });
      await store.release(b2);
      expect(await store.listResumable()).toEqual([run.id]);
      expect(await store.listDeferred()).toEqual([
        { runId: run.id, index: 1, cluster: 'b' },
      ]);
    });

    it('lets one replica claim a deferred fence, and a later run that promotes its cluster cancel it', async () => {
      const knex = await databases.init(id);
      const store = await DatabaseFailoverStore.create({ database: knex });
      const ref = 'component:default/orders';
      const first = await store.createRun(newRun(ref));
      const firstLease = (await store.claim(first.id, 'engine-a', 60_000))!;
      // Step 1 stands for a fence of cluster b, the run's old primary, left
      // deferred.
      await knex('failover_steps')
        .where({ run_id: first.id, step_index: 1 })
        .update({ kind: 'fence-old-source' });
      await knex('failover_runs')
        .where({ id: first.id })
        .update({ source_cluster: 'b' });
      await store.updateStep(firstLease, 1, { status: 'deferred' });
      await store.finishRun(firstLease, { status: 'succeeded' });

      const claimA = await store.claimDeferred(
        first.id,
        1,
        'replica-a',
        60_000,
      );
      expect(claimA).toBeDefined();
      expect(
        await store.claimDeferred(first.id, 1, 'replica-b', 60_000),
      ).toBeUndefined();
      expect(await store.listDeferred()).toEqual([]);
      await store.assertDeferredClaim(claimA!);
      await store.releaseDeferred(claimA!, { reason: 'b is still down' });
      expect(await store.listDeferred()).toHaveLength(1);

      const claimB = (await store.claimDeferred(
        first.id,
        1,
        'replica-b',
        60_000,
      ))!;
      // A later run of the entity is about to promote b.
      const second = await store.createRun(
        newRun(ref, '2026-11-27T12:05:00.000Z'),
      );
      const secondLease = (await store.claim(second.id, 'engine-c', 60_000))!;
      expect(await store.cancelDeferredFences(secondLease, ref, 'a')).toBe(0);
      expect(await store.cancelDeferredFences(secondLease, ref, 'b')).toBe(1);
      await expect(store.assertDeferredClaim(claimB)).rejects.toThrow(
        LeaseLostError,
      );
      expect(
        await store.completeDeferred(
          claimB,
          { status: 'succeeded' },
          'b was fenced',
        ),
      ).toBe(false);
      const step = (await store.getSteps(first.id))[1];
      expect(step.status).toBe('skipped');
      expect(step.outcome).toEqual({
        reason: expect.stringMatching(`run ${second.id} promotes b`),
      });
      expect(await store.listDeferred()).toEqual([]);
      expect((await store.getRun(first.id))!.attention).toBeUndefined();
      // Cancelling is a write of the second run's journal: its lease counts.
      await store.release(secondLease);
      await expect(
        store.cancelDeferredFences(secondLease, ref, 'b'),
      ).rejects.toThrow(LeaseLostError);
    });

    it('keeps the pending repairs of a rollback until one replica makes them, and a later run cancels them', async () => {
      const knex = await databases.init(id);
      const store = await DatabaseFailoverStore.create({ database: knex });
      const ref = 'component:default/orders';
      const first = await store.createRun(newRun(ref));
      const lease = (await store.claim(first.id, 'engine-a', 60_000))!;
      const change = {
        cluster: 'b',
        object: 'VirtualService databases/orders',
        path: '/apis/networking.istio.io/v1/namespaces/databases/virtualservices/orders',
        action: 'patch' as const,
        state: 'applied' as const,
        at: '2026-11-27T12:00:01.000Z',
        previous: { spec: { tcp: [] } },
        undo: 'pending' as const,
      };
      await store.updateStep(lease, 0, {
        status: 'failed',
        compensation: 'pending',
        changes: [change],
      });
      await store.finishRun(lease, {
        status: 'rolled-back-with-pending-repair',
      });
      expect((await store.getSteps(first.id))[0].changes).toEqual([change]);
      expect(await store.listPendingRepairs()).toEqual([
        { runId: first.id, index: 0, cluster: 'a' },
      ]);
      const a = (await store.claimRepair(first.id, 0, 'replica-a', 60_000))!;
      expect(a).toBeDefined();
      expect(
        await store.claimRepair(first.id, 0, 'replica-b', 60_000),
      ).toBeUndefined();
      expect(await store.listPendingRepairs()).toEqual([]);
      // Still down: the repair stays pending, the claim is freed.
      expect(await store.finishRepair(a, { compensation: 'pending' })).toBe(
        true,
      );
      expect((await store.getRun(first.id))!.status).toBe(
        'rolled-back-with-pending-repair',
      );
      const b = (await store.claimRepair(first.id, 0, 'replica-b', 60_000))!;
      expect(
        await store.finishRepair(
          b,
          {
            compensation: 'compensated',
            changes: [{ ...change, undo: 'undone' }],
          },
          'repaired',
        ),
      ).toBe(true);
      const repaired = await store.getRun(first.id);
      expect(repaired!.status).toBe('rolled-back');
      expect(repaired!.attention).toBe('repaired');
      // A claim that was used up writes nothing more.
      expect(await store.finishRepair(b, { compensation: 'failed' })).toBe(
        false,
      );

      // Another rollback left a repair; a new run of the entity cancels it.
      const second = await store.createRun(
        newRun(ref, '2026-11-27T12:05:00.000Z'),
      );
      const secondLease = (await store.claim(second.id, 'engine-a', 60_000))!;
      await store.updateStep(secondLease, 0, { compensation: 'pending' });
      await store.finishRun(secondLease, {
        status: 'rolled-back-with-pending-repair',
      });
      const third = await store.createRun(
        newRun(ref, '2026-11-27T12:10:00.000Z'),
      );
      expect(await store.cancelPendingRepairs(ref, third.id)).toBe(1);
      expect(await store.listPendingRepairs()).toEqual([]);
      const cancelled = await store.getRunDetails(second.id);
      expect(cancelled.status).toBe('rolled-back');
      expect(cancelled.attention).toMatch(`run ${third.id}`);
      expect(cancelled.steps[0].compensation).toBe('failed');
    });

    it('rides out a database that does not answer for a moment', async () => {
      const knex = await databases.init(id);
      const store = await DatabaseFailoverStore.create({
        database: knex,
        retryMs: 3000,
      });
      const run = await store.createRun(newRun('component:default/orders'));
      const lease = (await store.claim(run.id, 'engine-a', 60_000))!;
      const acquire = knex.client.acquireConnection.bind(knex.client);
      let refusedUntil = performance.now() + 700;
      let refused = 0;
      knex.client.acquireConnection = async () => {
        if (performance.now() < refusedUntil) {
          refused += 1;
          throw Object.assign(
            new Error('connect ECONNREFUSED 127.0.0.1:5432'),
            {
              code: 'ECONNREFUSED',
            },
          );
        }
        return acquire();
      };
      try {
        await store.assertLease(lease);
        await store.updateStep(lease, 0, { status: 'running' });
        expect(refused).toBeGreaterThan(0);
        // Past the retry bound the error reaches the caller.
        refusedUntil = performance.now() + 60_000;
        await expect(
          store.updateStep(lease, 0, { status: 'failed' }),
        ).rejects.toThrow(/ECONNREFUSED/);
      } finally {
        knex.client.acquireConnection = acquire;
      }
      expect((await store.getSteps(run.id))[0].status).toBe('running');
    });

    it('lets exactly one of two stores on the same database start a run', async () => {
      const knex = await databases.init(id);
      // On PostgreSQL the second store gets its own connection pool, as a
      // second backend replica would.
      const other: Knex = id.startsWith('POSTGRES')
        ? createKnex(knex.client.config)
        : knex;
      const a = await DatabaseFailoverStore.create({ database: knex });
      const b = await DatabaseFailoverStore.create({ database: other });
      const results = await Promise.allSettled([
        a.createRun(newRun('component:default/orders')),
        b.createRun(newRun('component:default/orders')),
        a.createRun(newRun('component:default/orders')),
      ]);
      const ok = results.filter(r => r.status === 'fulfilled');
      const rejected = results.filter(
        (r): r is PromiseRejectedResult => r.status === 'rejected',
      );
      expect(ok).toHaveLength(1);
      expect(rejected).toHaveLength(2);
      for (const r of rejected) expect(r.reason).toBeInstanceOf(ConflictError);
      expect(await b.listRuns('component:default/orders')).toHaveLength(1);
      if (other !== knex) await other.destroy();
    });
  },
);

describe('replicas starting together', () => {
  const postgres = databases
    .eachSupportedId()
    .filter(([id]) => id === 'POSTGRES_15');

  it.each(postgres.length ? postgres : [['POSTGRES_15' as const]])(
    'run each migration once on a fresh %p database',
    async databaseId => {
      if (!postgres.length) return; // PostgreSQL is not configured here
      const knex = await databases.init(databaseId);
      // Four processes, each with a pool of its own.
      const others = [0, 1, 2, 3].map(() =>
        createKnex({
          client: 'pg',
          connection: knex.client.config.connection,
          acquireConnectionTimeout: 20_000,
        }),
      );
      try {
        await Promise.all(
          others.map(db => DatabaseFailoverStore.create({ database: db })),
        );
        const twice = await knex('knex_migrations')
          .select('name')
          .count({ n: '*' })
          .groupBy('name')
          .havingRaw('count(*) > 1');
        expect(twice).toEqual([]);
        expect(
          Number((await knex('knex_migrations').count({ n: '*' }))[0].n),
        ).toBeGreaterThan(0);
      } finally {
        await Promise.all(others.map(o => o.destroy()));
      }
    },
  );

  it.each(postgres.length ? postgres : [['POSTGRES_15' as const]])(
    'migrate a %p database a past race left with several knex lock rows',
    async databaseId => {
      if (!postgres.length) return; // PostgreSQL is not configured here
      const knex = await databases.init(databaseId);
      await knex.schema.createTable('knex_migrations_lock', t => {
        t.increments('index').primary();
        t.integer('is_locked');
      });
      await knex('knex_migrations_lock').insert([
        { is_locked: 0 },
        { is_locked: 0 },
        { is_locked: 0 },
      ]);
      await DatabaseFailoverStore.create({ database: knex });
      expect(await knex('knex_migrations_lock')).toEqual([
        { index: 1, is_locked: 0 },
      ]);
      expect(await knex.schema.hasTable('failover_runs')).toBe(true);
    },
  );
});
