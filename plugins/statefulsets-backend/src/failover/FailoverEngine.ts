/*
 * The failover engine: turns a plan into a persisted run and executes its
 * steps one by one, journaling each before and after it acts. A failure
 * before promotion rolls back what was done; after promotion the run stops
 * and says what a human must do. A run left behind by a dead backend is
 * picked up by `resumeInterrupted()` on another (or the restarted) one:
 * rolled back when it had not promoted yet, continued when it had.
 *
 * Every journal write names the run's lease (owner and epoch) and every
 * cluster write is preceded by a check of it, both judged by the database:
 * an engine that was paused past its lease while another took the run over
 * stops at its next write with LeaseLostError and undoes nothing.
 */
import { AuditorService, LoggerService } from '@backstage/backend-plugin-api';
import { ConflictError, InputError } from '@backstage/errors';
import {
  EntityTopology,
  FailoverChange,
  FailoverMode,
  FailoverPlan,
  FailoverRun,
  FailoverRunDetails,
  FailoverRunStep,
  GitOpsMarker,
  gitOpsMarkersOf,
  KubeObject,
  planFailover,
} from '@multicluster/backstage-plugin-statefulsets-common';
import {
  ClusterWriteClient,
  FailoverCallContext,
  FailoverReplicationProvider,
  FailoverSide,
  FailoverTrafficRouter,
  UndoData,
} from '@multicluster/backstage-plugin-statefulsets-node';
import { randomUUID } from 'node:crypto';
import { WriteIdentity } from '../cluster/writeIdentity';
import { CnpgFailoverProvider } from './CnpgFailoverProvider';
import {
  DatabaseFailoverStore,
  DeferredClaim,
  LeaseLostError,
  RunLease,
} from './DatabaseFailoverStore';
import { GenericFailoverProvider } from './GenericFailoverProvider';
import { IstioFailoverRouter } from './IstioFailoverRouter';
import {
  effective,
  isUnreachable,
  journaledClient,
  undoChange,
} from './changeJournal';
import { collectionPath, objectPath, sleep } from './kubePaths';
import { McsFailoverRouter } from './McsFailoverRouter';
import { NoneTrafficRouter } from './NoneTrafficRouter';
import {
  iso,
  message,
  RunContext,
  StepAborted,
  stopReason,
} from './runContext';
import { STEP_HANDLERS, StepServices } from './steps';
import { StepWatchOptions, watchStep } from './stepWatch';
import type { StatefulsetsMetrics } from '../service/metrics';

/** Options of `FailoverEngine.create`. */
export interface FailoverEngineOptions {
  store: DatabaseFailoverStore;
  /** A write client per configured cluster. */
  clients: ClusterWriteClient[];
  /** Providers tried in order by workload kind (default: CloudNativePG, generic). */
  providers?: FailoverReplicationProvider[];
  /** Routers picked by the plan's traffic method (default: Istio, MCS, none). */
  routers?: FailoverTrafficRouter[];
  logger: LoggerService;
  auditor?: AuditorService;
  now?: () => number;
  /**
   * How long a run's lease lasts without a heartbeat (default 10 s): a
   * backend that dies mid-run leaves its source fenced at most this long
   * before another one rolls the run back.
   */
  leaseMs?: number;
  /** Bound of the catch-up wait (default 60 s). */
  catchUpTimeoutMs?: number;
  /** How long verification keeps re-reading before it fails (default 15 s). */
  verifyTimeoutMs?: number;
  /** How often a wait checks the health of the clusters it depends on (default 500 ms). */
  healthIntervalMs?: number;
  /** How long a health probe may take before its cluster counts as not answering (default 3 s). */
  healthProbeTimeoutMs?: number;
  /** Retries of a step answered with 409 Conflict (default 3). */
  conflictRetries?: number;
  /** Identity of this engine in leases (default: a random id). */
  ownerId?: string;
  /** Called before each step; tests use it to stop the engine between steps. */
  beforeStep?(runId: string, step: FailoverRunStep): void | Promise<void>;
  /** Runs by outcome and step durations (default: not recorded). */
  metrics?: StatefulsetsMetrics;
}

/** Inputs of a new run. */
export interface StartFailoverInput {
  topology: EntityTopology;
  targetCluster: string;
  mode: FailoverMode;
  force?: boolean;
  /** Why an emergency failover is forced while the source still answers; required then. */
  reason?: string;
  /** Who asked, e.g. a user entity ref. */
  actor: string;
  /**
   * The Kubernetes identity every write of the run acts as (impersonation),
   * recorded with the run so a resumed run acts as the same user.
   */
  writeIdentity?: WriteIdentity;
}

