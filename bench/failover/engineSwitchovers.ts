/*
 * Runs one engine's case of the engine-native switchover benchmark: the
 * plugin in a backend over the case's simulated world, then switchovers
 * back and forth over the failover API as the dialog starts them (the plan
 * once it is allowed, the run with the typed confirmation), each read back
 * from the run's journal. A run that does not succeed is kept with its
 * error and the failed step; a plan that never becomes allowed ends the
 * case, as every later switchover would wait for the same.
 */
import { FailoverRunDetails } from '../../plugins/statefulsets-common/src';
import {
  failoverAppConfig,
  startPluginBackend,
  until,
} from '../../plugins/statefulsets-backend/src/failover/__testUtils__/restFailover';
import request from 'supertest';
import { EngineCase } from './engineCases';
import { WorldSpeed } from './engineWorlds';

/** A switchover that did not succeed. */
export interface RunFailure {
  attempt: number;
  from: string;
  to: string;
  /** Where it stopped: the world, no allowed plan, the start refused, or the run. */
  stage: 'set-up' | 'plan' | 'start' | 'run';
  error: string;
  runId?: string;
}

/** What one engine's case measured. */
export interface EngineResult {
  case: EngineCase;
  attempts: number;
  succeeded: FailoverRunDetails[];
  failures: RunFailure[];
}

/** The run's failed step and its error, in one line. */
function failureOf(run: FailoverRunDetails): string {
  const step = run.steps.find(s => s.status === 'failed');
  const where = step ? `step ${step.kind} in ${step.cluster}: ` : '';
  return `${run.status}: ${where}${step?.error ?? run.error ?? 'no error'}`;
}

/**
 * One switchover to `to` as the dialog starts it: the plan once allowed,
 * the run with the typed confirmation, the run once it ended. A plan that
 * is not allowed within the wait or a refused start comes back as a
 * failure.
 */
async function switchOver(
  api: () => ReturnType<typeof request>,
  base: string,
  name: string,
  to: string,
): Promise<{ run: FailoverRunDetails } | Pick<RunFailure, 'stage' | 'error'>> {
  const body = { targetCluster: to, mode: 'switchover' };
  try {
    await until(async () => {
      const p = await api().post(`${base}/plan`).send(body);
      if (!p.body.allowed) {
        const failing = (p.body.checks ?? [])
          .filter((x: any) => x.status === 'fail')
          .map((x: any) => `${x.id}: ${x.evidence}`);
        throw new Error(
          failing.join('; ') || JSON.stringify(p.body).slice(0, 300),
        );
      }
      return p.body;
    }, `an allowed plan to ${to}`);
  } catch (err) {
    return { stage: 'plan', error: (err as Error).message };
  }
  const started = await api()
    .post(`${base}/runs`)
    .send({ ...body, confirm: name });
  if (started.status !== 202) {
    return {
      stage: 'start',
      error: `HTTP ${started.status}: ${JSON.stringify(started.body)}`,
    };
  }
  const id: string = started.body.id;
  const run: FailoverRunDetails = await until(async () => {
    const r = await api().get(`${base}/runs/${id}`);
    return ['pending', 'running'].includes(r.body.status) ? undefined : r.body;
  }, `run ${id} to end`);
  return { run };
}

/** `run.kind ms, …` for the progress lines. */
function stepTimes(run: FailoverRunDetails): string {
  return run.steps
    .filter(x => x.startedAt && x.finishedAt)
    .map(
      x => `${x.kind} ${Date.parse(x.finishedAt!) - Date.parse(x.startedAt!)}`,
    )
    .join(', ');
}

/** `runs` switchovers of the case's database, alternating the direction. */
export async function benchEngine(
  c: EngineCase,
  runs: number,
  speed: WorldSpeed,
): Promise<EngineResult> {
  const world = await c.setUp(speed);
  try {
    const config = failoverAppConfig(world.sim, c.catchUpTimeoutMs);
    Object.assign(config.multiclusterStatefulsets, world.settings ?? {});
    const backend = await startPluginBackend(config, [world.entity]);
    try {
      return await switchOverAndBack(c, runs, world.entity.metadata.name, () =>
        request(backend.server),
      );
    } finally {
      await backend.stop();
    }
  } finally {
    await world.stop();
  }
}

/**
 * The case's switchovers: each that succeeded turns the direction round,
 * one that did not is tried again the same way (its rollback left the
 * roles as they were).
 */
async function switchOverAndBack(
  c: EngineCase,
  runs: number,
  name: string,
  api: () => ReturnType<typeof request>,
): Promise<EngineResult> {
  const base = `/api/multicluster-statefulsets/entities/component/default/${name}/failover`;
  const result: EngineResult = {
    case: c,
    attempts: 0,
    succeeded: [],
    failures: [],
  };
  let [from, to] = c.clusters;
  for (let attempt = 1; attempt <= runs; attempt++) {
    result.attempts = attempt;
    const outcome = await switchOver(api, base, name, to);
    if (!('run' in outcome)) {
      result.failures.push({ attempt, from, to, ...outcome });
      // Every later switchover would wait for the same plan.
      if (outcome.stage === 'plan') break;
      continue;
    }
    const run = outcome.run;
    if (process.env.BENCH_VERBOSE) {
      process.stderr.write(
        `\n  ${from} → ${to}: ${run.status}, RTO ${run.rtoMs} ms (${stepTimes(
          run,
        )})`,
      );
    }
    if (run.status === 'succeeded') {
      result.succeeded.push(run);
      [from, to] = [to, from];
    } else {
      result.failures.push({
        attempt,
        from,
        to,
        stage: 'run',
        error: failureOf(run),
        runId: run.id,
      });
    }
  }
  return result;
}

/**
 * The data-loss window the run recorded, in the engine's unit: the
 * provider's `lost…` figure of the promote step, else (a provider that
 * records none for a switchover, as MongoDB's) the lag its catch-up wait
 * ended at, which it compares in the engine's positions; undefined when
 * neither was recorded.
 */
export function recordedLoss(
  run: FailoverRunDetails,
):
  | { amount: number | null; unit: string; at: 'promote' | 'catch-up' }
  | undefined {
  const outcome = (kind: string) =>
    run.steps.find(s => s.kind === kind)?.outcome as
      | Record<string, any>
      | undefined;
  const undo = outcome('promote')?.undo as Record<string, unknown> | undefined;
  const unit = run.plan.dataLossInEngine?.unit;
  const key = Object.keys(undo ?? {}).find(
    k =>
      /^lost[A-Z]/.test(k) &&
      (typeof undo![k] === 'number' || undo![k] === null),
  );
  if (key) {
    return {
      amount: undo![key] as number | null,
      unit: unit ?? key,
      at: 'promote',
    };
  }
  const lag = outcome('wait-catch-up')?.lagSeconds;
  if (typeof lag !== 'number' && lag !== null) return undefined;
  return { amount: lag, unit: unit ?? 'seconds', at: 'catch-up' };
}
