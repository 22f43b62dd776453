/*
 * Work a run left for when a cluster answers again: deferred fences (and
 * route moves) of old primaries that were unreachable during an emergency
 * failover, and changes a rollback could not undo yet. Each is claimed in
 * the database first and every cluster write re-checks the claim, so two
 * replicas never apply the same one, and one cancelled meanwhile (a later
 * run promotes that cluster, or starts) is not applied.
 */
import { LoggerService } from '@backstage/backend-plugin-api';
import { FailoverRunDetails } from '@multicluster/backstage-plugin-statefulsets-common';
import { createRunContext, RunContextSources } from './createRunContext';
import { DeferredClaim, LeaseLostError } from './DatabaseFailoverStore';
import { iso, message, RunContext } from './runContext';
import { RunCompensation } from './RunCompensation';
import { STEP_HANDLERS, StepServices } from './steps';

/** Applies deferred fences and pending repairs once their cluster answers. */
export class DeferredWork {
  readonly #sources: RunContextSources;
  readonly #compensation: RunCompensation;
  readonly #services: StepServices;
  readonly #logger: LoggerService;
  readonly #owner: string;
  readonly #claimMs: number;
  readonly #signal: AbortSignal;

  constructor(options: {
    sources: RunContextSources;
    compensation: RunCompensation;
    services: StepServices;
    logger: LoggerService;
    /** This engine's identity in claims. */
    owner: string;
    /** How long a claim lasts: the engine's lease. */
    claimMs: number;
    /** Ends the work when the engine stops. */
    signal: AbortSignal;
  }) {
    this.#sources = options.sources;
    this.#compensation = options.compensation;
    this.#services = options.services;
    this.#logger = options.logger;
    this.#owner = options.owner;
    this.#claimMs = options.claimMs;
    this.#signal = options.signal;
  }

  /** Repairs what rollbacks left pending, then re-applies deferred fences. */
  async retry(): Promise<void> {
    await this.#retryRepairs();
    await this.#retryFences();
  }

  /** The context of a claimed step: no lease, its claim re-checked before each write. */
  #context(run: FailoverRunDetails, claim: DeferredClaim): RunContext {
    const store = this.#sources.store;
    // A lease no run has: any journal write through it is refused.
    const lease = { runId: claim.runId, owner: claim.owner, epoch: -1 };
    return createRunContext(this.#sources, run, lease, {
      signal: this.#signal,
      guard: () => store.assertDeferredClaim(claim),
    });
  }

  /** Claims the listed deferred fences or pending repairs one by one, until the engine stops. */
  async *#claimEach(what: 'fence' | 'repair'): AsyncGenerator<DeferredClaim> {
    const store = this.#sources.store;
    const listed =
      what === 'fence'
        ? await store.listDeferred()
        : await store.listPendingRepairs();
    for (const { runId, index } of listed) {
      if (this.#signal.aborted) return;
      const claim =
        what === 'fence'
          ? await store.claimDeferred(runId, index, this.#owner, this.#claimMs)
          : await store.claimRepair(runId, index, this.#owner, this.#claimMs);
      if (claim) yield claim;
    }
  }

  async #retryFences(): Promise<void> {
    const store = this.#sources.store;
    const now = () => iso(this.#sources.now());
    for await (const claim of this.#claimEach('fence')) {
      const { runId, index } = claim;
      let outcome: Record<string, unknown> | undefined;
      try {
        const run = await store.getRunDetails(runId);
        const ctx = this.#context(run, claim);
        const step = run.steps.find(s => s.index === index);
        // A deferred fence of an older run may have no step row any more.
        const finish =
          (step && STEP_HANDLERS[step.kind].finishDeferred) ??
          STEP_HANDLERS['fence-old-source'].finishDeferred!;
        const result = await finish(ctx, step!, this.#services);
        if (result.status !== 'deferred') {
          const done = await store.completeDeferred(
            claim,
            { status: 'succeeded', finishedAt: now(), outcome: result.outcome },
            `${run.sourceCluster} answered again at ${now()}: ${
              (step &&
                STEP_HANDLERS[step.kind].deferredDone?.(run.targetCluster)) ??
              'it was fenced'
            }`,
          );
          if (!done) {
            this.#logger.warn(
              `Deferred fence of run ${runId} was applied, but the fence had been cancelled or claimed elsewhere meanwhile`,
            );
          }
          continue;
        }
        outcome = result.outcome;
      } catch (err) {
        const log =
          err instanceof LeaseLostError
            ? `Deferred fence of run ${runId} stopped: ${message(err)}`
            : `Deferred fence of run ${runId} still pending: ${message(err)}`;
        this.#logger.warn(log);
      }
      await store
        .releaseDeferred(claim, outcome)
        .catch(err =>
          this.#logger.warn(
            `Releasing the deferred fence of run ${runId} failed: ${message(
              err,
            )}`,
          ),
        );
    }
  }

  /**
   * Finishes rollbacks that left changes pending in clusters that did not
   * answer: each pending step is claimed in the database first (one replica
   * repairs it) and its remaining changes are undone once the cluster
   * answers. The run becomes rolled back when nothing is pending any more.
   */
  async #retryRepairs(): Promise<void> {
    const store = this.#sources.store;
    for await (const claim of this.#claimEach('repair')) {
      const { runId, index } = claim;
      try {
        const run = await store.getRunDetails(runId);
        const step = run.steps.find(s => s.index === index);
        if (!step) continue;
        const ctx = this.#context(run, claim);
        const result = await this.#compensation.undoJournaled(ctx, step);
        const done = await store.finishRepair(
          claim,
          {
            compensation: result.compensation,
            changes: step.changes,
            ...(result.problems.length
              ? { compensationError: result.problems.join('; ') }
              : {}),
          },
          `Rolled back; the changes left pending were undone at ${iso(
            this.#sources.now(),
          )}, when the cluster answered again.`,
        );
        if (!done) {
          this.#logger.warn(
            `The repair of run ${runId} step ${index} was cancelled or claimed elsewhere meanwhile`,
          );
        }
      } catch (err) {
        this.#logger.warn(
          `Repair of run ${runId} step ${index} still pending: ${message(err)}`,
        );
        await store.releaseDeferred(claim, undefined).catch(() => undefined);
      }
    }
  }
}