/** The plan as stored with a run: with the identity its writes act as. */
type StoredPlan = FailoverPlan & { writeIdentity?: WriteIdentity };

/** A write client that can act as another identity (HttpClusterWriteClient). */
type ImpersonatingClient = ClusterWriteClient & {
  impersonating?(identity: WriteIdentity): ClusterWriteClient;
};

/**
 * A client whose every write first runs `guard` (which throws when this
 * engine may no longer act), so no cluster write follows a lost lease.
 */
function guardedClient(
  client: ClusterWriteClient,
  guard: () => Promise<void>,
): ClusterWriteClient {
  return {
    cluster: client.cluster,
    get: path => client.get(path),
    mergePatch: async (path, patch) => {
      await guard();
      return client.mergePatch(path, patch);
    },
    create: async (path, body) => {
      await guard();
      return client.create(path, body);
    },
    delete: async path => {
      await guard();
      return client.delete(path);
    },
  };
}

function isConflict(err: unknown): boolean {
  return (err as { statusCode?: number })?.statusCode === 409;
}

const DONE = new Set(['succeeded', 'skipped', 'deferred']);

/** Executes, rolls back and resumes failover runs. */
export class FailoverEngine {
  readonly #store: DatabaseFailoverStore;
  readonly #clients: ClusterWriteClient[];
  readonly #providers: FailoverReplicationProvider[];
  readonly #routers: FailoverTrafficRouter[];
  readonly #logger: LoggerService;
  readonly #auditor?: AuditorService;
  readonly #now: () => number;
  readonly #leaseMs: number;
  readonly #catchUpTimeoutMs: number;
  readonly #verifyTimeoutMs: number;
  readonly #conflictRetries: number;
  readonly #watchOptions: StepWatchOptions;
  readonly #services: StepServices;
  readonly #owner: string;
  readonly #beforeStep?: FailoverEngineOptions['beforeStep'];
  readonly #metrics?: StatefulsetsMetrics;
  readonly #running = new Map<string, Promise<void>>();
  readonly #abort = new AbortController();
  #lookAgainTimer?: ReturnType<typeof setTimeout>;

