/*
 * The failover fault matrix: one run per mode × step × fault, in the demo
 * world of the cluster simulator, with the fault injected just before the
 * step starts. Each case records what a user of the database would have
 * seen (which side took writes, where traffic went, how long writes were
 * refused, sampled every 25 ms from the simulator's object stores) and what
 * the journal says, and checks that the run's final status means what it
 * says. Used by the FailoverFaultMatrix tests and bench/failover/faults.ts.
 */
import {
  FailoverMode,
  FailoverRunDetails,
  FailoverStepKind,
  KubeObject,
} from '@multicluster/backstage-plugin-statefulsets-common';
import { ClusterWriteClient } from '@multicluster/backstage-plugin-statefulsets-node';
import { RunningSimulator } from '@multicluster/cluster-simulator';
import { knex as createKnex, Knex } from 'knex';
import { DatabaseFailoverStore } from '../DatabaseFailoverStore';
import { FailoverEngine } from '../FailoverEngine';
import { localScheduler } from './localScheduler';
import { clientsFor, liveTopology, startDemoWorld } from './simulatorWorld';

/** How long a health probe waits for a cluster before calling it unresponsive. */
const HEALTH_PROBE_MS = 1500;

/** The faults a case injects. */
export type FaultKind =
  | 'target-down'
  | 'target-hang'
  | 'source-down'
  | 'source-hang'
  | 'database-down'
  | 'backend-killed';

export const FAULTS: FaultKind[] = [
  'target-down',
  'target-hang',
  'source-down',
  'source-hang',
  'database-down',
  'backend-killed',
];

/** A matrix scenario: a mode on one entity (and so one provider). */
export interface FaultScenario {
  mode: FailoverMode;
  entity: string;
  /** For a drain: another cluster holding the route. */
  source: string;
  /** For a drain: the cluster drained. */
  target: string;
  steps: FailoverStepKind[];
  activePassive: boolean;
  /** The workload is a CloudNativePG Cluster (else a StatefulSet). */
  cnpg?: boolean;
}

/** The scenarios: each mode on the generic provider, and a CloudNativePG switchover. */
export const SCENARIOS: Record<string, FaultScenario> = {
  switchover: {
    mode: 'switchover',
    entity: 'orders-mysql',
    source: 'eu-central',
    target: 'eu-west',
    steps: [
      'fence-traffic',
      'fence',
      'wait-catch-up',
      'promote',
      'move-traffic',
      'reattach',
      'verify',
    ],
    activePassive: true,
  },
  'switchover-cloudnativepg': {
    mode: 'switchover',
    entity: 'billing-postgres',
    source: 'eu-central',
    target: 'eu-west',
    steps: [
      'fence-traffic',
      'fence',
      'wait-catch-up',
      'promote',
      'move-traffic',
      'verify',
    ],
    activePassive: true,
    cnpg: true,
  },
  failover: {
    mode: 'failover',
    entity: 'orders-mysql',
    source: 'eu-central',
    target: 'eu-west',
    steps: [
      'fence-traffic',
      'fence-old-source',
      'promote',
      'move-traffic',
      'verify',
    ],
    activePassive: true,
  },
  drain: {
    mode: 'drain',
    entity: 'media-shared',
    source: 'eu-central',
    target: 'eu-west',
    steps: ['drain-traffic', 'verify'],
    activePassive: false,
  },
};

/** One case of the matrix. */
export interface FaultCase {
  /** A key of SCENARIOS. */
  scenario: string;
  mode: FailoverMode;
  step: FailoverStepKind;
  fault: FaultKind;
}

/** Every case of the matrix, for one scenario or all. */
export function faultCases(
  scenario?: string,
  only: { fault?: string; step?: string } = {},
): FaultCase[] {
  const names = scenario ? [scenario] : Object.keys(SCENARIOS);
  return names.flatMap(name =>
    SCENARIOS[name].steps
      .filter(step => !only.step || step === only.step)
      .flatMap(step =>
        FAULTS.filter(fault => !only.fault || fault === only.fault).map(
          fault => ({
            scenario: name,
            mode: SCENARIOS[name].mode,
            step,
            fault,
          }),
        ),
      ),
  );
}

