/*
 * The watch around a failover step's waits: the fence budget (a switchover's
 * source takes no writes for at most that long before promotion) and the
 * health probes of the clusters the step depends on. A wait ends as soon as
 * it cannot succeed any more, with the reason, and the step fails.
 */
import {
  DEFAULT_FENCE_BUDGET_SECONDS,
  FailoverRunStep,
  KubeObject,
} from '@multicluster/backstage-plugin-statefulsets-common';
import { FailoverSide } from '@multicluster/backstage-plugin-statefulsets-node';
import { isUnreachable } from './changeJournal';
import { objectPath } from './kubePaths';
import { iso, message, RunContext, WaitEnded } from './runContext';

/** The clock and the probe cadence of the health watch. */
export interface StepWatchOptions {
  now(): number;
  healthIntervalMs: number;
  healthProbeTimeoutMs: number;
}

/**
 * The time the run's source stops taking writes: the start of the first
 * step that moves traffic off it or fences it. Only a switchover has a
 * fence budget (an emergency failover's source is already dead).
 */
export function fenceStartedAt(ctx: RunContext): number | undefined {
  if (ctx.run.mode !== 'switchover') return undefined;
  const first = ctx.run.steps.find(
    s => (s.kind === 'fence-traffic' || s.kind === 'fence') && s.startedAt,
  );
  return first?.startedAt ? Date.parse(first.startedAt) : undefined;
}

function fenceBudgetMs(ctx: RunContext): number {
  return (
    1000 * (ctx.run.plan.fenceBudgetSeconds ?? DEFAULT_FENCE_BUDGET_SECONDS)
  );
}

/** Milliseconds of the fence budget left at `now`; Infinity when no fence started. */
export function budgetLeft(ctx: RunContext, now: number): number {
  const started = fenceStartedAt(ctx);
  if (started === undefined) return Infinity;
  return fenceBudgetMs(ctx) - (now - started);
}

/** The reason a wait ends when the fence budget is spent. */
export function budgetSpent(ctx: RunContext): WaitEnded {
  const started = fenceStartedAt(ctx);
  return new WaitEnded(
    `the fence budget of ${
      fenceBudgetMs(ctx) / 1000
    } s was spent before promotion (${
      ctx.run.sourceCluster
    } has not taken writes since ${
      started === undefined ? '?' : iso(started)
    }); rolling back so that it takes writes again`,
  );
}

/**
 * The context a step runs with: its waits end as soon as the fence budget
 * is spent (steps before promotion of a switchover) or a cluster the step
 * depends on stops answering, stops being ready, or falls further behind.
 */
export function watchStep(
  ctx: RunContext,
  step: FailoverRunStep,
  options: StepWatchOptions,
): { ctx: RunContext; stop(): void } {
  const abort = new AbortController();
  const runSignal = ctx.call.signal;
  const onRunAbort = () => abort.abort(runSignal?.reason);
  if (runSignal?.aborted) onRunAbort();
  runSignal?.addEventListener('abort', onRunAbort, { once: true });
  const timers: Array<ReturnType<typeof setTimeout>> = [];
  // An operator's promotion is a wait too: until it reports the new
  // primary, nothing is promoted and the budget still runs.
  const waits =
    step.kind === 'fence' ||
    step.kind === 'wait-catch-up' ||
    step.kind === 'promote' ||
    step.kind === 'verify';
  if (waits && step.kind !== 'verify' && fenceStartedAt(ctx) !== undefined) {
    const left = Math.max(0, budgetLeft(ctx, options.now()));
    timers.push(setTimeout(() => abort.abort(budgetSpent(ctx)), left));
  }
  let stopHealth = () => {};
  if (waits && ctx.run.mode !== 'drain') {
    stopHealth = watchHealth(ctx, step, options, reason =>
      abort.abort(new WaitEnded(reason)),
    );
  }
  const call = { ...ctx.call, signal: abort.signal };
  return {
    ctx: { ...ctx, call, route: { ...ctx.route, signal: abort.signal } },
    stop: () => {
      timers.forEach(clearTimeout);
      stopHealth();
      runSignal?.removeEventListener('abort', onRunAbort);
    },
  };
}

