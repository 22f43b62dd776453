/*
 * Benchmark: recovery time (RTO) of the failover engine in the cluster
 * simulator.
 *
 * Without BENCH_PROVIDER: the demo MySQL (`orders-mysql`, Istio
 * VirtualService in both clusters) on the generic provider, its image
 * swapped for one the simulator runs no engine for (the generic provider
 * is for databases nobody can exec into: on an emulated MySQL its
 * annotations move no replication, and the second round would find the
 * link broken), N planned
 * switchovers back and forth, then N emergency failovers with the active
 * cluster taken down. RTO runs from the first change (fence, or promotion
 * in an emergency) until traffic moved; the "excl. catch-up" column takes
 * out the bounded wait for the replica to replay what the fenced source
 * wrote, which depends on replication, not on the engine.
 *
 * With BENCH_PROVIDER (mysql, postgresql, mongodb, kafka, elasticsearch,
 * pxc, or all): engine-native switchovers of each engine's demo database,
 * started over the failover API of the plugin with its built-in providers,
 * every fence, catch-up, promotion and reattach sent to the simulator's
 * engine emulators (pods/exec, operator resources); see engineCases.ts.
 *
 *   source <(bash scripts/run.sh env)
 *   node --import tsx bench/failover/run.ts            # N = 20
 *   BENCH_RUNS=5 node --import tsx bench/failover/run.ts
 *   BENCH_PROVIDER=all node --import tsx bench/failover/run.ts   # N = 10
 */
import { knex as createKnex } from 'knex';
import { FailoverRunDetails } from '../../plugins/statefulsets-common/src';
import { DatabaseFailoverStore } from '../../plugins/statefulsets-backend/src/failover/DatabaseFailoverStore';
import { FailoverEngine } from '../../plugins/statefulsets-backend/src/failover/FailoverEngine';
import { GenericStatefulSetProvider } from '@multicluster/backstage-plugin-statefulsets-node';
import {
  clientsFor,
  liveTopology,
  startDemoWorld,
  withoutOrdersEngine,
} from '../../plugins/statefulsets-backend/src/failover/__testUtils__/simulatorWorld';
import { catchUpMs, line, pct } from './stats';
import { benchEngines } from './engineReport';

const PROVIDER = process.env.BENCH_PROVIDER;
const RUNS = Number(process.env.BENCH_RUNS ?? (PROVIDER ? 10 : 20));
// Slower reconcile rounds keep the simulator's controllers (same process)
// from competing with the engine's requests.
const SPEED = {
  readinessDelayMs: 10,
  tickMs: Number(process.env.BENCH_TICK_MS ?? 500),
};
const WORKLOAD = {
  apiVersion: 'apps/v1',
  kind: 'StatefulSet',
  namespace: 'databases',
  name: 'orders-mysql',
};

const silent = {
  error: () => {},
  warn: () => {},
  info: () => {},
  debug: () => {},
  child: () => silent,
} as any;

async function genericRounds() {
  const sim = await startDemoWorld({ ...SPEED, edit: withoutOrdersEngine });
  const db = createKnex({
    client: 'better-sqlite3',
    connection: ':memory:',
    useNullAsDefault: true,
  });
  try {
    const clients = clientsFor(sim, 500);
    const store = await DatabaseFailoverStore.create({ database: db });
    const engine = FailoverEngine.create({
      store,
      clients,
      logger: silent,
      catchUpTimeoutMs: 10_000,
    });
    const generic = new GenericStatefulSetProvider();
    const side = (cluster: string) => ({
      cluster,
      client: clients.find(c => c.cluster === cluster)!,
      workload: WORKLOAD,
    });
    const other = (c: string) =>
      c === 'eu-central' ? 'eu-west' : 'eu-central';

    const readyTopology = async (
      target: string,
      mode: 'switchover' | 'failover',
    ) => {
      for (let i = 0; i < 400; i++) {
        const topology = await liveTopology(sim, clients, 'orders-mysql');
        const plan = await engine.plan({
          topology,
          targetCluster: target,
          mode,
        });
        if (plan.allowed) return topology;
        await new Promise(r => setTimeout(r, 50));
      }
      throw new Error(`no allowed ${mode} plan to ${target}`);
    };

    const runOnce = async (
      target: string,
      mode: 'switchover' | 'failover',
    ): Promise<FailoverRunDetails> => {
      const topology = await readyTopology(target, mode);
      const run = await engine.start({
        topology,
        targetCluster: target,
        mode,
        force: mode === 'failover',
        actor: 'user:default/bench',
      });
      await engine.waitForRun(run.id);
      const done = await store.getRunDetails(run.id);
      if (done.status !== 'succeeded') {
        throw new Error(`run ${run.id} ended ${done.status}: ${done.error}`);
      }
      return done;
    };

    const switchovers: FailoverRunDetails[] = [];
    let active = 'eu-central';
    for (let i = 0; i < RUNS; i++) {
      switchovers.push(await runOnce(other(active), 'switchover'));
      active = other(active);
    }

    const failovers: FailoverRunDetails[] = [];
    for (let i = 0; i < RUNS; i++) {
      const down = active;
      await sim.admin.setFaults(down, { down: true });
      failovers.push(await runOnce(other(down), 'failover'));
      active = other(down);
      // Bring the old side back: the engine fences it, then it is re-seeded
      // as a replica of the new primary for the next round.
      await sim.admin.clearFaults(down);
      for (let j = 0; j < 100; j++) {
        await engine.retryDeferred();
        const last = await store.getRunDetails(failovers[i].id);
        if (last.steps.every(s => s.status !== 'deferred')) break;
        await new Promise(r => setTimeout(r, 50));
      }
      await generic.reattach(
        side(down),
        side(active),
        {},
        { entityRef: 'component:default/orders-mysql', now: Date.now },
      );
    }

    const rto = (runs: FailoverRunDetails[]) => runs.map(r => r.rtoMs ?? NaN);
    console.log(
      `Failover RTO, demo orders-mysql in the simulator, ${RUNS} runs each (SQLite journal, generic provider: annotations and scaling)`,
    );
    console.log(line('switchover (total)', rto(switchovers)));
    console.log(
      line(
        'switchover (excl. catch-up)',
        switchovers.map(r => (r.rtoMs ?? NaN) - catchUpMs(r)),
      ),
    );
    console.log(line('switchover catch-up wait', switchovers.map(catchUpMs)));
    if (failovers.length) {
      console.log(line('emergency failover', rto(failovers)));
    }
    // A run whose lag was unknown records no RPO: report how many, and the
    // p50 of the others.
    const rpo = (label: string, runs: FailoverRunDetails[]) => {
      const known = runs
        .map(r => r.rpoSeconds)
        .filter((v): v is number => typeof v === 'number');
      const unknown = runs.length - known.length;
      return `${label} p50 ${
        known.length ? `${pct(known, 50).toFixed(3)} s` : 'n/a'
      }${unknown ? ` (${unknown} of ${runs.length} unknown)` : ''}`;
    };
    console.log(
      `${rpo('switchover RPO (lag at fence)', switchovers)}; ${rpo(
        'emergency data-loss risk (last known lag)',
        failovers,
      )}`,
    );
  } finally {
    await db.destroy();
    await sim.stop();
  }
}

async function main() {
  if (PROVIDER) {
    process.exitCode = await benchEngines(PROVIDER, RUNS, SPEED);
  } else {
    await genericRounds();
  }
}

main()
  .catch(err => {
    console.error(err);
    process.exitCode = 1;
  })
  // Connections left open by the stopped worlds and backends would keep
  // the process alive.
  .finally(() => process.exit());
