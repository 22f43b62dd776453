/*
 * The execution lease of failover runs in the database: taking it (with a
 * new epoch), renewing it, checking it before a cluster write, giving it up,
 * and finding the runs whose lease a dead engine left to run out.
 */
import {
  FailoverSql,
  ACTIVE_RUN_STATUSES,
  LeaseLostError,
  RunLease,
} from './failoverSql';
import { num } from './failoverRows';

/** Lease statements of `DatabaseFailoverStore`. */
export class RunLeaseQueries {
  readonly #sql: FailoverSql;

  constructor(sql: FailoverSql) {
    this.#sql = sql;
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
    const sql = this.#sql;
    return sql.db.transaction(async tx => {
      const updated = await tx('failover_runs')
        .where({ id })
        .whereIn('status', ACTIVE_RUN_STATUSES)
        .andWhere(q =>
          q
            .whereNull('lease_owner')
            .orWhere('lease_owner', owner)
            .orWhere('lease_expires_at', '<=', sql.now()),
        )
        .update({
          lease_owner: owner,
          lease_expires_at: sql.now(leaseMs),
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
    const sql = this.#sql;
    const updated = await sql.held(sql.db('failover_runs'), lease).update({
      lease_expires_at: sql.now(leaseMs),
    });
    return updated === 1;
  }

  /** Throws LeaseLostError unless `lease` still holds; run before each cluster write. */
  async assertLease(lease: RunLease): Promise<void> {
    const sql = this.#sql;
    const row = await sql.retry(() =>
      sql.held(sql.db('failover_runs').select('id'), lease).first(),
    );
    if (!row) {
      throw new LeaseLostError(lease.runId, 'refused a cluster write');
    }
  }

  /** Gives a lease up so another engine may resume the run at once. */
  async release(lease: RunLease): Promise<void> {
    await this.#sql
      .db('failover_runs')
      .where({
        id: lease.runId,
        lease_owner: lease.owner,
        lease_epoch: lease.epoch,
      })
      .update({ lease_owner: null, lease_expires_at: null });
  }

  /** Ids of unfinished runs whose lease is free or expired, oldest first. */
  async listResumable(): Promise<string[]> {
    const sql = this.#sql;
    const rows = await sql
      .db('failover_runs')
      .whereIn('status', ACTIVE_RUN_STATUSES)
      .andWhere(q =>
        q.whereNull('lease_owner').orWhere('lease_expires_at', '<=', sql.now()),
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
    const sql = this.#sql;
    const row = await sql
      .db('failover_runs')
      .whereIn('status', ACTIVE_RUN_STATUSES)
      .andWhere('lease_expires_at', '>', sql.now())
      .andWhereNot('lease_owner', owner)
      .select(sql.db.raw(`min(lease_expires_at) - ${sql.nowSql} as ms`))
      .first();
    const ms = num(row?.ms ?? null);
    return ms === null ? undefined : Math.max(0, ms);
  }
}