/**
 * Probes the clusters a waiting step depends on every health interval and
 * calls `fail` with the reason once waiting cannot succeed any more.
 */
function watchHealth(
  ctx: RunContext,
  step: FailoverRunStep,
  options: StepWatchOptions,
  fail: (reason: string) => void,
): () => void {
  const sides: Array<{ side: FailoverSide; mustBeReady: boolean }> = [];
  if (step.kind === 'fence' && ctx.source) {
    sides.push({ side: ctx.source, mustBeReady: false });
  }
  if (step.kind === 'wait-catch-up') {
    sides.push({ side: ctx.target, mustBeReady: true });
    if (ctx.source) sides.push({ side: ctx.source, mustBeReady: false });
  }
  if (step.kind === 'promote' || step.kind === 'verify') {
    sides.push({ side: ctx.target, mustBeReady: false });
  }
  let stopped = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const lags: Array<{ at: string; seconds: number }> = [];
  const probe = async (): Promise<string | undefined> => {
    for (const { side, mustBeReady } of sides) {
      const what = `${side.workload.kind} ${side.workload.namespace}/${side.workload.name}`;
      let obj: KubeObject | undefined;
      try {
        obj = await withTimeout(
          side.client.get<KubeObject>(objectPath(side.workload)),
          options.healthProbeTimeoutMs,
          `${side.cluster} did not answer within ${options.healthProbeTimeoutMs} ms`,
        );
      } catch (err) {
        if (isUnreachable(err)) {
          return `${side.cluster} stopped answering: ${message(err)}`;
        }
        continue;
      }
      if (!obj) return `${what} is gone from ${side.cluster}`;
      if (mustBeReady) {
        const desired = Number(obj.spec?.replicas ?? obj.spec?.instances ?? 1);
        const ready = Number(
          obj.status?.readyReplicas ?? obj.status?.readyInstances ?? 0,
        );
        if (desired > 0 && ready === 0) {
          return `${side.cluster} stopped being ready: 0/${desired} pods of ${what} ready`;
        }
      }
    }
    if (step.kind === 'wait-catch-up' && ctx.provider) {
      const lag = await ctx.provider
        .readLag(ctx.target, ctx.call)
        .catch(() => undefined);
      if (
        lag?.seconds !== null &&
        lag?.seconds !== undefined &&
        lag.observedAt &&
        lag.observedAt !== lags[lags.length - 1]?.at
      ) {
        lags.push({ at: lag.observedAt, seconds: lag.seconds });
        if (lags.length > 3) lags.shift();
        const grows =
          lags.length === 3 &&
          lags[0].seconds < lags[1].seconds &&
          lags[1].seconds < lags[2].seconds;
        if (grows) {
          return `the lag of ${
            ctx.target.cluster
          } grows instead of shrinking (${lags
            .map(l => `${l.seconds}s`)
            .join(' → ')})`;
        }
      }
    }
    return undefined;
  };
  const tick = () => {
    if (stopped) return;
    probe()
      .then(reason => {
        if (stopped) return;
        if (reason) {
          fail(reason);
          return;
        }
        timer = setTimeout(tick, options.healthIntervalMs);
      })
      .catch(() => {
        if (!stopped) timer = setTimeout(tick, options.healthIntervalMs);
      });
  };
  timer = setTimeout(tick, options.healthIntervalMs);
  return () => {
    stopped = true;
    clearTimeout(timer);
  };
}

/** `promise`, or a rejection with `text` after `ms`. */
export function withTimeout<T>(
  promise: Promise<T>,
  ms: number,
  text: string,
): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(text)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
