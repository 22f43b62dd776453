/*
 * The failover journal in the plugin's database: runs, their steps, the
 * per-entity lock (a primary key on the entity ref, so exactly one of two
 * concurrent starts wins on every engine) and the execution lease that tells
 * a live engine's run from one a dead backend left behind.
 *
 * This class holds the runs and their steps; the lease statements live in
 * runLeaseQueries.ts, the deferred fences and pending repairs in
 * deferredClaimQueries.ts, and the clock, lease check and retry they all
 * share in failoverSql.ts. Every write of a run's journal names the lease it
 * holds and is refused (LeaseLostError) once another engine took the run.
 */
import { DatabaseService } from '@backstage/backend-plugin-api';
import { ConflictError, NotFoundError } from '@backstage/errors';
import {
  FailoverMode,
  FailoverPlan,
  FailoverRun,
  FailoverRunDetails,
  FailoverRunStep,
} from '@multicluster/backstage-plugin-statefulsets-common';
import { Knex } from 'knex';
import { randomUUID } from 'node:crypto';
import {
  ClaimableStep,
  DeferredClaim,
  DeferredClaimQueries,
} from './deferredClaimQueries';
import { migrateLatest } from './failoverMigrations';
import {
  isUniqueViolation,
  RunRow,
  runColumns,
  StepRow,
  stepColumns,
  StepUpdate,
  RunUpdate,
  toRun,
  toStep,
} from './failoverRows';
import { FailoverSql, LeaseLostError, RunLease } from './failoverSql';
import { RunLeaseQueries } from './runLeaseQueries';

export { migrateLatest } from './failoverMigrations';
export { isTransientDatabaseError } from './failoverRows';
export type { RunUpdate, StepUpdate } from './failoverRows';
export { ACTIVE_RUN_STATUSES, LeaseLostError } from './failoverSql';
export type { RunLease } from './failoverSql';
export type { DeferredClaim } from './deferredClaimQueries';

/** Inputs of a new run. */
export interface NewRun {
  entityRef: string;
  mode: FailoverMode;
  sourceCluster?: string;
  targetCluster: string;
  actor: string;
  plan: FailoverPlan;
  createdAt: string;
  /** Why an emergency failover was forced against a source that still answered. */
  reason?: string;
  /** Leases the new run to its creator at once, so no resuming engine takes it before it starts. */
  lease?: { owner: string; ms: number };
}

/** Persists failover runs and steps; the only place that speaks SQL for failover. */
export class DatabaseFailoverStore {
  readonly #sql: FailoverSql;
  readonly #db: Knex;
  readonly #leases: RunLeaseQueries;
  readonly #claims: DeferredClaimQueries;

  private constructor(db: Knex, retryMs: number) {
    this.#sql = new FailoverSql(db, retryMs);
    this.#db = db;
    this.#leases = new RunLeaseQueries(this.#sql);
    this.#claims = new DeferredClaimQueries(this.#sql);
  }

  /** Connects, runs the migrations (unless the database service says to skip them) and returns the store. */
  static async create(options: {
    database: DatabaseService | Knex;
    /**
     * How long the writes of a running failover (journal, lease checks) are
     * retried while the database does not answer (default 10 s): a run must
     * not roll back, or leave a source fenced, for a database blip.
     */
    retryMs?: number;
  }): Promise<DatabaseFailoverStore> {
    const { database } = options;
    const isService = (database as DatabaseService).getClient !== undefined;
    const client = isService
      ? await (database as DatabaseService).getClient()
      : (database as Knex);
    if (!isService || !(database as DatabaseService).migrations?.skip) {
      await migrateLatest(client);
    }
    return new DatabaseFailoverStore(client, options.retryMs ?? 10_000);
  }

