/*
 * The failover journal in the plugin's database: runs, their steps, the
 * per-entity lock (a primary key on the entity ref, so exactly one of two
 * concurrent starts wins on every engine) and the execution lease that tells
 * a live engine's run from one a dead backend left behind.
 *
 * The lease fences: each take of it bumps `lease_epoch`, and every write of a
 * run's journal names the owner and epoch it holds and checks, in the same
 * statement, that the lease is still theirs and unexpired by the database's
 * clock. An engine that was paused past its lease thus has its next write
 * refused (LeaseLostError) rather than acting beside the one that took over.
 * Replicas' clocks never decide expiry.
 */
import { DatabaseService } from '@backstage/backend-plugin-api';
import {
  ConflictError,
  CustomErrorBase,
  NotFoundError,
} from '@backstage/errors';
import {
  FailoverMode,
  FailoverPlan,
  FailoverRun,
  FailoverRunDetails,
  FailoverRunStatus,
  FailoverRunStep,
} from '@multicluster/backstage-plugin-statefulsets-common';
import { Knex } from 'knex';
import { randomUUID } from 'node:crypto';
import { migrateLatest } from './failoverMigrations';
import {
  isTransientDatabaseError,
  isUniqueViolation,
  num,
  RunRow,
  runColumns,
  StepRow,
  stepColumns,
  StepUpdate,
  RunUpdate,
  toRun,
  toStep,
} from './failoverRows';

export { migrateLatest } from './failoverMigrations';
export { isTransientDatabaseError } from './failoverRows';
export type { RunUpdate, StepUpdate } from './failoverRows';

/** Statuses of a run that still holds the entity's lock. */
export const ACTIVE_RUN_STATUSES: FailoverRunStatus[] = ['pending', 'running'];

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

/** The lease of a run as one engine holds it; every journal write names it. */
export interface RunLease {
  runId: string;
  owner: string;
  /** The fencing token: grows each time an engine takes the lease. */
  epoch: number;
}

/** A replica's claim on one deferred fence, so no other replica applies it too. */
export interface DeferredClaim {
  runId: string;
  index: number;
  owner: string;
  /** A deferred fence (the default) or a pending repair of a rollback. */
  what?: 'fence' | 'repair';
}

/**
 * The engine no longer holds the lease of a run (it expired and another
 * engine took it, or the run finished elsewhere): it must stop acting on
 * the run at once and undo nothing, the new holder decides.
 */
export class LeaseLostError extends CustomErrorBase {
  constructor(runId: string, detail: string) {
    super(
      `Lost the lease of failover run ${runId}: ${detail}; another engine owns the run now, this one stops acting on it`,
    );
    this.name = 'LeaseLostError';
  }
}

/** Persists failover runs and steps; the only place that speaks SQL for failover. */
export class DatabaseFailoverStore {
  readonly #db: Knex;
  /** The database's clock in epoch milliseconds, as SQL of its dialect. */
  readonly #nowSql: string;

  /** How long a journal write is retried while the database is unreachable. */
  readonly #retryMs: number;

  private constructor(db: Knex, retryMs: number) {
    this.#db = db;
    this.#retryMs = retryMs;
    const dialect = String(
      (db.client as { dialect?: string }).dialect ?? db.client.config?.client,
    );
    if (/postgres|pg/i.test(dialect)) {
      // clock_timestamp(), not now(): the latter stands still for a whole
      // transaction.
      this.#nowSql = '(extract(epoch from clock_timestamp()) * 1000)';
    } else if (/mysql/i.test(dialect)) {
      this.#nowSql = '(UNIX_TIMESTAMP(CURRENT_TIMESTAMP(3)) * 1000)';
    } else {
      // SQLite's CURRENT_TIMESTAMP is text with whole seconds; julianday has
      // milliseconds and converts to the epoch milliseconds the columns hold.
      this.#nowSql = "((julianday('now') - 2440587.5) * 86400000.0)";
    }
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

  /** Runs `fn` again while it fails with a transient database error, up to the retry bound. */
  async #retry<T>(fn: () => Promise<T>): Promise<T> {
    const deadline = performance.now() + this.#retryMs;
    for (let attempt = 0; ; attempt++) {
      try {
        return await fn();
      } catch (err) {
        if (!isTransientDatabaseError(err) || performance.now() > deadline) {
          throw err;
        }
        await new Promise(r =>
          setTimeout(r, Math.min(1000, 100 * 2 ** attempt)),
        );
      }
    }
  }

