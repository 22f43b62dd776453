/*
 * The executor of a failover run held under a lease: runs its open steps in
 * order through the step handlers (journaling each before and after it
 * acts, retrying a step answered with 409 Conflict), and decides the run's
 * end: succeeded; rolled back when a step before promotion failed (or the
 * run was interrupted before it); needs attention when a step after
 * promotion failed. Leases, heartbeats and resuming are the coordinator's
 * (RunCoordinator); a LeaseLostError or an abort thrown from here means
 * "stop acting on this run at once".
 */
import { AuditorService, LoggerService } from '@backstage/backend-plugin-api';
import {
  FailoverRun,
  FailoverRunStep,
} from '@multicluster/backstage-plugin-statefulsets-common';
import { sleep } from '@multicluster/backstage-plugin-statefulsets-node';
import type { StatefulsetsMetrics } from '../service/metrics';
import { effective } from './changeJournal';
import { createRunContext, RunContextSources } from './createRunContext';
import {
  DatabaseFailoverStore,
  LeaseLostError,
  RunLease,
  RunUpdate,
} from './DatabaseFailoverStore';
import {
  beforePromotion,
  iso,
  message,
  RunContext,
  stopReason,
} from './runContext';
import { RunCompensation } from './RunCompensation';
import { attentionFor, deferredNotes, runFigures } from './runFigures';
import { STEP_HANDLERS, StepServices } from './steps';
import { StepWatchOptions, watchStep } from './stepWatch';

/** Options of the executor, as the engine sets them up. */
export interface RunExecutorOptions {
  sources: RunContextSources;
  compensation: RunCompensation;
  services: StepServices;
  watchOptions: StepWatchOptions;
  /** Retries of a step answered with 409 Conflict. */
  conflictRetries: number;
  auditor?: AuditorService;
  metrics?: StatefulsetsMetrics;
  /** Called before each step; tests use it to stop the engine between steps. */
  beforeStep?(runId: string, step: FailoverRunStep): void | Promise<void>;
  /** Told each run this executor put in a final status (errors are logged, not thrown). */
  onRunEnded?(run: FailoverRun): void | Promise<void>;
  /** Where a failing `onRunEnded` is reported. */
  logger?: LoggerService;
}

const DONE = new Set(['succeeded', 'skipped', 'deferred']);

function isConflict(err: unknown): boolean {
  return (err as { statusCode?: number })?.statusCode === 409;
}

/** Executes the steps of runs through the step handler table. */
export class RunExecutor {
  readonly #options: RunExecutorOptions;
  readonly #store: DatabaseFailoverStore;
  readonly #now: () => number;

  constructor(options: RunExecutorOptions) {
    this.#options = options;
    this.#store = options.sources.store;
    this.#now = options.sources.now;
  }