/** What one case observed. */
export interface FaultCaseResult {
  case: FaultCase;
  /** The status the run ended in, before the clusters came back. */
  status: string;
  /** The status once the faults were cleared and the backend repaired what it could. */
  finalStatus: string;
  /** Longest stretch in which no cluster took writes through the route. */
  writesRefusedMs: number;
  /** The same, counting only time in which the source cluster was up. */
  refusedWhileSourceUpMs: number;
  /** The fence budget of the run, in ms. */
  fenceBudgetMs: number;
  /** Whether the fault was injected (the step was reached). */
  injected: boolean;
  /** Meaning checks that failed; empty when the case passed. */
  problems: string[];
  run: FailoverRunDetails;
}

const silent = {
  error: () => {},
  warn: () => {},
  info: () => {},
  debug: () => {},
  child: () => silent,
} as any;

const NEVER = new Promise<never>(() => {});

/** A client whose calls never answer once `dead()` is true: a killed process makes no more writes. */
function killable(
  client: ClusterWriteClient,
  dead: () => boolean,
): ClusterWriteClient {
  const gate =
    <A extends unknown[], R>(fn: (...args: A) => Promise<R>) =>
    (...args: A): Promise<R> =>
      dead() ? NEVER : fn(...args);
  return {
    cluster: client.cluster,
    pathOf: ref => client.pathOf(ref),
    get: gate(p => client.get(p)),
    mergePatch: gate((p, b) => client.mergePatch(p, b)),
    create: gate((p, b) => client.create(p, b)),
    delete: gate(p => client.delete(p)),
  };
}

/** The store as a killed process sees it: nothing answers any more. */
function killableStore(
  store: DatabaseFailoverStore,
  dead: () => boolean,
): DatabaseFailoverStore {
  return new Proxy(store, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) =>
        dead() ? NEVER : value.apply(target, args);
    },
  });
}

function weightsIn(sim: RunningSimulator, cluster: string, route: string) {
  const store = sim.stores.get(cluster)!;
  const vs = store.get(
    'networking.istio.io/v1',
    'VirtualService',
    'databases',
    route,
  ) as KubeObject | undefined;
  const rules = store.list(
    'networking.istio.io/v1',
    'DestinationRule',
    'databases',
  );
  const out: Record<string, number> = {};
  const dests: any[] =
    vs?.spec?.tcp?.[0]?.route ?? vs?.spec?.http?.[0]?.route ?? [];
  for (const d of dests) {
    const rule = rules.find(
      r => r.spec?.host?.split('.')[0] === d.destination?.host?.split('.')[0],
    );
    const subset = (rule?.spec?.subsets ?? []).find(
      (s: any) => s.name === d.destination?.subset,
    );
    const owner = subset?.labels?.['topology.istio.io/cluster'];
    if (owner)
      out[owner] =
        (out[owner] ?? 0) + Number(d.weight ?? (dests.length === 1 ? 100 : 0));
  }
  return out;
}

/** A side's database as the simulator holds it: primary or not, ready or not. */
interface SideState {
  primary: boolean;
  ready: boolean;
  /** What a rollback must give back, in words. */
  shape: string;
}

function sideState(
  sim: RunningSimulator,
  cluster: string,
  spec: FaultScenario,
): SideState {
  const store = sim.stores.get(cluster)!;
  if (spec.cnpg) {
    const o = store.get(
      'postgresql.cnpg.io/v1',
      'Cluster',
      'databases',
      spec.entity,
    ) as KubeObject | undefined;
    const self = o?.spec?.replica?.self ?? cluster;
    const reports = Object.values<any>(
      o?.status?.instancesReportedState ?? {},
    ).some(x => x?.isPrimary === true);
    const primary = reports && (o?.spec?.replica?.primary ?? self) === self;
    return {
      primary,
      ready: Number(o?.status?.readyInstances ?? 0) > 0,
      shape: `${primary ? 'primary' : 'replica'} of ${
        o?.spec?.replica?.primary ?? self
      }, fenced ${
        o?.metadata.annotations?.['cnpg.io/fencedInstances'] ?? 'none'
      }`,
    };
  }
  const o = store.get('apps/v1', 'StatefulSet', 'databases', spec.entity) as
    | KubeObject
    | undefined;
  const role = o?.metadata.annotations?.['multicluster-statefulsets/role'];
  const replicas = Number(o?.spec?.replicas ?? 0);
  return {
    primary: role === 'active',
    ready: replicas > 0 && Number(o?.status?.readyReplicas ?? 0) > 0,
    shape: `${role} with ${replicas} replicas`,
  };
}

