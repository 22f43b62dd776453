/*
 * The failover engine: turns a plan into a persisted run and executes its
 * steps one by one, journaling each before and after it acts. A failure
 * before promotion rolls back what was done; after promotion the run stops
 * and says what a human must do. A run left behind by a dead backend is
 * picked up by `resumeInterrupted()` on another (or the restarted) one, and
 * then by a task of Backstage's scheduler: rolled back when it had not
 * promoted yet, continued when it had.
 *
 * This class is the façade over the parts: planWithLiveState.ts reads what
 * a plan needs, RunCoordinator holds leases and resumes runs, RunExecutor
 * runs the steps through the handlers in ./steps, RunCompensation rolls
 * back, DeferredWork applies deferred fences and pending repairs, and
 * runFigures.ts reads RPO, RTO and notes from the journal.
 *
 * Every journal write names the run's lease (owner and epoch) and every
 * cluster write is preceded by a check of it, both judged by the database:
 * an engine that was paused past its lease while another took the run over
 * stops at its next write with LeaseLostError and undoes nothing.
 */
import {
  AuditorService,
  LoggerService,
  SchedulerService,
} from '@backstage/backend-plugin-api';
import { ConflictError, InputError } from '@backstage/errors';
import {
  EntityTopology,
  FailoverMode,
  FailoverPlan,
  FailoverRun,
  FailoverRunStep,
} from '@multicluster/backstage-plugin-statefulsets-common';
import {
  CloudNativePgProvider,
  ClusterWriteClient,
  FailoverReplicationProvider,
  FailoverTrafficRouter,
  GenericStatefulSetProvider,
  IstioTrafficRouter,
  NoneTrafficRouter,
  ServiceExportTrafficRouter,
} from '@multicluster/backstage-plugin-statefulsets-node';
import { randomUUID } from 'node:crypto';
import { WriteIdentity } from '../cluster/writeIdentity';
import type { StatefulsetsMetrics } from '../service/metrics';
import { RunContextSources, StoredPlan } from './createRunContext';
import { DatabaseFailoverStore } from './DatabaseFailoverStore';
import { DeferredWork } from './DeferredWork';
import { PlanInput, planWithLiveState } from './planWithLiveState';
import { iso } from './runContext';
import { RunCompensation } from './RunCompensation';
import { RunCoordinator } from './RunCoordinator';
import { RunExecutor } from './RunExecutor';

export { RESUME_TASK_ID } from './RunCoordinator';

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
  /**
   * Runs the look for runs whose lease ran out, after `resumeInterrupted()`
   * (default: none, only `resumeInterrupted()` looks).
   */
  scheduler?: SchedulerService;
  now?: () => number;
  /**
   * How long a run's lease lasts without a heartbeat (default 10 s): a
   * backend that dies mid-run leaves its source fenced at most this long
   * (and a fifth of it, the scheduled look's period) before another one
   * rolls the run back.
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
  /** Told each run this engine put in a final status, e.g. to notify the entity's owners. */
  onRunEnded?(run: FailoverRun): void | Promise<void>;
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

/** Executes, rolls back and resumes failover runs. */
export class FailoverEngine {
  readonly #sources: RunContextSources;
  readonly #logger: LoggerService;
  readonly #owner: string;
  readonly #leaseMs: number;
  readonly #coordinator: RunCoordinator;
  readonly #deferred: DeferredWork;