  /** The database's clock plus `ms`, as a value for a statement. */
  #dbNow(ms = 0): Knex.Raw {
    return this.#db.raw(`(${this.#nowSql} + ?)`, [ms]);
  }

  /** Restricts a query on failover_runs to the run while `lease` still holds. */
  #held(q: Knex.QueryBuilder, lease: RunLease): Knex.QueryBuilder {
    return q
      .where('failover_runs.id', lease.runId)
      .andWhere('failover_runs.lease_owner', lease.owner)
      .andWhere('failover_runs.lease_epoch', lease.epoch)
      .andWhere('failover_runs.lease_expires_at', '>', this.#dbNow());
  }

  /** The same check as a subquery, for statements on other tables. */
  #heldExists(lease: RunLease): Knex.QueryBuilder {
    return this.#held(
      this.#db('failover_runs').select(this.#db.raw('1')),
      lease,
    );
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
          lease_expires_at: input.lease ? this.#dbNow(input.lease.ms) : null,
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

  /**
   * Takes the execution lease of a run when it is free, expired or already
   * ours, with a new epoch; undefined when a live engine holds it.
   */
  async claim(
    id: string,
    owner: string,
    leaseMs: number,
  ): Promise<RunLease | undefined> {
    return this.#db.transaction(async tx => {
      const updated = await tx('failover_runs')
        .where({ id })
        .whereIn('status', ACTIVE_RUN_STATUSES)
        .andWhere(q =>
          q
            .whereNull('lease_owner')
            .orWhere('lease_owner', owner)
            .orWhere('lease_expires_at', '<=', this.#dbNow()),
        )
        .update({
          lease_owner: owner,
          lease_expires_at: this.#dbNow(leaseMs),
          lease_epoch: tx.raw('lease_epoch + 1'),
        });
      if (updated !== 1) return undefined;
      // Our update holds the row until commit: the epoch read is ours.
      const row = await tx('failover_runs')
        .where({ id, lease_owner: owner })
        .first('lease_epoch');
      return row
        ? { runId: id, owner, epoch: Number(row.lease_epoch) }
        : undefined;
    });
  }

  /** Extends a lease still held; false when it was lost or had expired. */
  async renew(lease: RunLease, leaseMs: number): Promise<boolean> {
    const updated = await this.#held(this.#db('failover_runs'), lease).update({
      lease_expires_at: this.#dbNow(leaseMs),
    });
    return updated === 1;
  }

  /** Throws LeaseLostError unless `lease` still holds; run before each cluster write. */
  async assertLease(lease: RunLease): Promise<void> {
    const row = await this.#retry(() =>
      this.#held(this.#db('failover_runs').select('id'), lease).first(),
    );
    if (!row) {
      throw new LeaseLostError(lease.runId, 'refused a cluster write');
    }
  }

  /** Gives a lease up so another engine may resume the run at once. */
  async release(lease: RunLease): Promise<void> {
    await this.#db('failover_runs')
      .where({
        id: lease.runId,
        lease_owner: lease.owner,
        lease_epoch: lease.epoch,
      })
      .update({ lease_owner: null, lease_expires_at: null });
  }

  /** Ids of unfinished runs whose lease is free or expired, oldest first. */
  async listResumable(): Promise<string[]> {
    const rows = await this.#db('failover_runs')
      .whereIn('status', ACTIVE_RUN_STATUSES)
      .andWhere(q =>
        q
          .whereNull('lease_owner')
          .orWhere('lease_expires_at', '<=', this.#dbNow()),
      )
      .orderBy('created_at', 'asc')
      .select('id');
    return rows.map(r => r.id);
  }

  /**
   * In how many milliseconds (by the database's clock) the earliest live
   * lease of an unfinished run not held by `owner` runs out, if any.
   */
  async msUntilNextLeaseExpiry(owner: string): Promise<number | undefined> {
    const row = await this.#db('failover_runs')
      .whereIn('status', ACTIVE_RUN_STATUSES)
      .andWhere('lease_expires_at', '>', this.#dbNow())
      .andWhereNot('lease_owner', owner)
      .select(this.#db.raw(`min(lease_expires_at) - ${this.#nowSql} as ms`))
      .first();
    const ms = num(row?.ms ?? null);
    return ms === null ? undefined : Math.max(0, ms);
  }

  /** Updates a run's fields; LeaseLostError unless `lease` still holds. */
  async updateRun(lease: RunLease, update: RunUpdate): Promise<void> {
    const columns = runColumns(update);
    if (Object.keys(columns).length === 0) return;
    const updated = await this.#retry(() =>
      this.#held(this.#db('failover_runs'), lease).update(columns),
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
    const finished = await this.#retry(() => this.#finishOnce(lease, update));
    if (!finished) {
      throw new LeaseLostError(lease.runId, 'refused to finish the run');
    }
  }

  /** One attempt of finishRun: false when the lease did not hold. */
  async #finishOnce(lease: RunLease, update: RunUpdate): Promise<boolean> {
    // A retry after a commit whose answer was lost finds the run finished
    // as asked: that is success, not a lost lease.
    return this.#db.transaction(async tx => {
      const updated = await this.#held(tx('failover_runs'), lease).update({
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
    const updated = await this.#retry(() =>
      this.#db('failover_steps')
        .where({ run_id: lease.runId, step_index: index })
        .whereExists(this.#heldExists(lease))
        .update(columns),
    );
    if (updated !== 1) {
      throw new LeaseLostError(lease.runId, `refused a write of step ${index}`);
    }
  }

  /**
   * Cancels the pending deferred fences of `cluster` left by earlier runs of
   * the entity, before the run holding `lease` promotes that cluster: applied
   * later they would fence the new primary. Returns how many were cancelled.
   */
  async cancelDeferredFences(
    lease: RunLease,
    entityRef: string,
    cluster: string,
  ): Promise<number> {
    const reason = `cancelled: run ${lease.runId} promotes ${cluster}, which must not be fenced any more`;
    return this.#retry(() =>
      this.#db.transaction<number>(async tx => {
        // Proves the lease in the same transaction as the cancellation.
        const held = await this.#held(tx('failover_runs'), lease).update({
          lease_owner: lease.owner,
        });
        if (held !== 1) {
          throw new LeaseLostError(lease.runId, 'refused to cancel fences');
        }
        // Every deferred step of an earlier run whose old primary was this
        // cluster: its fence, the move of its route copy, its reattachment.
        const cancelled = await tx('failover_steps')
          .where({ status: 'deferred' })
          .whereIn(
            'run_id',
            tx('failover_runs')
              .select('id')
              .where({ entity_ref: entityRef, source_cluster: cluster })
              .andWhereNot('id', lease.runId),
          )
          .update({
            status: 'skipped',
            outcome: JSON.stringify({ reason }),
            claim_owner: null,
            claim_expires_at: null,
          });
        return Number(cancelled);
      }),
    );
  }

  /** Deferred fences no live replica has claimed, oldest run first. */
  async listDeferred(): Promise<
    Array<{ runId: string; index: number; cluster: string }>
  > {
    return this.#listUnclaimed('fence');
  }

  /** The column and value that keep a step claimable as `what`. */
  #claimable(what: DeferredClaim['what']): Record<string, string> {
    return what === 'repair'
      ? { compensation: 'pending' }
      : { status: 'deferred' };
  }

  async #listUnclaimed(
    what: DeferredClaim['what'],
  ): Promise<Array<{ runId: string; index: number; cluster: string }>> {
    const [column, value] = Object.entries(this.#claimable(what))[0];
    const rows = await this.#db('failover_steps')
      .join('failover_runs', 'failover_runs.id', 'failover_steps.run_id')
      .where(`failover_steps.${column}`, value)
      .andWhere(q =>
        q
          .whereNull('failover_steps.claim_owner')
          .orWhere('failover_steps.claim_expires_at', '<=', this.#dbNow()),
      )
      .orderBy('failover_runs.created_at', 'asc')
      .orderBy('failover_steps.step_index', 'asc')
      .select(
        'failover_steps.run_id',
        'failover_steps.step_index',
        'failover_steps.cluster',
      );
    return rows.map(r => ({
      runId: r.run_id,
      index: Number(r.step_index),
      cluster: r.cluster,
    }));
  }

  async #claimStep(
    claim: DeferredClaim,
    ms: number,
  ): Promise<DeferredClaim | undefined> {
    const updated = await this.#db('failover_steps')
      .where({
        run_id: claim.runId,
        step_index: claim.index,
        ...this.#claimable(claim.what),
      })
      .andWhere(q =>
        q
          .whereNull('claim_owner')
          .orWhere('claim_owner', claim.owner)
          .orWhere('claim_expires_at', '<=', this.#dbNow()),
      )
      .update({ claim_owner: claim.owner, claim_expires_at: this.#dbNow(ms) });
    return updated === 1 ? claim : undefined;
  }

  /** Claims a deferred fence for `ms`; undefined when it is done, cancelled or claimed by a live replica. */
  async claimDeferred(
    runId: string,
    index: number,
    owner: string,
    ms: number,
  ): Promise<DeferredClaim | undefined> {
    return this.#claimStep({ runId, index, owner }, ms);
  }

  #claimHeld(q: Knex.QueryBuilder, claim: DeferredClaim): Knex.QueryBuilder {
    return q
      .where({
        run_id: claim.runId,
        step_index: claim.index,
        claim_owner: claim.owner,
        ...this.#claimable(claim.what),
      })
      .andWhere('claim_expires_at', '>', this.#dbNow());
  }

  /** Steps whose rollback left a repair pending that no live replica has claimed, oldest run first. */
  async listPendingRepairs(): Promise<
    Array<{ runId: string; index: number; cluster: string }>
  > {
    return this.#listUnclaimed('repair');
  }

  /** Claims a pending repair for `ms`; undefined when it is done, cancelled or claimed by a live replica. */
  async claimRepair(
    runId: string,
    index: number,
    owner: string,
    ms: number,
  ): Promise<DeferredClaim | undefined> {
    return this.#claimStep({ runId, index, owner, what: 'repair' }, ms);
  }

  /**
   * Records what a repair attempt did; when it left nothing pending in the
   * run, a run that was rolled back with pending repairs becomes rolled
   * back. Frees the claim. False when the claim was lost (nothing written).
   */
  async finishRepair(
    claim: DeferredClaim,
    update: StepUpdate,
    note?: string,
  ): Promise<boolean> {
    return this.#db.transaction(async tx => {
      const updated = await this.#claimHeld(tx('failover_steps'), claim).update(
        { ...stepColumns(update), claim_owner: null, claim_expires_at: null },
      );
      if (updated !== 1) return false;
      const left = await tx('failover_steps')
        .where({ run_id: claim.runId, compensation: 'pending' })
        .count({ n: '*' })
        .first();
      if (Number(left?.n ?? 0) === 0) {
        await tx('failover_runs')
          .where({
            id: claim.runId,
            status: 'rolled-back-with-pending-repair',
          })
          .update({
            status: 'rolled-back',
            ...(note ? { attention: note } : {}),
          });
      }
      return true;
    });
  }

  /**
   * Cancels the pending repairs of the entity's earlier runs when a new run
   * starts: the new run acts on the state as it finds it, and a repair
   * applied later would undo its work. Returns how many were cancelled.
   */
  async cancelPendingRepairs(
    entityRef: string,
    byRunId: string,
  ): Promise<number> {
    return this.#db.transaction<number>(async tx => {
      const runs = tx('failover_runs')
        .select('id')
        .where({ entity_ref: entityRef })
        .andWhereNot('id', byRunId);
      const cancelled = await tx('failover_steps')
        .where({ compensation: 'pending' })
        .whereIn('run_id', runs.clone())
        .update({
          compensation: 'failed',
          compensation_error: `cancelled: run ${byRunId} started before the cluster answered again; check this step's changes against that run`,
          claim_owner: null,
          claim_expires_at: null,
        });
      if (Number(cancelled) > 0) {
        await tx('failover_runs')
          .where({ status: 'rolled-back-with-pending-repair' })
          .whereIn('id', runs.clone())
          .update({
            status: 'rolled-back',
            attention: `Pending repairs were cancelled when run ${byRunId} started.`,
          });
      }
      return Number(cancelled);
    });
  }

  /** Throws LeaseLostError unless the claim still holds (the fence was not cancelled meanwhile). */
  async assertDeferredClaim(claim: DeferredClaim): Promise<void> {
    const row = await this.#claimHeld(
      this.#db('failover_steps').select('run_id'),
      claim,
    ).first();
    if (!row) {
      throw new LeaseLostError(
        claim.runId,
        `the deferred fence (step ${claim.index}) was cancelled or claimed by another replica`,
      );
    }
  }

  /**
   * Records a claimed deferred fence as done and notes it on the run; false
   * when the claim was lost meanwhile (nothing written).
   */
  async completeDeferred(
    claim: DeferredClaim,
    update: StepUpdate,
    attention: string,
  ): Promise<boolean> {
    return this.#db.transaction(async tx => {
      const updated = await this.#claimHeld(tx('failover_steps'), claim).update(
        { ...stepColumns(update), claim_owner: null, claim_expires_at: null },
      );
      if (updated !== 1) return false;
      await tx('failover_runs')
        .where({ id: claim.runId })
        .update({ attention });
      return true;
    });
  }

  /** Keeps a deferred fence pending with what the last attempt found, and frees the claim. */
  async releaseDeferred(
    claim: DeferredClaim,
    outcome: Record<string, unknown> | undefined,
  ): Promise<void> {
    await this.#db('failover_steps')
      .where({
        run_id: claim.runId,
        step_index: claim.index,
        claim_owner: claim.owner,
      })
      .update({
        ...(outcome ? { outcome: JSON.stringify(outcome) } : {}),
        claim_owner: null,
        claim_expires_at: null,
      });
  }
}
