/*
 * Work left after a run ended, in the database: deferred fences of old
 * primaries that did not answer, and repairs a rollback left pending. Each
 * is claimed by one replica before it acts, and cancelled when a later run
 * of the entity would be undone by it.
 */
import { Knex } from 'knex';
import { FailoverSql, LeaseLostError, RunLease } from './failoverSql';
import { stepColumns, StepUpdate } from './failoverRows';

/** A replica's claim on one deferred fence, so no other replica applies it too. */
export interface DeferredClaim {
  runId: string;
  index: number;
  owner: string;
  /** A deferred fence (the default) or a pending repair of a rollback. */
  what?: 'fence' | 'repair';
}

/** A step with work left, as listed for claiming. */
export interface ClaimableStep {
  runId: string;
  index: number;
  cluster: string;
}

/** The column and value that keep a step claimable as `what`. */
function claimable(what: DeferredClaim['what']): Record<string, string> {
  return what === 'repair'
    ? { compensation: 'pending' }
    : { status: 'deferred' };
}

/** Deferred-fence and repair statements of `DatabaseFailoverStore`. */
export class DeferredClaimQueries {
  readonly #sql: FailoverSql;

  constructor(sql: FailoverSql) {
    this.#sql = sql;
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
    const sql = this.#sql;
    const reason = `cancelled: run ${lease.runId} promotes ${cluster}, which must not be fenced any more`;
    return sql.retry(() =>
      sql.db.transaction<number>(async tx => {
        // Proves the lease in the same transaction as the cancellation.
        const held = await sql.held(tx('failover_runs'), lease).update({
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

  /** Steps claimable as `what` that no live replica has claimed, oldest run first. */
  async listUnclaimed(what: DeferredClaim['what']): Promise<ClaimableStep[]> {
    const sql = this.#sql;
    const [column, value] = Object.entries(claimable(what))[0];
    const rows = await sql
      .db('failover_steps')
      .join('failover_runs', 'failover_runs.id', 'failover_steps.run_id')
      .where(`failover_steps.${column}`, value)
      .andWhere(q =>
        q
          .whereNull('failover_steps.claim_owner')
          .orWhere('failover_steps.claim_expires_at', '<=', sql.now()),
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

  /** Claims a step for `ms`; undefined when it is done, cancelled or claimed by a live replica. */
  async claimStep(
    claim: DeferredClaim,
    ms: number,
  ): Promise<DeferredClaim | undefined> {
    const sql = this.#sql;
    const updated = await sql
      .db('failover_steps')
      .where({
        run_id: claim.runId,
        step_index: claim.index,
        ...claimable(claim.what),
      })
      .andWhere(q =>
        q
          .whereNull('claim_owner')
          .orWhere('claim_owner', claim.owner)
          .orWhere('claim_expires_at', '<=', sql.now()),
      )
      .update({ claim_owner: claim.owner, claim_expires_at: sql.now(ms) });
    return updated === 1 ? claim : undefined;
  }

  #claimHeld(q: Knex.QueryBuilder, claim: DeferredClaim): Knex.QueryBuilder {
    return q
      .where({
        run_id: claim.runId,
        step_index: claim.index,
        claim_owner: claim.owner,
        ...claimable(claim.what),
      })
      .andWhere('claim_expires_at', '>', this.#sql.now());
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
    return this.#sql.db.transaction(async tx => {
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
    return this.#sql.db.transaction<number>(async tx => {
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
      this.#sql.db('failover_steps').select('run_id'),
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
    return this.#sql.db.transaction(async tx => {
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
    await this.#sql
      .db('failover_steps')
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