  private constructor(options: FailoverEngineOptions) {
    const now = options.now ?? Date.now;
    this.#sources = {
      store: options.store,
      clients: options.clients,
      providers: options.providers ?? [
        new CloudNativePgProvider(),
        new GenericStatefulSetProvider(),
      ],
      routers: options.routers ?? [
        new IstioTrafficRouter(),
        new ServiceExportTrafficRouter(),
        new NoneTrafficRouter(),
      ],
      now,
    };
    this.#logger = options.logger;
    this.#owner = options.ownerId ?? randomUUID();
    this.#leaseMs = options.leaseMs ?? 10_000;
    const healthProbeTimeoutMs = options.healthProbeTimeoutMs ?? 3000;
    const services = {
      now,
      store: options.store,
      catchUpTimeoutMs: options.catchUpTimeoutMs ?? 60_000,
      verifyTimeoutMs: options.verifyTimeoutMs ?? 15_000,
      healthProbeTimeoutMs,
    };
    const compensation = new RunCompensation({ store: options.store, now });
    const executor = new RunExecutor({
      sources: this.#sources,
      compensation,
      services,
      watchOptions: {
        now,
        healthIntervalMs: options.healthIntervalMs ?? 500,
        healthProbeTimeoutMs,
      },
      conflictRetries: options.conflictRetries ?? 3,
      auditor: options.auditor,
      metrics: options.metrics,
      beforeStep: options.beforeStep,
      onRunEnded: options.onRunEnded,
      logger: options.logger,
    });
    this.#coordinator = new RunCoordinator({
      store: options.store,
      executor,
      logger: options.logger,
      scheduler: options.scheduler,
      owner: this.#owner,
      leaseMs: this.#leaseMs,
    });
    this.#deferred = new DeferredWork({
      sources: this.#sources,
      compensation,
      services,
      logger: options.logger,
      owner: this.#owner,
      claimMs: this.#leaseMs,
      signal: this.#coordinator.signal,
    });
  }

  /** Creates an engine; call `resumeInterrupted()` once the backend is up. */
  static create(options: FailoverEngineOptions): FailoverEngine {
    return new FailoverEngine(options);
  }

  /** The dry run: the plan with the live lock state and GitOps markers. */
  async plan(input: PlanInput): Promise<FailoverPlan> {
    return planWithLiveState(this.#sources, input);
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
    const store = this.#sources.store;
    const run = await store.createRun({
      entityRef: input.topology.entityRef,
      mode: input.mode,
      sourceCluster: plan.sourceCluster,
      targetCluster: input.targetCluster,
      actor: input.actor,
      plan: input.writeIdentity
        ? ({ ...plan, writeIdentity: input.writeIdentity } as StoredPlan)
        : plan,
      reason,
      createdAt: iso(this.#sources.now()),
      lease: { owner: this.#owner, ms: this.#leaseMs },
    });
    const cancelled = await store
      .cancelPendingRepairs(input.topology.entityRef, run.id)
      .catch(() => 0);
    if (cancelled) {
      this.#logger.info(
        `Failover run ${run.id} cancelled ${cancelled} pending repair(s) of earlier runs of ${input.topology.entityRef}`,
      );
    }
    this.#coordinator.launch(run.id, false);
    return run;
  }

  /** Resolves when the run is no longer executing in this engine. */
  async waitForRun(runId: string): Promise<void> {
    await this.#coordinator.waitForRun(runId);
  }

  /**
   * Picks up runs whose engine died (lease free or expired): rolled back
   * when interrupted before promotion, continued after it. Then retries
   * deferred fences of old primaries that may have come back. Until
   * `stop()`, the scheduler's task `RESUME_TASK_ID` keeps looking for such
   * runs, so one whose lease another engine held is resumed once it ran out.
   */
  async resumeInterrupted(): Promise<string[]> {
    const ids = await this.#coordinator.resumeInterrupted();
    await this.retryDeferred();
    return ids;
  }

  /**
   * Re-applies fences (and routes) on old primaries that were unreachable
   * during an emergency failover, and finishes rollbacks that left repairs
   * pending, each once its cluster answers; see DeferredWork.
   */
  async retryDeferred(): Promise<void> {
    await this.#deferred.retry();
  }

  /** Stops executing: in-flight waits abort, leases are released so another engine may resume. */
  async stop(): Promise<void> {
    await this.#coordinator.stop();
  }
}
