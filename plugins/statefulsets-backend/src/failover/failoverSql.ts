/*
 * What every failover statement shares: the database's clock (replicas'
 * clocks never decide expiry), the check that a run's lease still holds,
 * and the retry of writes while the database does not answer.
 *
 * The lease fences: each take of it bumps `lease_epoch`, and every write of a
 * run's journal names the owner and epoch it holds and checks, in the same
 * statement, that the lease is still theirs and unexpired by the database's
 * clock. An engine that was paused past its lease thus has its next write
 * refused (LeaseLostError) rather than acting beside the one that took over.
 */
import { CustomErrorBase } from '@backstage/errors';
import { FailoverRunStatus } from '@multicluster/backstage-plugin-statefulsets-common';
import { Knex } from 'knex';
import { isTransientDatabaseError } from './failoverRows';

/** Statuses of a run that still holds the entity's lock. */
export const ACTIVE_RUN_STATUSES: FailoverRunStatus[] = ['pending', 'running'];

/** The lease of a run as one engine holds it; every journal write names it. */
export interface RunLease {
  runId: string;
  owner: string;
  /** The fencing token: grows each time an engine takes the lease. */
  epoch: number;
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

/** The connection with the clock, lease check and retry of its dialect. */
export class FailoverSql {
  readonly db: Knex;
  /** The database's clock in epoch milliseconds, as SQL of its dialect. */
  readonly nowSql: string;
  /** How long a journal write is retried while the database is unreachable. */
  readonly #retryMs: number;

  constructor(db: Knex, retryMs: number) {
    this.db = db;
    this.#retryMs = retryMs;
    const dialect = String(
      (db.client as { dialect?: string }).dialect ?? db.client.config?.client,
    );
    if (/postgres|pg/i.test(dialect)) {
      // clock_timestamp(), not now(): the latter stands still for a whole
      // transaction.
      this.nowSql = '(extract(epoch from clock_timestamp()) * 1000)';
    } else if (/mysql/i.test(dialect)) {
      this.nowSql = '(UNIX_TIMESTAMP(CURRENT_TIMESTAMP(3)) * 1000)';
    } else {
      // SQLite's CURRENT_TIMESTAMP is text with whole seconds; julianday has
      // milliseconds and converts to the epoch milliseconds the columns hold.
      this.nowSql = "((julianday('now') - 2440587.5) * 86400000.0)";
    }
  }

  /** Runs `fn` again while it fails with a transient database error, up to the retry bound. */
  async retry<T>(fn: () => Promise<T>): Promise<T> {
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
  now(ms = 0): Knex.Raw {
    return this.db.raw(`(${this.nowSql} + ?)`, [ms]);
  }

  /** Restricts a query on failover_runs to the run while `lease` still holds. */
  held(q: Knex.QueryBuilder, lease: RunLease): Knex.QueryBuilder {
    return q
      .where('failover_runs.id', lease.runId)
      .andWhere('failover_runs.lease_owner', lease.owner)
      .andWhere('failover_runs.lease_epoch', lease.epoch)
      .andWhere('failover_runs.lease_expires_at', '>', this.now());
  }

  /** The same check as a subquery, for statements on other tables. */
  heldExists(lease: RunLease): Knex.QueryBuilder {
    return this.held(this.db('failover_runs').select(this.db.raw('1')), lease);
  }
}