/** Runs one case in a world of its own and checks what its outcome means. */
export async function runFaultCase(
  c: FaultCase,
  options: { fenceBudgetSeconds?: number } = {},
): Promise<FaultCaseResult> {
  const spec = SCENARIOS[c.scenario];
  const sim = await startDemoWorld();
  const db: Knex = createKnex({
    client: 'better-sqlite3',
    connection: ':memory:',
    useNullAsDefault: true,
  });
  const problems: string[] = [];
  let dbDownUntil = 0;
  const acquire = db.client.acquireConnection.bind(db.client);
  db.client.acquireConnection = async () => {
    if (performance.now() < dbDownUntil) {
      throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), {
        code: 'ECONNREFUSED',
      });
    }
    return acquire();
  };
  const down = new Set<string>();
  let sampler: ReturnType<typeof setInterval> | undefined;
  const engines: FailoverEngine[] = [];
  try {
    // A hung cluster is told from a slow one by these bounds: generous
    // enough for a loaded machine, short next to the 5 s verify bound.
    const clients = clientsFor(sim, 2000);
    const store = await DatabaseFailoverStore.create({
      database: db,
      retryMs: 5000,
    });
    let killed = false;
    const settings = {
      logger: silent,
      // Longer than the database outage, as in production (10 s lease).
      leaseMs: 5000,
      catchUpTimeoutMs: 20_000,
      verifyTimeoutMs: 5000,
      healthIntervalMs: 100,
      healthProbeTimeoutMs: HEALTH_PROBE_MS,
    };
    let injected = false;
    const inject = async (step: string) => {
      if (injected || step !== c.step) return;
      injected = true;
      const target = spec.target;
      const source = spec.source;
      switch (c.fault) {
        case 'target-down':
          down.add(target);
          await sim.admin.setFaults(target, { down: true });
          return;
        case 'target-hang':
          down.add(target);
          await sim.admin.setFaults(target, { hang: true });
          return;
        case 'source-down':
          down.add(source);
          await sim.admin.setFaults(source, { down: true });
          return;
        case 'source-hang':
          down.add(source);
          await sim.admin.setFaults(source, { hang: true });
          return;
        case 'database-down':
          dbDownUntil = performance.now() + 3000;
          return;
        case 'backend-killed': {
          killed = true;
          // Another backend, started at once as Kubernetes restarts a
          // killed container: it resumes the run when the lease runs out.
          const next = FailoverEngine.create({
            ...settings,
            scheduler: localScheduler(silent),
            store,
            clients,
          });
          engines.push(next);
          await next.resumeInterrupted();
          await NEVER;
          return;
        }
        default:
          throw new Error(`unknown fault ${c.fault}`);
      }
    };
    const first = FailoverEngine.create({
      ...settings,
      // As in a backend: after resumeInterrupted() the engine looks for
      // runs whose lease ran out on a task of Backstage's scheduler.
      scheduler: localScheduler(silent),
      store: killableStore(store, () => killed),
      clients: clients.map(cl => killable(cl, () => killed)),
      beforeStep: async (_id, step) => inject(step.kind),
    });
    engines.push(first);
    // As the plugin's start-up hook: from now on the engine also looks for
    // runs whose lease ran out.
    await first.resumeInterrupted();

    // A settled world: fresh lag on the passive side, every pod ready.
    let topology = await liveTopology(sim, clients, spec.entity);
    for (let i = 0; i < 200; i++) {
      const ready =
        topology.clusters.every(cl =>
          cl.workloads.every(w => w.replicas.ready === w.replicas.desired),
        ) &&
        (!spec.activePassive || topology.replication[0]?.lagSeconds !== null);
      const plan = await first.plan({
        topology,
        targetCluster: spec.target,
        mode: c.mode,
        reason: c.mode === 'failover' ? 'fault matrix drill' : undefined,
      });
      if (ready && plan.allowed) break;
      await new Promise(r => setTimeout(r, 50));
      topology = await liveTopology(sim, clients, spec.entity);
    }
    if (options.fenceBudgetSeconds) {
      topology.policy.fenceBudgetSeconds = options.fenceBudgetSeconds;
    }
    const route = spec.entity;
    const before = {
      weights: Object.fromEntries(
        [spec.source, spec.target].map(cl => [cl, weightsIn(sim, cl, route)]),
      ),
      source: sideState(sim, spec.source, spec),
      target: sideState(sim, spec.target, spec),
    };

    // Writes succeed when the route sends them to an up cluster whose side
    // is active with ready pods.
    const takesWrites = (cl: string) => {
      if (down.has(cl)) return false;
      const st = sideState(sim, cl, spec);
      return st.primary && st.ready;
    };
    let refusedSince: number | undefined;
    let refusedUpSince: number | undefined;
    let writesRefusedMs = 0;
    let refusedWhileSourceUpMs = 0;
    let twoWriters = false;
    const sample = () => {
      const now = performance.now();
      const view = [spec.source, spec.target].find(cl => !down.has(cl));
      const weights = view ? weightsIn(sim, view, route) : {};
      const writable = [spec.source, spec.target].filter(takesWrites);
      if (spec.activePassive && writable.length > 1) twoWriters = true;
      const ok = writable.some(cl => (weights[cl] ?? 0) > 0);
      if (ok) {
        refusedSince = undefined;
        refusedUpSince = undefined;
        return;
      }
      refusedSince ??= now;
      writesRefusedMs = Math.max(writesRefusedMs, now - refusedSince);
      if (down.has(spec.source)) {
        refusedUpSince = undefined;
      } else {
        refusedUpSince ??= now;
        refusedWhileSourceUpMs = Math.max(
          refusedWhileSourceUpMs,
          now - refusedUpSince,
        );
      }
    };
    sampler = setInterval(sample, 25);

    const started = await first.start({
      topology,
      targetCluster: spec.target,
      mode: c.mode,
      force: c.mode === 'failover',
      reason: c.mode === 'failover' ? 'fault matrix drill' : undefined,
      actor: 'user:default/ops',
    });
    // The run's end, whichever engine finishes it.
    let run = await store.getRunDetails(started.id);
    const deadline = performance.now() + 60_000;
    while (run.status === 'pending' || run.status === 'running') {
      if (performance.now() > deadline) {
        problems.push(
          `the run did not end within 60 s (last status ${run.status})`,
        );
        break;
      }
      await new Promise(r => setTimeout(r, 50));
      const last = run;
      run = await store.getRunDetails(started.id).catch(() => last);
    }
    const status = run.status;
    const promoteStep = run.steps.find(s => s.kind === 'promote');
    const promoted = !!promoteStep && promoteStep.status !== 'pending';

    // Before the clusters come back: a pending repair is only ever in a
    // cluster that was down, and only for something the run changed there.
    if (status === 'rolled-back-with-pending-repair') {
      const pending = run.steps.flatMap(s =>
        (s.changes ?? []).filter(ch => ch.undo === 'pending'),
      );
      if (!pending.length)
        problems.push(
          'rolled back with pending repair, but no change is pending',
        );
      for (const ch of pending) {
        if (!down.has(ch.cluster)) {
          problems.push(`a repair is pending in ${ch.cluster}, which answered`);
        }
        if (ch.state === 'refused') {
          problems.push(`a refused write in ${ch.cluster} is "to restore"`);
        }
      }
    }
    if (status === 'needs-attention' && !promoted && c.mode !== 'drain') {
      problems.push(`needs attention before promotion: ${run.attention}`);
    }
    // After promotion only a new primary that stopped answering is worth a
    // human: an old primary that did is fenced, and waited for.
    if (status === 'needs-attention' && !c.fault.startsWith('target-')) {
      problems.push(
        `needs attention for a fault that the product handles: ${run.attention}`,
      );
    }
    if (status === 'needs-attention' && c.mode === 'drain') {
      problems.push(`a drain needs attention: ${run.attention}`);
    }

    // The clusters and the database come back; the backend repairs.
    dbDownUntil = 0;
    for (const cl of [...down]) await sim.admin.clearFaults(cl);
    down.clear();
    const live = engines[engines.length - 1];
    for (let i = 0; i < 50; i++) {
      await live.retryDeferred();
      run = await store.getRunDetails(started.id);
      const open =
        run.status === 'rolled-back-with-pending-repair' ||
        run.steps.some(s => s.status === 'deferred');
      if (!open) break;
      await new Promise(r => setTimeout(r, 100));
    }
    const finalStatus = run.status;
    // What the final status means, checked until the controllers settle
    // (pods ready after a scale up, an operator's status).
    const meaning = (): string[] => {
      const found: string[] = [];
      const src = sideState(sim, spec.source, spec);
      const tgt = sideState(sim, spec.target, spec);
      const everyCopy = (
        want: (cluster: string, w: Record<string, number>) => boolean,
        what: string,
      ) => {
        for (const cl of [spec.source, spec.target]) {
          const w = weightsIn(sim, cl, route);
          if (!want(cl, w)) {
            found.push(`${what}: the route in ${cl} is ${JSON.stringify(w)}`);
          }
        }
      };
      if (finalStatus === 'rolled-back') {
        everyCopy(
          (cl, w) => JSON.stringify(w) === JSON.stringify(before.weights[cl]),
          'rolled back but traffic was not restored',
        );
        if (spec.activePassive && src.shape !== before.source.shape) {
          found.push(
            `rolled back but ${spec.source} is ${src.shape} (was ${before.source.shape})`,
          );
        }
        if (spec.activePassive && tgt.shape !== before.target.shape) {
          found.push(
            `rolled back but ${spec.target} is ${tgt.shape} (was ${before.target.shape})`,
          );
        }
        for (const st of run.steps) {
          for (const ch of st.changes ?? []) {
            if (
              (ch.state === 'applied' || ch.state === 'unknown') &&
              ch.undo !== 'undone'
            ) {
              found.push(
                `rolled back but ${ch.object} in ${ch.cluster} (${
                  st.kind
                }) is ${ch.undo ?? 'not undone'}`,
              );
            }
          }
        }
      } else if (finalStatus === 'succeeded') {
        if (c.mode === 'drain') {
          everyCopy(
            (_cl, w) => (w[spec.target] ?? 0) === 0,
            'drained but traffic still reaches it',
          );
        } else {
          everyCopy(
            (_cl, w) => (w[spec.target] ?? 0) === 100,
            'switched but traffic did not move',
          );
          if (!tgt.primary) {
            found.push(`succeeded but ${spec.target} is ${tgt.shape}`);
          }
          if (src.primary) {
            found.push(`succeeded but ${spec.source} is still primary`);
          }
        }
      } else if (finalStatus === 'needs-attention') {
        if (!run.attention) found.push('needs attention without saying what');
      } else {
        found.push(`unexpected final status ${finalStatus}`);
      }
      return found;
    };
    let unmet = meaning();
    for (let i = 0; i < 30 && unmet.length; i++) {
      await new Promise(r => setTimeout(r, 100));
      unmet = meaning();
    }
    problems.push(...unmet);
    if (twoWriters) problems.push('two sides took writes at once');
    sample();
    return {
      case: c,
      status,
      finalStatus,
      writesRefusedMs: Math.round(writesRefusedMs),
      refusedWhileSourceUpMs: Math.round(refusedWhileSourceUpMs),
      fenceBudgetMs: 1000 * (run.plan.fenceBudgetSeconds ?? 15),
      injected,
      problems,
      run,
    };
  } finally {
    clearInterval(sampler);
    await Promise.all(
      engines.map(e =>
        Promise.race([e.stop(), new Promise(r => setTimeout(r, 500))]),
      ),
    );
    dbDownUntil = 0;
    await sim.stop();
    await db.destroy();
  }
}

