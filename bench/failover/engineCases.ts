/*
 * The table of engine-native switchover cases: for each engine, the demo
 * database, the two clusters it switches between (primary first), the
 * provider that the product picks for it, the catch-up bound, and how its
 * world is started and readied. One row per `BENCH_PROVIDER` value.
 */
import { Entity } from '@backstage/catalog-model';
import { RunningSimulator } from '@multicluster/cluster-simulator';
import {
  clientsFor,
  startDemoWorld,
} from '../../plugins/statefulsets-backend/src/failover/__testUtils__/simulatorWorld';
import {
  catalogEntity,
  paymentsEntity,
  prepareMongo,
  preparePayments,
  startInventoryWorld,
  startPaymentsWorld,
  WorldSpeed,
} from './engineWorlds';
import { startPrometheusStandIn } from '../../plugins/statefulsets-backend/src/failover/__testUtils__/prometheusStandIn';

/** A started world with the entity the catalog holds for it. */
export interface CaseWorld {
  sim: RunningSimulator;
  entity: Entity;
  /** Settings under `multiclusterStatefulsets` besides the clusters and failover. */
  settings?: Record<string, unknown>;
  stop(): Promise<void>;
}

/** One engine's switchover case. */
export interface EngineCase {
  /** The `BENCH_PROVIDER` value. */
  id: string;
  /** The demo database (catalog Component name). */
  entity: string;
  /** The provider the product runs the switchover with. */
  provider: string;
  /** The primary at the start, then the cluster the first switchover goes to. */
  clusters: [string, string];
  /** Bound of the catch-up wait (`failover.catchUpTimeoutMs`). */
  catchUpTimeoutMs: number;
  setUp(speed: WorldSpeed): Promise<CaseWorld>;
}

/** Runs `prepare`; a world it leaves unready is stopped, not left running. */
async function stopOnError(
  sim: RunningSimulator,
  prepare: () => Promise<unknown>,
): Promise<void> {
  try {
    await prepare();
  } catch (err) {
    await sim.stop();
    throw err;
  }
}

/** A case in the demo world, the entity as examples/databases.yaml has it. */
function inDemoWorld(
  entity: string,
  prepare?: (sim: RunningSimulator) => Promise<void>,
) {
  return async (speed: WorldSpeed): Promise<CaseWorld> => {
    const sim = await startDemoWorld(speed);
    await stopOnError(sim, async () => prepare?.(sim));
    return { sim, entity: catalogEntity(entity), stop: () => sim.stop() };
  };
}

/** Every engine's case, in the order `all` runs them. */
export const ENGINE_CASES: EngineCase[] = [
  {
    id: 'mysql',
    entity: 'orders-mysql',
    provider: 'MySqlGtidProvider',
    clusters: ['eu-central', 'eu-west'],
    catchUpTimeoutMs: 10_000,
    setUp: inDemoWorld('orders-mysql'),
  },
  {
    id: 'postgresql',
    entity: 'inventory-kubefed',
    provider: 'PostgresStreamingProvider',
    clusters: ['us-east', 'eu-west'],
    catchUpTimeoutMs: 10_000,
    async setUp(speed) {
      const sim = await startInventoryWorld(speed);
      return {
        sim,
        entity: catalogEntity('inventory-kubefed'),
        stop: () => sim.stop(),
      };
    },
  },
  {
    id: 'mongodb',
    entity: 'sessions-mongodb',
    provider: 'MongoReplicaSetProvider',
    clusters: ['eu-central', 'eu-west'],
    catchUpTimeoutMs: 10_000,
    setUp: inDemoWorld('sessions-mongodb', sim =>
      prepareMongo(clientsFor(sim), ['eu-west', 'us-east']),
    ),
  },
  {
    id: 'kafka',
    entity: 'events-kafka',
    provider: 'KafkaMirrorMakerProvider',
    clusters: ['eu-central', 'us-east'],
    catchUpTimeoutMs: 20_000,
    setUp: inDemoWorld('events-kafka'),
  },
  {
    id: 'elasticsearch',
    entity: 'search-elasticsearch',
    provider: 'ElasticsearchCcrProvider',
    clusters: ['eu-west', 'us-east'],
    catchUpTimeoutMs: 10_000,
    setUp: inDemoWorld('search-elasticsearch'),
  },
  {
    id: 'pxc',
    entity: 'payments',
    provider: 'PerconaXtraDbProvider',
    clusters: ['eu-central', 'eu-west'],
    catchUpTimeoutMs: 10_000,
    async setUp(speed) {
      const sim = await startPaymentsWorld(speed);
      await stopOnError(sim, () => preparePayments(clientsFor(sim, 10_000)));
      const prometheus = await startPrometheusStandIn(sim);
      return {
        sim,
        entity: paymentsEntity(),
        settings: { prometheus: { url: prometheus.url } },
        stop: async () => {
          await prometheus.stop();
          await sim.stop();
        },
      };
    },
  },
];

/** The cases `BENCH_PROVIDER` names: one engine, or `all`. */
export function casesFor(selector: string): EngineCase[] {
  if (selector === 'all') return ENGINE_CASES;
  const found = ENGINE_CASES.filter(c => c.id === selector);
  if (!found.length) {
    throw new Error(
      `BENCH_PROVIDER=${selector}: expected one of ${ENGINE_CASES.map(
        c => c.id,
      ).join(', ')} or all`,
    );
  }
  return found;
}