  /**
   * Creates a run with its planned steps and takes the entity's lock in one
   * transaction; throws ConflictError when another run holds the lock.
   */
  async createRun(input: NewRun): Promise<FailoverRun> {
    const id = randomUUID();
    try {
      await this.#db.transaction(async tx => {
        await tx('failover_locks').insert({
          entity_ref: input.entityRef,
          run_id: id,
          acquired_at: input.createdAt,
        });
        await tx('failover_runs').insert({
          id,
          entity_ref: input.entityRef,
          mode: input.mode,
          source_cluster: input.sourceCluster ?? null,
          target_cluster: input.targetCluster,
          status: 'pending',
          actor: input.actor,
          created_at: input.createdAt,
          plan: JSON.stringify(input.plan),
          reason: input.reason ?? null,
          lease_owner: input.lease?.owner ?? null,
          lease_expires_at: input.lease ? this.#sql.now(input.lease.ms) : null,
          lease_epoch: input.lease ? 1 : 0,
        });
        if (input.plan.steps.length > 0) {
          await tx('failover_steps').insert(
            input.plan.steps.map(s => ({
              run_id: id,
              step_index: s.index,
              kind: s.kind,
              title: s.title,
              cluster: s.cluster,
              status: 'pending',
              compensation: 'none',
            })),
          );
        }
      });
    } catch (err) {
      if (isUniqueViolation(err)) {
        const holder = await this.activeRunId(input.entityRef);
        throw new ConflictError(
          `A failover run is already in progress for ${input.entityRef}${
            holder ? ` (run ${holder})` : ''
          }`,
        );
      }
      throw err;
    }
    return (await this.getRun(id))!;
  }

  /** The id of the run holding the entity's lock, if any. */
  async activeRunId(entityRef: string): Promise<string | undefined> {
    const row = await this.#db('failover_locks')
      .where({ entity_ref: entityRef })
      .first();
    return row?.run_id;
  }

  /** A run without its steps, or undefined. */
  async getRun(id: string): Promise<FailoverRun | undefined> {
    const row = await this.#db<RunRow>('failover_runs').where({ id }).first();
    return row ? toRun(row) : undefined;
  }

  /** A run with its steps; NotFoundError when absent. */
  async getRunDetails(id: string): Promise<FailoverRunDetails> {
    const run = await this.getRun(id);
    if (!run) throw new NotFoundError(`No failover run ${id}`);
    return { ...run, steps: await this.getSteps(id) };
  }

  /** The steps of a run in order. */
  async getSteps(runId: string): Promise<FailoverRunStep[]> {
    const rows = await this.#db<StepRow>('failover_steps')
      .where({ run_id: runId })
      .orderBy('step_index', 'asc');
    return rows.map(toStep);
  }

  /** The runs of an entity, newest first. */
  async listRuns(
    entityRef: string,
    options?: { limit?: number },
  ): Promise<FailoverRun[]> {
    const rows = await this.#db<RunRow>('failover_runs')
      .where({ entity_ref: entityRef })
      .orderBy('created_at', 'desc')
      .orderBy('id', 'asc')
      .limit(options?.limit ?? 50);
    return rows.map(toRun);
  }

  /** Updates a run's fields; LeaseLostError unless `lease` still holds. */
  async updateRun(lease: RunLease, update: RunUpdate): Promise<void> {
    const columns = runColumns(update);
    if (Object.keys(columns).length === 0) return;
    const updated = await this.#sql.retry(() =>
      this.#sql.held(this.#db('failover_runs'), lease).update(columns),
    );
    if (updated !== 1) {
      throw new LeaseLostError(lease.runId, 'refused a run update');
    }
  }

  /**
   * Puts a run in a final status and frees the entity's lock, atomically;
   * LeaseLostError (and nothing written) unless `lease` still holds.
   */
  async finishRun(lease: RunLease, update: RunUpdate): Promise<void> {
    const finished = await this.#sql.retry(() =>
      this.#finishOnce(lease, update),
    );
    if (!finished) {
      throw new LeaseLostError(lease.runId, 'refused to finish the run');
    }
  }

  /** One attempt of finishRun: false when the lease did not hold. */
  async #finishOnce(lease: RunLease, update: RunUpdate): Promise<boolean> {
    // A retry after a commit whose answer was lost finds the run finished
    // as asked: that is success, not a lost lease.
    return this.#db.transaction(async tx => {
      const updated = await this.#sql.held(tx('failover_runs'), lease).update({
        ...runColumns(update),
        lease_owner: null,
        lease_expires_at: null,
      });
      if (updated !== 1) {
        const row = await tx('failover_runs')
          .where({ id: lease.runId })
          .first('status', 'lease_owner');
        return (
          !!row &&
          row.lease_owner === null &&
          update.status !== undefined &&
          row.status === update.status
        );
      }
      await tx('failover_locks').where({ run_id: lease.runId }).delete();
      return true;
    });
  }

  /** Updates one step's fields; LeaseLostError unless `lease` still holds. */
  async updateStep(
    lease: RunLease,
    index: number,
    update: StepUpdate,
  ): Promise<void> {
    const columns = stepColumns(update);
    if (Object.keys(columns).length === 0) return;
    const updated = await this.#sql.retry(() =>
      this.#db('failover_steps')
        .where({ run_id: lease.runId, step_index: index })
        .whereExists(this.#sql.heldExists(lease))
        .update(columns),
    );
    if (updated !== 1) {
      throw new LeaseLostError(lease.runId, `refused a write of step ${index}`);
    }
  }

  // The lease (runLeaseQueries.ts).

  /** Takes the lease of a run when free, expired or ours, with a new epoch; undefined when a live engine holds it. */
  claim(id: string, owner: string, ms: number): Promise<RunLease | undefined> {
    return this.#leases.claim(id, owner, ms);
  }

  /** Extends a lease still held; false when it was lost or had expired. */
  renew(lease: RunLease, ms: number): Promise<boolean> {
    return this.#leases.renew(lease, ms);
  }

  /** Throws LeaseLostError unless `lease` still holds; run before each cluster write. */
  assertLease(lease: RunLease): Promise<void> {
    return this.#leases.assertLease(lease);
  }

  /** Gives a lease up so another engine may resume the run at once. */
  release(lease: RunLease): Promise<void> {
    return this.#leases.release(lease);
  }

  /** Ids of unfinished runs whose lease is free or expired, oldest first. */
  listResumable(): Promise<string[]> {
    return this.#leases.listResumable();
  }

  /** In how many ms (database clock) the earliest live lease not held by `owner` runs out, if any. */
  msUntilNextLeaseExpiry(owner: string): Promise<number | undefined> {
    return this.#leases.msUntilNextLeaseExpiry(owner);
  }

  // Deferred fences and pending repairs (deferredClaimQueries.ts).

  /** Cancels earlier runs' deferred fences of `cluster` before the run holding `lease` promotes it. */
  cancelDeferredFences(
    lease: RunLease,
    entityRef: string,
    cluster: string,
  ): Promise<number> {
    return this.#claims.cancelDeferredFences(lease, entityRef, cluster);
  }

  /** Deferred fences no live replica has claimed, oldest run first. */
  listDeferred(): Promise<ClaimableStep[]> {
    return this.#claims.listUnclaimed('fence');
  }

  /** Claims a deferred fence for `ms`; undefined when it is done, cancelled or claimed by a live replica. */
  claimDeferred(runId: string, index: number, owner: string, ms: number) {
    return this.#claims.claimStep({ runId, index, owner }, ms);
  }

  /** Steps whose rollback left a repair pending that no live replica has claimed, oldest run first. */
  listPendingRepairs(): Promise<ClaimableStep[]> {
    return this.#claims.listUnclaimed('repair');
  }

  /** Claims a pending repair for `ms`; undefined when it is done, cancelled or claimed by a live replica. */
  claimRepair(runId: string, index: number, owner: string, ms: number) {
    return this.#claims.claimStep({ runId, index, owner, what: 'repair' }, ms);
  }

  /** Records a repair attempt and frees the claim; false when the claim was lost. */
  finishRepair(claim: DeferredClaim, update: StepUpdate, note?: string) {
    return this.#claims.finishRepair(claim, update, note);
  }

  /** Cancels the pending repairs of the entity's earlier runs when a new run starts. */
  cancelPendingRepairs(entityRef: string, byRunId: string): Promise<number> {
    return this.#claims.cancelPendingRepairs(entityRef, byRunId);
  }

  /** Throws LeaseLostError unless the claim still holds (the fence was not cancelled meanwhile). */
  assertDeferredClaim(claim: DeferredClaim): Promise<void> {
    return this.#claims.assertDeferredClaim(claim);
  }

  /** Records a claimed deferred fence as done and notes it on the run; false when the claim was lost. */
  completeDeferred(
    claim: DeferredClaim,
    update: StepUpdate,
    attention: string,
  ): Promise<boolean> {
    return this.#claims.completeDeferred(claim, update, attention);
  }

  /** Keeps a deferred fence pending with what the last attempt found, and frees the claim. */
  releaseDeferred(
    claim: DeferredClaim,
    outcome: Record<string, unknown> | undefined,
  ): Promise<void> {
    return this.#claims.releaseDeferred(claim, outcome);
  }
}
