/*
 * Deferred fences of old primaries left by an emergency failover: applied
 * by one replica only, and never once a later run has made their cluster
 * the primary again.
 */
import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import { RunningSimulator } from '@multicluster/cluster-simulator';
import { ClusterWriteClient } from '@multicluster/backstage-plugin-statefulsets-node';
import {
  clientsFor,
  FaultyClient,
  liveTopology,
  startDemoWorld,
  withoutOrdersEngine,
} from './__testUtils__/simulatorWorld';
import { DatabaseFailoverStore } from './DatabaseFailoverStore';
import { FailoverEngine } from './FailoverEngine';
import { HttpClusterWriteClient } from './HttpClusterWriteClient';
import { waitFor as waitUntil } from '../__testUtils__/waitFor';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['SQLITE_3'] });

const STS = '/apis/apps/v1/namespaces/databases/statefulsets/orders-mysql';
const ROLE = 'multicluster-statefulsets/role';
const SOURCE = 'multicluster-statefulsets/replication-source';
const ENTITY = 'component:default/orders-mysql';

const waitFor = <T>(probe: () => Promise<T | undefined>, timeoutMs = 15_000) =>
  waitUntil(probe, timeoutMs);

describe('deferred fences', () => {
  let sim: RunningSimulator;
  let clients: HttpClusterWriteClient[];
  let store: DatabaseFailoverStore;

  const client = (name: string) => clients.find(c => c.cluster === name)!;

  /** Clients that note each request to eu-central under `who`. */
  function recording(who: string, seen: string[]) {
    return clients.map(c => {
      const f = new FaultyClient(c);
      f.failWith = method => {
        if (c.cluster === 'eu-central') seen.push(`${who} ${method}`);
        return undefined;
      };
      return f;
    });
  }

  function engine(
    ownerId: string,
    engineClients: ClusterWriteClient[] = clients,
  ) {
    return FailoverEngine.create({
      store,
      clients: engineClients,
      logger: mockServices.logger.mock(),
      ownerId,
      leaseMs: 2000,
      catchUpTimeoutMs: 5000,
      verifyTimeoutMs: 5000,
    });
  }

  beforeEach(async () => {
    sim = await startDemoWorld({ edit: withoutOrdersEngine });
    clients = clientsFor(sim);
    store = await DatabaseFailoverStore.create({
      database: await databases.init('SQLITE_3'),
    });
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

  /** Fails orders-mysql over to eu-west while eu-central is down: eu-central's fence is deferred. */
  async function failOverWithCentralDown(e: FailoverEngine) {
    await sim.admin.setFaults('eu-central', { down: true });
    const topology = await liveTopology(sim, clients, 'orders-mysql');
    const run = await e.start({
      topology,
      targetCluster: 'eu-west',
      mode: 'failover',
      force: true,
      actor: 'user:default/ops',
    });
    await e.waitForRun(run.id);
    const done = await store.getRunDetails(run.id);
    expect(done.status).toBe('succeeded');
    const fence = done.steps.find(s => s.kind === 'fence-old-source')!;
    expect(fence.status).toBe('deferred');
    return { run: done, fence };
  }

  it('is applied by one of two replicas retrying at the same time', async () => {
    const { run, fence } = await failOverWithCentralDown(engine('starter'));
    await sim.admin.clearFaults('eu-central');

    const seen: string[] = [];
    const a = engine('replica-a', recording('replica-a', seen));
    const b = engine('replica-b', recording('replica-b', seen));
    const rounds: string[][] = [];
    await waitFor(async () => {
      seen.length = 0;
      await Promise.all([a.retryDeferred(), b.retryDeferred()]);
      rounds.push([...new Set(seen.map(s => s.split(' ')[0]))]);
      const step = (await store.getSteps(run.id))[fence.index];
      return step.status === 'succeeded' ? step : undefined;
    });
    // In every round exactly one replica claimed the fence and talked to
    // eu-central; the other left it alone.
    for (const who of rounds) expect(who).toHaveLength(1);
    const central = await client('eu-central').get(STS);
    expect(central.metadata.annotations[ROLE]).toBe('fenced');
    expect(central.spec.replicas).toBe(0);
    expect((await store.getRun(run.id))!.attention).toMatch(
      /eu-central answered again at .*: it was fenced/,
    );
    // Done: neither replica touches eu-central again.
    seen.length = 0;
    await Promise.all([a.retryDeferred(), b.retryDeferred()]);
    expect(seen).toEqual([]);
  });

  it('is cancelled by a later run that makes its cluster the primary again', async () => {
    const e = engine('engine');
    const { run: first, fence } = await failOverWithCentralDown(e);

    // eu-central comes back and, before the retry ran, an operator makes
    // it a replica of eu-west by hand; then switches back to it.
    await sim.admin.clearFaults('eu-central');
    await waitFor(() =>
      client('eu-central').mergePatch(STS, {
        metadata: { annotations: { [ROLE]: 'passive', [SOURCE]: 'eu-west' } },
      }),
    );
    const topology = await waitFor(async () => {
      const t = await liveTopology(sim, clients, 'orders-mysql');
      const plan = await e.plan({
        topology: t,
        targetCluster: 'eu-central',
        mode: 'switchover',
      });
      return plan.allowed ? t : undefined;
    });
    const back = await e.start({
      topology,
      targetCluster: 'eu-central',
      mode: 'switchover',
      actor: 'user:default/ops',
    });
    await e.waitForRun(back.id);
    const second = await store.getRunDetails(back.id);
    expect(second.error).toBeUndefined();
    expect(second.status).toBe('succeeded');
    expect(second.steps.find(s => s.kind === 'promote')!.outcome).toEqual(
      expect.objectContaining({ cancelledFences: 1 }),
    );

    const cancelled = (await store.getSteps(first.id))[fence.index];
    expect(cancelled.status).toBe('skipped');
    expect(cancelled.outcome).toEqual({
      reason: expect.stringContaining(`run ${back.id} promotes eu-central`),
    });
    expect(await store.listDeferred()).toEqual([]);

    // The retry finds nothing to do: the new primary stays up.
    await e.retryDeferred();
    const central = await client('eu-central').get(STS);
    expect(central.metadata.annotations[ROLE]).toBe('active');
    expect(central.spec.replicas).toBe(3);
    expect(await store.activeRunId(ENTITY)).toBeUndefined();
  });
});
