/*
 * Two engines on one database and one run: engine A is frozen mid-run (a
 * long GC pause, a stopped VM) until its lease runs out by the database's
 * clock, engine B takes the run over and decides its end; then A thaws. A's
 * next journal write and next cluster write must be refused, and the run
 * must stay as B left it.
 */
import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import { RunningSimulator } from '@multicluster/cluster-simulator';
import { knex as createKnex, Knex } from 'knex';
import {
  clientsFor,
  FaultyClient,
  liveTopology,
  startDemoWorld,
} from './__testUtils__/simulatorWorld';
import { DatabaseFailoverStore } from './DatabaseFailoverStore';
import { FailoverEngine } from './FailoverEngine';
import { GenericStatefulSetProvider } from '@multicluster/backstage-plugin-statefulsets-node';
import { HttpClusterWriteClient } from './HttpClusterWriteClient';
import { waitFor } from '../__testUtils__/waitFor';

jest.setTimeout(180_000);

const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });

const STS = '/apis/apps/v1/namespaces/databases/statefulsets/orders-mysql';
const VS =
  '/apis/networking.istio.io/v1/namespaces/databases/virtualservices/orders-mysql';

/** Where engine A freezes: inside the fence before it writes, or before the fence step's journal entry. */
type PausePoint = 'cluster write' | 'journal write';

/** A store whose every call waits while `frozen()` returns a promise: A's heartbeat freezes with it. */
function freezable(
  store: DatabaseFailoverStore,
  frozen: () => Promise<void> | undefined,
): DatabaseFailoverStore {
  return new Proxy(store, {
    get(target, prop) {
      const value = Reflect.get(target, prop, target);
      if (typeof value !== 'function') return value;
      return async (...args: unknown[]) => {
        await frozen();
        return value.apply(target, args);
      };
    },
  });
}

describe.each(databases.eachSupportedId())(
  'FailoverEngine lease fencing on %s',
  id => {
    let sim: RunningSimulator;
    let clients: HttpClusterWriteClient[];

    beforeEach(async () => {
      sim = await startDemoWorld();
      clients = clientsFor(sim);
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

    it.each<PausePoint>(['cluster write', 'journal write'])(
      'refuses the next %s of an engine whose run another engine took over',
      async pausePoint => {
        const db = await databases.init(id);
        // On PostgreSQL engine B gets its own pool, as another replica would.
        const otherDb: Knex = id.startsWith('POSTGRES')
          ? createKnex(db.client.config)
          : db;
        const storeA = await DatabaseFailoverStore.create({ database: db });
        const storeB = await DatabaseFailoverStore.create({
          database: otherDb,
        });

        let thaw!: () => void;
        const thawed = new Promise<void>(r => {
          thaw = r;
        });
        let frozen = false;
        let froze!: () => void;
        const hasFrozen = new Promise<void>(r => {
          froze = r;
        });
        const freeze = async () => {
          frozen = true;
          froze();
          await thawed;
        };

        // Every write engine A sends to a cluster, and whether B had
        // taken over by then.
        let takenOver = false;
        const writesOfA: string[] = [];
        const writesAfterTakeover: string[] = [];
        const clientsOfA = clients.map(c => {
          const f = new FaultyClient(c);
          f.failWith = (method, p) => {
            if (method !== 'GET') {
              writesOfA.push(`${c.cluster} ${method} ${p}`);
              if (takenOver) writesAfterTakeover.push(`${method} ${p}`);
            }
            return undefined;
          };
          return f;
        });
        class PausingProvider extends GenericStatefulSetProvider {
          async fence(
            ...args: Parameters<GenericStatefulSetProvider['fence']>
          ) {
            if (pausePoint === 'cluster write') await freeze();
            return super.fence(...args);
          }
        }
        const loggerA = mockServices.logger.mock();
        const a = FailoverEngine.create({
          store: freezable(storeA, () => (frozen ? thawed : undefined)),
          clients: clientsOfA,
          providers: [new PausingProvider()],
          logger: loggerA,
          ownerId: 'engine-a',
          leaseMs: 600,
          catchUpTimeoutMs: 5000,
          verifyTimeoutMs: 5000,
          beforeStep: async (_id, step) => {
            if (pausePoint === 'journal write' && step.kind === 'fence') {
              await freeze();
            }
          },
        });
        const topology = await liveTopology(sim, clients, 'orders-mysql');
        const run = await a.start({
          topology,
          targetCluster: 'eu-west',
          mode: 'switchover',
          actor: 'user:default/ops',
        });
        await hasFrozen;
        // A took traffic off eu-central before it froze.
        expect(writesOfA.some(w => w.includes('/virtualservices/'))).toBe(true);

        // A's lease runs out by the database's clock; B takes the run over.
        await waitFor(async () =>
          (await storeB.listResumable()).includes(run.id) ? true : undefined,
        );
        takenOver = true;
        const b = FailoverEngine.create({
          store: storeB,
          clients,
          logger: mockServices.logger.mock(),
          ownerId: 'engine-b',
          leaseMs: 5000,
          catchUpTimeoutMs: 5000,
          verifyTimeoutMs: 5000,
        });
        expect(await b.resumeInterrupted()).toEqual([run.id]);
        await b.stop();
        const decided = await storeB.getRunDetails(run.id);
        // Interrupted before promotion: B rolled it back.
        expect(decided.status).toBe('rolled-back');
        expect(decided.error).toMatch(/interrupted/);

        // A thaws and carries on where it froze.
        thaw();
        await a.waitForRun(run.id);
        await a.stop();

        expect(writesAfterTakeover).toEqual([]);
        expect(loggerA.warn).toHaveBeenCalledWith(
          expect.stringMatching(
            `Lost the lease of failover run ${run.id}: .*this one stops acting on it`,
          ),
        );
        expect(loggerA.error).not.toHaveBeenCalled();
        // The journal is exactly as B left it.
        expect(await storeB.getRunDetails(run.id)).toEqual(decided);
        expect(await storeB.activeRunId(run.entityRef)).toBeUndefined();
        // And so are the clusters: eu-central is the primary with its
        // replicas and all the traffic, as before the run.
        const central = await clients[0].get(STS);
        expect(clients[0].cluster).toBe('eu-central');
        expect(
          central.metadata.annotations['multicluster-statefulsets/role'],
        ).toBe('active');
        expect(central.spec.replicas).toBe(3);
        const vs = await clients[0].get(VS);
        const weights = Object.fromEntries(
          vs.spec.tcp[0].route.map((r: any) => [
            r.destination.subset,
            r.weight,
          ]),
        );
        expect(weights).toEqual({ 'eu-central': 100, 'eu-west': 0 });
        if (otherDb !== db) await otherDb.destroy();
      },
    );
  },
);