  private constructor(options: FailoverEngineOptions) {
    this.#store = options.store;
    this.#clients = options.clients;
    this.#providers = options.providers ?? [
      new CnpgFailoverProvider(),
      new GenericFailoverProvider(),
    ];
    this.#routers = options.routers ?? [
      new IstioFailoverRouter(),
      new McsFailoverRouter(),
      new NoneTrafficRouter(),
    ];
    this.#logger = options.logger;
    this.#auditor = options.auditor;
    this.#now = options.now ?? Date.now;
    this.#leaseMs = options.leaseMs ?? 10_000;
    this.#catchUpTimeoutMs = options.catchUpTimeoutMs ?? 60_000;
    this.#verifyTimeoutMs = options.verifyTimeoutMs ?? 15_000;
    this.#conflictRetries = options.conflictRetries ?? 3;
    this.#watchOptions = {
      now: () => this.#now(),
      healthIntervalMs: options.healthIntervalMs ?? 500,
      healthProbeTimeoutMs: options.healthProbeTimeoutMs ?? 3000,
    };
    this.#services = {
      now: () => this.#now(),
      store: this.#store,
      catchUpTimeoutMs: this.#catchUpTimeoutMs,
      verifyTimeoutMs: this.#verifyTimeoutMs,
      healthProbeTimeoutMs: this.#watchOptions.healthProbeTimeoutMs,
    };
    this.#owner = options.ownerId ?? randomUUID();
    this.#beforeStep = options.beforeStep;
    this.#metrics = options.metrics;
  }

  /** Creates an engine; call `resumeInterrupted()` once the backend is up. */
  static create(options: FailoverEngineOptions): FailoverEngine {
    return new FailoverEngine(options);
  }

  /** The dry run: the plan with the live lock state and GitOps markers. */
  async plan(input: {
    topology: EntityTopology;
    targetCluster: string;
    mode: FailoverMode;
    /** Why an emergency failover is forced while the source still answers. */
    reason?: string;
    /** The identity the plan's reads act as (impersonation). */
    writeIdentity?: WriteIdentity;
  }): Promise<FailoverPlan> {
    const runId = await this.#store.activeRunId(input.topology.entityRef);
    const base = {
      topology: input.topology,
      targetCluster: input.targetCluster,
      mode: input.mode,
      reason: input.reason,
      now: this.#now(),
      runInProgress: runId ? { id: runId } : undefined,
    };
    const draft = planFailover(base);
    const gitOps = await this.#gitOpsMarkers(draft, input.writeIdentity);
    return planFailover({ ...base, gitOps });
  }

  /**
   * Checks the plan, persists the run (taking the entity's lock) and starts
   * executing it in the background; throws InputError for a refused plan and
   * ConflictError when another run holds the lock.
   */
  async start(input: StartFailoverInput): Promise<FailoverRun> {
    if (input.mode === 'failover' && input.force !== true) {
      throw new InputError(
        'force: an emergency failover needs force: true (it may lose data)',
      );
    }
    const reason = input.reason?.trim() || undefined;
    const plan = await this.plan({ ...input, reason });
    if (!plan.allowed) {
      const failed = plan.checks.filter(c => c.status === 'fail');
      if (failed.every(c => c.id === 'no-run-in-progress')) {
        throw new ConflictError(failed[0].evidence);
      }
      throw new InputError(
        `Preconditions failed: ${failed
          .map(c => `${c.id} (${c.evidence})`)
          .join('; ')}`,
      );
    }
    const run = await this.#store.createRun({
      entityRef: input.topology.entityRef,
      mode: input.mode,
      sourceCluster: plan.sourceCluster,
      targetCluster: input.targetCluster,
      actor: input.actor,
      plan: input.writeIdentity
        ? ({ ...plan, writeIdentity: input.writeIdentity } as StoredPlan)
        : plan,
      reason,
      createdAt: iso(this.#now()),
      lease: { owner: this.#owner, ms: this.#leaseMs },
    });
    const cancelled = await this.#store
      .cancelPendingRepairs(input.topology.entityRef, run.id)
      .catch(() => 0);
    if (cancelled) {
      this.#logger.info(
        `Failover run ${run.id} cancelled ${cancelled} pending repair(s) of earlier runs of ${input.topology.entityRef}`,
      );
    }
    this.#launch(run.id, false);
    return run;
  }

  /** Resolves when the run is no longer executing in this engine. */
  async waitForRun(runId: string): Promise<void> {
    await this.#running.get(runId);
  }

  /**
   * Picks up runs whose engine died (lease free or expired): rolled back
   * when interrupted before promotion, continued after it. Then retries
   * deferred fences of old primaries that may have come back. Until
   * `stop()`, keeps looking for such runs once a lease period, and as soon
   * as a lease held by another engine runs out.
   */
  async resumeInterrupted(): Promise<string[]> {
    const ids = await this.#resumeExpired();
    await Promise.all(ids.map(id => this.#running.get(id)));
    await this.retryDeferred();
    return ids;
  }

  /** Puts a run in its final status (store) and counts it (metrics). */
  async #finishRun(
    lease: RunLease,
    update: Parameters<DatabaseFailoverStore['finishRun']>[1],
  ): Promise<void> {
    await this.#store.finishRun(lease, update);
    if (update.status) this.#metrics?.failoverRunFinished(update.status);
  }

  #stepFinished(step: FailoverRunStep, status: string): void {
    const started = step.startedAt ? Date.parse(step.startedAt) : NaN;
    if (Number.isFinite(started)) {
      this.#metrics?.failoverStepFinished(
        step.kind,
        status,
        Math.max(0, this.#now() - started),
      );
    }
  }

  async #resumeExpired(): Promise<string[]> {
    const ids = await this.#store.listResumable();
    for (const id of ids) this.#launch(id, true);
    // A backend restarted within the lease of the one that died (Kubernetes
    // restarts a killed container in seconds, a lease lasts 30 s), or a
    // replica whose peer died for good, finds the run still leased: it must
    // look again when that lease runs out, not only at its next start.
    const untilExpiry = await this.#store
      .msUntilNextLeaseExpiry(this.#owner)
      .catch(() => undefined);
    this.#lookAgain(
      untilExpiry === undefined
        ? this.#leaseMs
        : Math.min(this.#leaseMs, untilExpiry + 10),
    );
    return ids;
  }

  #lookAgain(delayMs: number): void {
    clearTimeout(this.#lookAgainTimer);
    if (this.#abort.signal.aborted) return;
    this.#lookAgainTimer = setTimeout(() => {
      this.#resumeExpired().catch(err => {
        this.#logger.warn(
          `Looking for interrupted failover runs failed: ${message(err)}`,
        );
        this.#lookAgain(this.#leaseMs);
      });
    }, Math.max(0, delayMs));
    this.#lookAgainTimer.unref?.();
  }

  /**
   * Re-applies fences (and routes) on old primaries that were unreachable
   * during an emergency failover. Each fence is claimed in the database
   * first and every cluster write re-checks the claim, so two replicas never
   * apply the same fence, and one cancelled meanwhile (a later run promotes
   * that cluster) is not applied.
   */
  async retryDeferred(): Promise<void> {
    await this.#retryRepairs();
    for (const { runId, index } of await this.#store.listDeferred()) {
      if (this.#abort.signal.aborted) return;
      const claim = await this.#store.claimDeferred(
        runId,
        index,
        this.#owner,
        this.#leaseMs,
      );
      if (!claim) continue;
      let outcome: Record<string, unknown> | undefined;
      try {
        const run = await this.#store.getRunDetails(runId);
        const ctx = this.#context(run, this.#deferredLease(claim), {
          signal: this.#abort.signal,
          guard: () => this.#store.assertDeferredClaim(claim),
        });
        const step = run.steps.find(s => s.index === index);
        // A deferred fence of an older run may have no step row any more.
        const finish =
          (step && STEP_HANDLERS[step.kind].finishDeferred) ??
          STEP_HANDLERS['fence-old-source'].finishDeferred!;
        const result = await finish(ctx, step!, this.#services);
        if (result.status !== 'deferred') {
          const done = await this.#store.completeDeferred(
            claim,
            {
              status: 'succeeded',
              finishedAt: iso(this.#now()),
              outcome: result.outcome,
            },
            `${run.sourceCluster} answered again at ${iso(this.#now())}: ${
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
      await this.#store
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
    for (const { runId, index } of await this.#store.listPendingRepairs()) {
      if (this.#abort.signal.aborted) return;
      const claim = await this.#store.claimRepair(
        runId,
        index,
        this.#owner,
        this.#leaseMs,
      );
      if (!claim) continue;
      try {
        const run = await this.#store.getRunDetails(runId);
        const step = run.steps.find(s => s.index === index);
        if (!step) continue;
        const ctx = this.#context(run, this.#deferredLease(claim), {
          signal: this.#abort.signal,
          guard: () => this.#store.assertDeferredClaim(claim),
        });
        const result = await this.#undoJournaled(ctx, step);
        const done = await this.#store.finishRepair(
          claim,
          {
            compensation: result.compensation,
            changes: step.changes,
            ...(result.problems.length
              ? { compensationError: result.problems.join('; ') }
              : {}),
          },
          `Rolled back; the changes left pending were undone at ${iso(
            this.#now(),
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
        await this.#store
          .releaseDeferred(claim, undefined)
          .catch(() => undefined);
      }
    }
  }

  /** A lease no run has, for contexts outside a run: any journal write through it is refused. */
  #deferredLease(claim: DeferredClaim): RunLease {
    return { runId: claim.runId, owner: claim.owner, epoch: -1 };
  }

  /** Stops executing: in-flight waits abort, leases are released so another engine may resume. */
  async stop(): Promise<void> {
    this.#abort.abort(new StepAborted());
    clearTimeout(this.#lookAgainTimer);
    await Promise.all([...this.#running.values()]);
  }

  #launch(runId: string, resume: boolean): void {
    if (this.#running.has(runId)) return;
    const p = this.#execute(runId, resume)
      .catch(err =>
        this.#logger.error(`Failover run ${runId} crashed: ${message(err)}`),
      )
      .finally(() => this.#running.delete(runId));
    this.#running.set(runId, p);
  }

  async #execute(runId: string, resume: boolean): Promise<void> {
    if (this.#abort.signal.aborted) return;
    const lease = await this.#store.claim(runId, this.#owner, this.#leaseMs);
    if (!lease) return;
    // Stops this run when the engine stops or when the lease is lost (this
    // engine was presumed dead and another took over): the database refuses
    // our writes from then on anyway, this only stops the waits sooner.
    const run = new AbortController();
    const onStop = () => run.abort(new StepAborted());
    this.#abort.signal.addEventListener('abort', onStop, { once: true });
    let renewedAt = performance.now();
    const heartbeat = setInterval(() => {
      this.#store
        .renew(lease, this.#leaseMs)
        .then(held => {
          if (held) {
            renewedAt = performance.now();
            return;
          }
          run.abort(new LeaseLostError(runId, 'the heartbeat was refused'));
        })
        .catch(err => {
          this.#logger.warn(
            `Renewing the lease of failover run ${runId} failed: ${message(
              err,
            )}`,
          );
          // Without a renewal for a whole lease, another engine may own
          // the run by now: stop rather than guess.
          if (performance.now() - renewedAt >= this.#leaseMs) {
            run.abort(
              new LeaseLostError(runId, 'no renewal succeeded for a lease'),
            );
          }
        });
    }, Math.max(50, Math.floor(this.#leaseMs / 3)));
    heartbeat.unref?.();
    try {
      await this.#drive(lease, resume, run.signal);
    } catch (err) {
      if (err instanceof LeaseLostError) {
        this.#logger.warn(message(err));
      } else if (!(err instanceof StepAborted)) {
        throw err;
      }
    } finally {
      clearInterval(heartbeat);
      this.#abort.signal.removeEventListener('abort', onStop);
      await this.#store.release(lease).catch(() => undefined);
    }
  }

  async #drive(
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
      ctx = this.#context(run, lease, {
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
          await this.#promotionUndone(ctx, promote);
        } catch (err) {
          if (err instanceof LeaseLostError || signal.aborted) {
            throw err instanceof LeaseLostError ? err : stopReason(signal);
          }
          await this.#finishRun(lease, {
            status: 'needs-attention',
            finishedAt: iso(this.#now()),
            error: `interrupted while promoting; undoing it failed: ${message(
              err,
            )}`,
            attention: attentionFor(ctx, promote),
          });
          return;
        }
      }
      await this.#rollback(
        ctx,
        'interrupted by a backend restart before promotion',
      );
      return;
    }
    for (const step of run.steps) {
      if (DONE.has(step.status)) continue;
      if (signal.aborted) throw stopReason(signal);
      await this.#beforeStep?.(runId, step);
      if (signal.aborted) throw stopReason(signal);
      const error = await this.#runStep(ctx, step);
      if (error === undefined) continue;
      await this.#onFailure(ctx, step, error);
      return;
    }
    await this.#succeed(ctx);
  }

  /** Whether the run got past promotion (drains never promote). */
  async #promoted(ctx: RunContext): Promise<boolean> {
    const promote = ctx.run.steps.find(s => s.kind === 'promote');
    if (!promote || promote.status === 'pending') return false;
    if (promote.status === 'succeeded') return true;
    return ctx.provider!.isPromoted(ctx.target, ctx.call).catch(() => false);
  }

  #plannedStep(run: FailoverRunDetails, index: number) {
    return run.plan.steps.find(s => s.index === index);
  }

  /** The run's clients: impersonating the identity recorded with it, if any. */
  #clientsOf(run: FailoverRunDetails): ClusterWriteClient[] {
    return this.#clientsAs((run.plan as StoredPlan).writeIdentity);
  }

  #clientsAs(identity: WriteIdentity | undefined): ClusterWriteClient[] {
    if (!identity) return this.#clients;
    return this.#clients.map((c: ImpersonatingClient) => {
      if (!c.impersonating) {
        // Acting with the backend's own rights would bypass the cluster's RBAC.
        throw new Error(
          `The write client of ${c.cluster} cannot impersonate ${identity.user}; the run would act with the backend's own rights`,
        );
      }
      return c.impersonating(identity);
    });
  }

  #context(
    run: FailoverRunDetails,
    lease: RunLease,
    options: { signal: AbortSignal; guard: () => Promise<void> },
  ): RunContext {
    const { signal, guard } = options;
    const plan = run.plan;
    const journal: RunContext['journal'] = {};
    // Journal writes need the run's lease; a deferred fence or repair has
    // none and never sets a step to journal.
    const record = () => {
      const step = journal.step;
      if (!step) return undefined;
      return async (change: FailoverChange, update: boolean) => {
        const list = step.changes ?? (step.changes = []);
        if (!update) list.push(change);
        await this.#store.updateStep(lease, step.index, { changes: list });
      };
    };
    const clients = this.#clientsOf(run).map(c =>
      journaledClient(guardedClient(c, guard), record, this.#now),
    );
    const side = (cluster: string | undefined): FailoverSide | undefined => {
      if (!cluster) return undefined;
      const client = clients.find(c => c.cluster === cluster);
      const workload =
        plan.workloads?.[cluster] ?? plan.workloads?.[run.targetCluster];
      if (!client || !workload) return undefined;
      return { cluster, client, workload };
    };
    const target = side(run.targetCluster);
    if (!target) {
      throw new Error(
        `No client or workload for the target cluster ${run.targetCluster}`,
      );
    }
    const source = run.mode === 'drain' ? undefined : side(run.sourceCluster);
    if (run.mode !== 'drain' && !source) {
      throw new Error(
        `No client or workload for the source ${run.sourceCluster}`,
      );
    }
    const provider = this.#providers.find(p =>
      p.supportsWorkload(target.workload),
    );
    if (run.mode !== 'drain' && !provider) {
      throw new Error(
        `No failover provider supports ${target.workload.kind} ${target.workload.apiVersion}`,
      );
    }
    const router =
      this.#routers.find(r => r.method === plan.trafficMethod) ??
      new NoneTrafficRouter();
    const call: FailoverCallContext = {
      entityRef: run.entityRef,
      engine: plan.engine,
      signal,
      now: this.#now,
    };
    return {
      journal,
      run,
      lease,
      source,
      target,
      provider,
      router,
      call,
      route: {
        ...call,
        route: plan.route,
        workload: target.workload,
        clients,
      },
    };
  }

  /** Runs one step with its journal entries; returns the error when it failed. */
  async #runStep(
    ctx: RunContext,
    step: FailoverRunStep,
  ): Promise<Error | undefined> {
    const runId = ctx.run.id;
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
    const audit = await this.#auditor
      ?.createEvent({
        eventId: 'failover-step',
        severityLevel: 'medium',
        meta: {
          runId,
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
      const watch = watchStep(ctx, step, this.#watchOptions);
      ctx.journal.step = step;
      try {
        const result = await STEP_HANDLERS[step.kind].perform(
          watch.ctx,
          step,
          record,
          this.#services,
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
        if (isConflict(err) && attempt < this.#conflictRetries) {
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

  /** Journals that a promotion that did not take was undone. */
  async #promotionUndone(
    ctx: RunContext,
    step: FailoverRunStep,
  ): Promise<void> {
    if (step.changes === undefined) return;
    for (const c of effective(step.changes)) {
      c.undo = 'undone';
      c.undoneAt = iso(this.#now());
    }
    step.compensation = 'compensated';
    await this.#store.updateStep(ctx.lease, step.index, {
      compensation: 'compensated',
      changes: step.changes,
    });
  }

  async #onFailure(
    ctx: RunContext,
    step: FailoverRunStep,
    cause: Error,
  ): Promise<void> {
    let error = cause;
    const planned = this.#plannedStep(ctx.run, step.index);
    if (planned?.beforePromotion) {
      await this.#rollback(ctx, `${step.title} failed: ${error.message}`);
      return;
    }
    if (
      step.kind === 'promote' &&
      step.changes !== undefined &&
      effective(step.changes).length === 0
    ) {
      // The journal shows no promotion write reached the target (refused,
      // or never sent): nothing was promoted, the run rolls back.
      await this.#rollback(ctx, `${step.title} failed: ${error.message}`);
      return;
    }
    if (step.kind === 'promote' && ctx.provider) {
      const promoted = await ctx.provider
        .isPromoted(ctx.target, ctx.call)
        .catch(() => undefined);
      if (promoted === false) {
        try {
          await ctx.provider.abortPromotion(ctx.target, ctx.source!, ctx.call);
          await this.#promotionUndone(ctx, step);
          await this.#rollback(ctx, `${step.title} failed: ${error.message}`);
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
      attention: attentionFor(ctx, step),
      ...this.#figures(ctx),
    });
  }

  async #rollback(ctx: RunContext, reason: string): Promise<void> {
    const { run } = ctx;
    const problems: string[] = [];
    const pending: string[] = [];
    const touched = [...run.steps]
      .filter(
        s =>
          this.#plannedStep(run, s.index)?.beforePromotion &&
          s.status !== 'pending' &&
          s.compensation !== 'compensated' &&
          s.compensation !== 'not-needed',
      )
      .reverse();
    for (const step of touched) {
      // A fence still waiting for the source must not be applied to the
      // primary the rollback leaves in place.
      const cancelled = step.status === 'deferred';
      if (cancelled) step.status = 'skipped';
      if (step.changes !== undefined) {
        const result = await this.#undoJournaled(ctx, step);
        step.compensation = result.compensation;
        problems.push(...result.problems);
        pending.push(...result.pending);
        await this.#store.updateStep(ctx.lease, step.index, {
          compensation: result.compensation,
          changes: step.changes,
          ...(result.problems.length
            ? { compensationError: result.problems.join('; ') }
            : {}),
          ...(cancelled ? { status: 'skipped' as const } : {}),
        });
        continue;
      }
      // A step journaled before writes were recorded: undone as a whole.
      try {
        await STEP_HANDLERS[step.kind].compensate?.(ctx, step);
        step.compensation = 'compensated';
        await this.#store.updateStep(ctx.lease, step.index, {
          compensation: 'compensated',
          ...(cancelled ? { status: 'skipped' as const } : {}),
        });
      } catch (err) {
        if (err instanceof LeaseLostError) throw err;
        if (ctx.call.signal?.aborted) throw stopReason(ctx.call.signal);
        problems.push(`${step.title}: ${message(err)}`);
        await this.#store.updateStep(ctx.lease, step.index, {
          compensation: 'failed',
          compensationError: message(err),
        });
      }
    }
    let status: FailoverRunDetails['status'] = 'rolled-back';
    let attention: string | undefined;
    if (problems.length) {
      status = 'needs-attention';
      attention = `The rollback did not complete; undo by hand: ${problems.join(
        '; ',
      )}${
        pending.length
          ? `. Repaired by the backend when the cluster answers again: ${pending.join(
              '; ',
            )}`
          : ''
      }`;
    } else if (pending.length) {
      status = 'rolled-back-with-pending-repair';
      attention = `Rolled back where the clusters answered. Pending, repaired by the backend as soon as the cluster answers again: ${pending.join(
        '; ',
      )}.`;
    }
    await this.#finishRun(ctx.lease, {
      status,
      finishedAt: iso(this.#now()),
      error: reason,
      ...(attention ? { attention } : {}),
    });
  }

  /**
   * Undoes the journaled changes of one step (those not undone yet), the
   * last first. A change in a cluster that does not answer stays pending;
   * any other failure is a problem for a human.
   */
  async #undoJournaled(
    ctx: RunContext,
    step: FailoverRunStep,
  ): Promise<{
    compensation: FailoverRunStep['compensation'];
    problems: string[];
    pending: string[];
  }> {
    const problems: string[] = [];
    const pending: string[] = [];
    const open = effective(step.changes).filter(
      c => c.undo !== 'undone' && c.undo !== 'not-needed',
    );
    for (const c of step.changes ?? []) {
      if (c.state === 'refused' && !c.undo) c.undo = 'not-needed';
    }
    if (open.length === 0) {
      const anyUndone = (step.changes ?? []).some(c => c.undo === 'undone');
      return {
        compensation: anyUndone ? 'compensated' : 'not-needed',
        problems,
        pending,
      };
    }
    const mark = (
      changes: FailoverChange[],
      err: unknown | undefined,
    ): void => {
      for (const c of changes) {
        if (err === undefined) {
          c.undo = 'undone';
          c.undoneAt = iso(this.#now());
          delete c.undoError;
        } else if (isUnreachable(err)) {
          c.undo = 'pending';
          c.undoError = message(err);
        } else {
          c.undo = 'failed';
          c.undoError = message(err);
        }
      }
      if (err === undefined) return;
      const what = changes
        .map(c => `${c.object} in ${c.cluster}`)
        .filter((v, i, a) => a.indexOf(v) === i)
        .join(', ');
      if (isUnreachable(err)) {
        pending.push(`${step.title}: ${what}`);
      } else {
        problems.push(
          `${step.title}: ${what} could not be restored (${message(err)})`,
        );
      }
    };
    const attempt = async (
      changes: FailoverChange[],
      undo: () => Promise<void>,
    ): Promise<void> => {
      try {
        await undo();
        mark(changes, undefined);
      } catch (err) {
        if (err instanceof LeaseLostError) throw err;
        if (ctx.call.signal?.aborted) throw stopReason(ctx.call.signal);
        mark(changes, err);
      }
    };
    const source = ctx.source;
    const onSource = (c: FailoverChange) =>
      !!source &&
      c.cluster === source.cluster &&
      c.path === objectPath(source.workload);
    const fences =
      (step.kind === 'fence' || step.kind === 'fence-old-source') &&
      ctx.provider
        ? open.filter(onSource)
        : [];
    const others = open.filter(c => !fences.includes(c));
    // Cluster by cluster at once, so a cluster that hangs does not delay
    // giving the others back; within a cluster, the last change first.
    const clusters = [...new Set(others.map(c => c.cluster))];
    await Promise.all(
      clusters.map(async cluster => {
        const client = ctx.route.clients.find(c => c.cluster === cluster);
        for (const change of others
          .filter(c => c.cluster === cluster)
          .reverse()) {
          if (!client) {
            mark([change], new Error(`no client for ${cluster}`));
            continue;
          }
          await attempt([change], () => undoChange(client, change));
        }
      }),
    );
    if (fences.length) {
      // The provider knows how its fence is undone (a CloudNativePG
      // demotion is not reverted by restoring fields).
      const undo = ((step.outcome?.undo as UndoData) ?? {}) as UndoData;
      await attempt(fences, () =>
        ctx.provider!.unfence(source!, undo, ctx.call),
      );
    }
    let compensation: FailoverRunStep['compensation'] = 'compensated';
    if (problems.length) compensation = 'failed';
    else if (pending.length) compensation = 'pending';
    return { compensation, problems, pending };
  }

  async #succeed(ctx: RunContext): Promise<void> {
    const deferred = ctx.run.steps.filter(s => s.status === 'deferred');
    const src = ctx.run.sourceCluster;
    const notes = deferred.map(s => {
      if (s.kind === 'fence-old-source') {
        return `${src} could not be fenced yet; the engine fences it as soon as it answers. Until then make sure it takes no writes.`;
      }
      return `${s.title}: ${String(
        (s.outcome as { reason?: string } | undefined)?.reason ??
          `waits for ${src} to answer`,
      )}.`;
    });
    await this.#finishRun(ctx.lease, {
      status: 'succeeded',
      finishedAt: iso(this.#now()),
      ...this.#figures(ctx),
      ...(notes.length ? { attention: notes.join(' ') } : {}),
    });
  }

  /** RPO and RTO from the journal, so a resumed run reports them too. */
  #figures(ctx: RunContext): {
    rpoSeconds?: number | null;
    rtoMs?: number | null;
  } {
    const steps = ctx.run.steps;
    const find = (kind: string) => steps.find(s => s.kind === kind);
    const at = (v: string | undefined) => (v ? Date.parse(v) : NaN);
    let rpo: number | null | undefined;
    let start: number;
    let end: number;
    if (ctx.run.mode === 'drain') {
      rpo = 0;
      const drain = find('drain-traffic');
      start = at(drain?.startedAt);
      end = at(drain?.finishedAt);
    } else {
      const first = steps.find(s => s.startedAt);
      start = at(first?.startedAt);
      const moved = find('move-traffic');
      end =
        moved?.status === 'succeeded'
          ? at(moved.finishedAt)
          : at(find('promote')?.finishedAt);
      const inputs =
        ctx.run.mode === 'switchover'
          ? find('fence')?.inputs
          : find('promote')?.inputs;
      const raw =
        inputs?.[ctx.run.mode === 'switchover' ? 'lagAtFence' : 'lastKnownLag'];
      rpo = typeof raw === 'number' ? raw : null;
    }
    const rto =
      Number.isFinite(start) && Number.isFinite(end) ? end - start : null;
    return { rpoSeconds: rpo, rtoMs: rto };
  }

  async #gitOpsMarkers(
    plan: FailoverPlan,
    identity: WriteIdentity | undefined,
  ): Promise<GitOpsMarker[]> {
    const markers: GitOpsMarker[] = [];
    const reads: Array<Promise<void>> = [];
    // With impersonation the backend's own credentials may only impersonate.
    const clients = this.#clientsAs(identity);
    for (const [cluster, ref] of Object.entries(plan.workloads ?? {})) {
      const client = clients.find(c => c.cluster === cluster);
      if (!client) continue;
      reads.push(
        client
          .get<KubeObject>(objectPath(ref))
          .then(obj => {
            if (obj) markers.push(...gitOpsMarkersOf(cluster, obj));
          })
          .catch(() => undefined),
      );
    }
    if (plan.route && plan.trafficMethod === 'virtualservice') {
      const route = plan.route;
      for (const client of clients) {
        reads.push(
          client
            .get<KubeObject>(
              `${collectionPath(
                'networking.istio.io/v1',
                route.namespace,
                'virtualservices',
              )}/${route.name}`,
            )
            .then(obj => {
              if (obj) markers.push(...gitOpsMarkersOf(client.cluster, obj));
            })
            .catch(() => undefined),
        );
      }
    }
    await Promise.all(reads);
    return markers.sort((a, b) =>
      `${a.cluster}${a.object}`.localeCompare(`${b.cluster}${b.object}`),
    );
  }
}

/** What a human must do after a step failed past promotion. */
function attentionFor(ctx: RunContext, step: FailoverRunStep): string {
  const src = ctx.run.sourceCluster ?? 'the old primary';
  const tgt = ctx.run.targetCluster;
  const route = ctx.run.plan.route
    ? `${ctx.run.plan.route.namespace}/${ctx.run.plan.route.name}`
    : 'the route';
  return (
    STEP_HANDLERS[step.kind].attention?.({ src, tgt, route }, step) ??
    `Step "${step.title}" failed after promotion: check ${tgt} and ${src} by hand.`
  );
}
