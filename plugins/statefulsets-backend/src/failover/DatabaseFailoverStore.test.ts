import { TestDatabases } from '@backstage/backend-test-utils';
import { ConflictError, NotFoundError } from '@backstage/errors';
import { FailoverPlan } from '@multicluster/backstage-plugin-statefulsets-common';
import { knex as createKnex, Knex } from 'knex';
import { DatabaseFailoverStore } from './DatabaseFailoverStore';

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
    trafficMethod: 'none',
    warnings: [],
    workloads: {},
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

      await store.updateStep(run.id, 0, {
        status: 'succeeded',
        outcome: { replicas: 3 },
        compensation: 'compensated',
      });
      await store.finishRun(run.id, {
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

    it('leases runs to one engine and lists expired ones for resumption', async () => {
      const knex = await databases.init(id);
      const store = await DatabaseFailoverStore.create({ database: knex });
      const run = await store.createRun(newRun('component:default/orders'));
      expect(await store.claim(run.id, 'engine-a', 1000, 10_000)).toBe(true);
      expect(await store.claim(run.id, 'engine-b', 1000, 10_500)).toBe(false);
      expect(await store.listResumable(10_500)).toEqual([]);
      expect(await store.nextLeaseExpiry(10_500, 'engine-b')).toBe(11_000);
      expect(await store.nextLeaseExpiry(10_500, 'engine-a')).toBeUndefined();
      expect(await store.renew(run.id, 'engine-a', 1000, 10_800)).toBe(true);
      // Engine a died: after expiry the run is resumable and b can take it.
      expect(await store.listResumable(12_000)).toEqual([run.id]);
      expect(await store.claim(run.id, 'engine-b', 1000, 12_000)).toBe(true);
      expect(await store.renew(run.id, 'engine-a', 1000, 12_100)).toBe(false);
      await store.release(run.id, 'engine-b');
      expect(await store.listResumable(12_100)).toEqual([run.id]);
      await store.updateStep(run.id, 1, { status: 'deferred' });
      expect(await store.listDeferred()).toEqual([{ runId: run.id, index: 1 }]);
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