  /**
   * Executes the run held under `lease` to its end; `resume` when another
   * engine left it unfinished. `signal` ends its waits (stop, lost lease).
   */
  async execute(
    lease: RunLease,
    resume: boolean,
    signal: AbortSignal,
  ): Promise<void> {
    const runId = lease.runId;
    let run = await this.#store.getRunDetails(runId);
    if (run.status === 'pending') {
      await this.#store.updateRun(lease, {
        status: 'running',
        startedAt: iso(this.#now()),
      });
      run = await this.#store.getRunDetails(runId);
    }
    let ctx: RunContext;
    try {
      ctx = createRunContext(this.#options.sources, run, lease, {
        signal,
        guard: async () => {
          if (signal.aborted) throw stopReason(signal);
          await this.#store.assertLease(lease);
        },
      });
    } catch (err) {
      await this.#finishRun(lease, {
        status: 'failed',
        finishedAt: iso(this.#now()),
        error: message(err),
      });
      return;
    }
    const firstOpen = run.steps.find(s => !DONE.has(s.status));
    if (resume && firstOpen && !(await this.#promoted(ctx))) {
      await this.#undoInterrupted(ctx);
      return;
    }
    for (const step of run.steps) {
      if (DONE.has(step.status)) continue;
      if (signal.aborted) throw stopReason(signal);
      await this.#options.beforeStep?.(runId, step);
      if (signal.aborted) throw stopReason(signal);
      const error = await this.#runStep(ctx, step);
      if (error === undefined) continue;
      await this.#onFailure(ctx, step, error);
      return;
    }
    const attention = deferredNotes(ctx.run);
    await this.#finishRun(lease, {
      status: 'succeeded',
      finishedAt: iso(this.#now()),
      ...runFigures(ctx.run),
      ...(attention ? { attention } : {}),
    });
  }

  /** Puts a run in its final status (store), counts it (metrics) and tells the listener. */
  async #finishRun(lease: RunLease, update: RunUpdate): Promise<void> {
    await this.#store.finishRun(lease, update);
    if (update.status)
      this.#options.metrics?.failoverRunFinished(update.status);
    const listener = this.#options.onRunEnded;
    if (!listener) return;
    try {
      const run = await this.#store.getRun(lease.runId);
      if (run) await listener(run);
    } catch (err) {
      this.#options.logger?.warn(
        `Telling that failover run ${lease.runId} ended failed: ${message(
          err,
        )}`,
      );
    }
  }

  #stepFinished(step: FailoverRunStep, status: string): void {
    const started = step.startedAt ? Date.parse(step.startedAt) : NaN;
    if (Number.isFinite(started)) {
      this.#options.metrics?.failoverStepFinished(
        step.kind,
        status,
        Math.max(0, this.#now() - started),
      );
    }
  }

  /** Whether the run got past promotion (drains never promote). */
  async #promoted(ctx: RunContext): Promise<boolean> {
    const promote = ctx.run.steps.find(s => s.kind === 'promote');
    if (!promote || promote.status === 'pending') return false;
    if (promote.status === 'succeeded') return true;
    return ctx.provider!.isPromoted(ctx.target, ctx.call).catch(() => false);
  }

  /** Rolls back a run another engine left before its promotion took. */
  async #undoInterrupted(ctx: RunContext): Promise<void> {
    const { run, lease } = ctx;
    // The step the dead backend was executing will not finish: say so in
    // the journal rather than leave it running in a finished run.
    for (const step of run.steps.filter(s => s.status === 'running')) {
      step.status = 'failed';
      step.error = 'interrupted: the backend executing it stopped';
      await this.#store.updateStep(lease, step.index, {
        status: 'failed',
        finishedAt: iso(this.#now()),
        error: step.error,
      });
    }
    const promote = run.steps.find(s => s.kind === 'promote');
    if (promote && promote.status !== 'pending') {
      // Interrupted while promoting and the promotion did not take.
      try {
        await ctx.provider!.abortPromotion(ctx.target, ctx.source!, ctx.call);
        await this.#options.compensation.promotionUndone(ctx, promote);
      } catch (err) {
        const signal = ctx.call.signal!;
        if (err instanceof LeaseLostError || signal.aborted) {
          throw err instanceof LeaseLostError ? err : stopReason(signal);
        }
        await this.#finishRun(lease, {
          status: 'needs-attention',
          finishedAt: iso(this.#now()),
          error: `interrupted while promoting; undoing it failed: ${message(
            err,
          )}`,
          attention: attentionFor(run, promote),
        });
        return;
      }
    }
    await this.#rollback(
      ctx,
      'interrupted by a backend restart before promotion',
    );
  }

  async #rollback(ctx: RunContext, reason: string): Promise<void> {
    const update = await this.#options.compensation.rollback(ctx, reason);
    await this.#finishRun(ctx.lease, update);
  }

  /** Runs one step with its journal entries; returns the error when it failed. */
  async #runStep(
    ctx: RunContext,
    step: FailoverRunStep,
  ): Promise<Error | undefined> {
    const startedAt = iso(this.#now());
    step.startedAt = startedAt;
    // An empty journal marks a step run by an engine that journals its
    // writes (older runs' steps have none and are undone as they were).
    step.changes = step.changes ?? [];
    await this.#store.updateStep(ctx.lease, step.index, {
      status: 'running',
      startedAt,
      changes: step.changes,
    });
    const audit = await this.#options.auditor
      ?.createEvent({
        eventId: 'failover-step',
        severityLevel: 'medium',
        meta: {
          runId: ctx.run.id,
          entityRef: ctx.run.entityRef,
          step: step.kind,
          cluster: step.cluster,
          ...(ctx.run.reason ? { reason: ctx.run.reason } : {}),
        },
      })
      .catch(() => undefined);
    // The first snapshot wins: a retry or a resumed run must undo to the
    // state before the step first acted, not to its own half-done result.
    const record = async (
      inputs: Record<string, unknown>,
    ): Promise<Record<string, unknown>> => {
      if (step.inputs && Object.keys(step.inputs).length > 0) {
        return step.inputs;
      }
      step.inputs = inputs;
      await this.#store.updateStep(ctx.lease, step.index, { inputs });
      return inputs;
    };
    let attempt = 0;
    for (;;) {
      const watch = watchStep(ctx, step, this.#options.watchOptions);
      ctx.journal.step = step;
      try {
        const result = await STEP_HANDLERS[step.kind].perform(
          watch.ctx,
          step,
          record,
          this.#options.services,
        );
        const status = result.status ?? 'succeeded';
        step.status = status;
        step.outcome = result.outcome;
        step.finishedAt = iso(this.#now());
        await this.#store.updateStep(ctx.lease, step.index, {
          status,
          finishedAt: step.finishedAt,
          outcome: result.outcome ?? {},
        });
        this.#stepFinished(step, status);
        await audit?.success({ meta: { status } }).catch(() => undefined);
        return undefined;
      } catch (err) {
        // The loser of a lease undoes nothing and writes nothing more.
        if (err instanceof LeaseLostError) throw err;
        if (ctx.call.signal?.aborted) throw stopReason(ctx.call.signal);
        if (isConflict(err) && attempt < this.#options.conflictRetries) {
          // Someone else changed the object between our read and write:
          // read again and re-apply.
          attempt += 1;
          await sleep(50 * attempt, ctx.call.signal);
          continue;
        }
        const error = err instanceof Error ? err : new Error(String(err));
        step.status = 'failed';
        step.error = error.message;
        await this.#store.updateStep(ctx.lease, step.index, {
          status: 'failed',
          finishedAt: iso(this.#now()),
          error: error.message,
        });
        this.#stepFinished(step, 'failed');
        await audit?.fail({ error }).catch(() => undefined);
        return error;
      } finally {
        ctx.journal.step = undefined;
        watch.stop();
      }
    }
  }

  /** Ends the run after a failed step: rolled back before promotion, needs attention after it. */
  async #onFailure(
    ctx: RunContext,
    step: FailoverRunStep,
    cause: Error,
  ): Promise<void> {
    const failed = `${step.title} failed: ${cause.message}`;
    if (beforePromotion(ctx.run, step.index)) {
      await this.#rollback(ctx, failed);
      return;
    }
    if (
      step.kind === 'promote' &&
      step.changes !== undefined &&
      effective(step.changes).length === 0
    ) {
      // The journal shows no promotion write reached the target (refused,
      // or never sent): nothing was promoted, the run rolls back.
      await this.#rollback(ctx, failed);
      return;
    }
    let error = cause;
    if (step.kind === 'promote' && ctx.provider) {
      const promoted = await ctx.provider
        .isPromoted(ctx.target, ctx.call)
        .catch(() => undefined);
      if (promoted === false) {
        try {
          await ctx.provider.abortPromotion(ctx.target, ctx.source!, ctx.call);
          await this.#options.compensation.promotionUndone(ctx, step);
          await this.#rollback(ctx, failed);
          return;
        } catch (abortErr) {
          if (abortErr instanceof LeaseLostError) throw abortErr;
          error = new Error(
            `${error.message}; undoing the promotion failed too: ${message(
              abortErr,
            )}`,
          );
        }
      }
    }
    await this.#finishRun(ctx.lease, {
      status: 'needs-attention',
      finishedAt: iso(this.#now()),
      error: `${step.title} failed: ${error.message}`,
      attention: attentionFor(ctx.run, step),
      ...runFigures(ctx.run),
    });
  }
}