/**
 * The cases of one scenario the tests run: all of them, or the part chosen
 * with FAULT_MATRIX_SCENARIO, FAULT_MATRIX_STEP and FAULT_MATRIX_FAULT.
 */
export function matrixCases(
  scenario: string,
): Array<readonly [string, string, FaultCase]> {
  const only = process.env.FAULT_MATRIX_SCENARIO;
  if (only && only !== scenario) return [];
  return faultCases(scenario, {
    step: process.env.FAULT_MATRIX_STEP,
    fault: process.env.FAULT_MATRIX_FAULT,
  }).map(c => [c.step, c.fault, c] as const);
}

/** Runs one case; returns what did not hold (see the file's comment). */
export async function faultCaseProblems(c: FaultCase): Promise<string[]> {
  const result = await runFaultCase(c);
  const problems = [...result.problems];
  if (!result.injected) problems.push(`the run never reached ${c.step}`);
  // Writes come back within the fence budget (plus one health probe)
  // whatever fails, as long as the source itself is up.
  const bound = result.fenceBudgetMs + HEALTH_PROBE_MS + 500;
  if (c.mode === 'switchover' && result.refusedWhileSourceUpMs > bound) {
    problems.push(
      `writes were refused for ${result.refusedWhileSourceUpMs} ms while the source was up (bound ${bound} ms)`,
    );
  }
  return problems;
}
