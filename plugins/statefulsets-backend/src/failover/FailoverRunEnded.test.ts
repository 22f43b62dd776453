import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import { RunningSimulator } from '@multicluster/cluster-simulator';
import { FailoverRun } from '@multicluster/backstage-plugin-statefulsets-common';
import {
  clientsFor,
  FaultyClient,
  liveTopology,
  startDemoWorld,
} from './__testUtils__/simulatorWorld';
import { DatabaseFailoverStore } from './DatabaseFailoverStore';
import { FailoverEngine } from './FailoverEngine';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['SQLITE_3'] });

describe('FailoverEngine onRunEnded', () => {
  let sim: RunningSimulator;
  let faulty: FaultyClient[];
  let store: DatabaseFailoverStore;

  beforeEach(async () => {
    sim = await startDemoWorld();
    faulty = clientsFor(sim).map(c => new FaultyClient(c));
    store = await DatabaseFailoverStore.create({
      database: await databases.init('SQLITE_3'),
    });
    // The plan needs every pod ready and a fresh lag on the passive side.
    for (const end = Date.now() + 10_000; Date.now() < end; ) {
      const t = await liveTopology(sim, faulty, 'orders-mysql').catch(
        () => undefined,
      );
      const ready =
        t?.replication[0]?.lagSeconds !== null &&
        t?.clusters.every(c =>
          c.workloads.every(w => w.replicas.ready === w.replicas.desired),
        );
      if (ready) break;
      await new Promise(r => setTimeout(r, 50));
    }
  });

  afterEach(async () => {
    await sim.stop();
  });

  async function runOnce(onRunEnded: (run: FailoverRun) => Promise<void>) {
    const logger = mockServices.logger.mock();
    const engine = FailoverEngine.create({
      store,
      clients: faulty,
      logger,
      leaseMs: 2000,
      catchUpTimeoutMs: 5000,
      verifyTimeoutMs: 5000,
      onRunEnded,
    });
    const run = await engine.start({
      topology: await liveTopology(sim, faulty, 'orders-mysql'),
      targetCluster: 'eu-west',
      mode: 'switchover',
      actor: 'user:default/ops',
    });
    await engine.waitForRun(run.id);
    return { run, logger };
  }

  it('tells the listener once, with the run in its final status', async () => {
    faulty.find(c => c.cluster === 'eu-west')!.failWith = (method, p) =>
      method === 'PATCH' && p.includes('/virtualservices/') ? 409 : undefined;
    const told: FailoverRun[] = [];
    const { run } = await runOnce(async r => {
      told.push(r);
    });
    expect(told).toHaveLength(1);
    expect(told[0]).toMatchObject({
      id: run.id,
      entityRef: 'component:default/orders-mysql',
      status: 'rolled-back',
      targetCluster: 'eu-west',
    });
  });

  it('logs a failing listener and still ends the run', async () => {
    faulty.find(c => c.cluster === 'eu-west')!.failWith = (method, p) =>
      method === 'PATCH' && p.includes('/virtualservices/') ? 409 : undefined;
    const { run, logger } = await runOnce(async () => {
      throw new Error('notifications are down');
    });
    expect((await store.getRun(run.id))!.status).toBe('rolled-back');
    expect(logger.warn).toHaveBeenCalledWith(
      expect.stringMatching(/ended failed: notifications are down/),
    );
  });
});
