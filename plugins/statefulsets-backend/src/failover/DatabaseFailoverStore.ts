/*
 * The failover journal in the plugin's database: runs, their steps, the
 * per-entity lock (a primary key on the entity ref, so exactly one of two
 * concurrent starts wins on every engine) and the execution lease that tells
 * a live engine's run from one a dead backend left behind.
 */
import {
  DatabaseService,
  resolvePackagePath,
} from '@backstage/backend-plugin-api';
import { ConflictError, NotFoundError } from '@backstage/errors';
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

const migrationsDir = resolvePackagePath(
  '@multicluster/backstage-plugin-statefulsets-backend',
  'migrations',
);

/** Statuses of a run that still holds the entity's lock. */
export const ACTIVE_RUN_STATUSES: FailoverRunStatus[] = ['pending', 'running'];

interface RunRow {
  id: string;
  entity_ref: string;
  mode: string;
  source_cluster: string | null;
  target_cluster: string;
  status: string;
  actor: string;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
  rpo_seconds: number | string | null;
  rto_ms: number | string | null;
  error: string | null;
  attention: string | null;
  plan: string;
  lease_owner: string | null;
  lease_expires_at: number | string | null;
}

interface StepRow {
  run_id: string;
  step_index: number;
  kind: string;
  title: string;
  cluster: string;
  status: string;
  started_at: string | null;
  finished_at: string | null;
  inputs: string | null;
  outcome: string | null;
  error: string | null;
  compensation: string;
  compensation_error: string | null;
}

/** Fields of a run the engine updates as it goes. */
export type RunUpdate = Partial<
  Pick<
    FailoverRun,
    | 'status'
    | 'startedAt'
    | 'finishedAt'
    | 'rpoSeconds'
    | 'rtoMs'
    | 'error'
    | 'attention'
  >
>;

/** Fields of a step the engine updates as it goes. */
export type StepUpdate = Partial<
  Pick<
    FailoverRunStep,
    | 'status'
    | 'startedAt'
    | 'finishedAt'
    | 'inputs'
    | 'outcome'
    | 'error'
    | 'compensation'
    | 'compensationError'
  >
>;

/** Inputs of a new run. */
export interface NewRun {
  entityRef: string;
  mode: FailoverMode;
  sourceCluster?: string;
  targetCluster: string;
  actor: string;
  plan: FailoverPlan;
  createdAt: string;
  /** Leases the new run to its creator at once, so no resuming engine takes it before it starts. */
  lease?: { owner: string; ms: number; now: number };
}

function num(v: number | string | null): number | null {
  if (v === null || v === undefined) return null;
  const n = Number(v);
  return Number.isFinite(n) ? n : null;
}

function json(v: string | null): any {
  if (!v) return undefined;
  try {
    return JSON.parse(v);
  } catch {
    return undefined;
  }
}

function toRun(row: RunRow): FailoverRun {
  return {
    id: row.id,
    entityRef: row.entity_ref,
    mode: row.mode as FailoverMode,
    sourceCluster: row.source_cluster ?? undefined,
    targetCluster: row.target_cluster,
    status: row.status as FailoverRunStatus,
    actor: row.actor,
    createdAt: row.created_at,
    startedAt: row.started_at ?? undefined,
    finishedAt: row.finished_at ?? undefined,
    rpoSeconds: num(row.rpo_seconds),
    rtoMs: num(row.rto_ms),
    error: row.error ?? undefined,
    attention: row.attention ?? undefined,
    plan: json(row.plan),
  };
}

function toStep(row: StepRow): FailoverRunStep {
  return {
    runId: row.run_id,
    index: Number(row.step_index),
    kind: row.kind as FailoverRunStep['kind'],
    title: row.title,
    cluster: row.cluster,
    status: row.status as FailoverRunStep['status'],
    startedAt: row.started_at ?? undefined,
    finishedAt: row.finished_at ?? undefined,
    inputs: json(row.inputs),
    outcome: json(row.outcome),
    error: row.error ?? undefined,
    compensation: row.compensation as FailoverRunStep['compensation'],
    compensationError: row.compensation_error ?? undefined,
  };
}

function isUniqueViolation(err: unknown): boolean {
  const e = err as { code?: string; message?: string };
  return (
    e?.code === '23505' ||
    e?.code === 'ER_DUP_ENTRY' ||
    (typeof e?.code === 'string' && e.code.startsWith('SQLITE_CONSTRAINT')) ||
    /UNIQUE constraint failed|duplicate key/i.test(e?.message ?? '')
  );
}

function runColumns(update: RunUpdate): Partial<RunRow> {
  const out: Partial<RunRow> = {};
  if (update.status !== undefined) out.status = update.status;
  if (update.startedAt !== undefined) out.started_at = update.startedAt;
  if (update.finishedAt !== undefined) out.finished_at = update.finishedAt;
  if (update.rpoSeconds !== undefined) out.rpo_seconds = update.rpoSeconds;
  if (update.rtoMs !== undefined) out.rto_ms = update.rtoMs;
  if (update.error !== undefined) out.error = update.error;
  if (update.attention !== undefined) out.attention = update.attention;
  return out;
}

/** Persists failover runs and steps; the only place that speaks SQL for failover. */
export class DatabaseFailoverStore {
  readonly #db: Knex;

  private constructor(db: Knex) {
    this.#db = db;
  }

  /** Connects, runs the migrations (unless the database service says to skip them) and returns the store. */
  static async create(options: {
    database: DatabaseService | Knex;
  }): Promise<DatabaseFailoverStore> {
    const { database } = options;
    const isService = (database as DatabaseService).getClient !== undefined;
    const client = isService
      ? await (database as DatabaseService).getClient()
      : (database as Knex);
    if (!isService || !(database as DatabaseService).migrations?.skip) {
      await client.migrate.latest({ directory: migrationsDir });
    }
    return new DatabaseFailoverStore(client);
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
          lease_owner: input.lease?.owner ?? null,
          lease_expires_at: input.lease
            ? input.lease.now + input.lease.ms
            : null,
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
   * ours; returns false when a live engine holds it.
   */
  async claim(
    id: string,
    owner: string,
    leaseMs: number,
    now: number,
  ): Promise<boolean> {
    const updated = await this.#db('failover_runs')
      .where({ id })
      .whereIn('status', ACTIVE_RUN_STATUSES)
      .andWhere(q =>
        q
          .whereNull('lease_owner')
          .orWhere('lease_owner', owner)
          .orWhere('lease_expires_at', '<', now),
      )
      .update({ lease_owner: owner, lease_expires_at: now + leaseMs });
    return updated === 1;
  }

  /** Extends a lease we hold; false when it was lost. */
  async renew(
    id: string,
    owner: string,
    leaseMs: number,
    now: number,
  ): Promise<boolean> {
    const updated = await this.#db('failover_runs')
      .where({ id, lease_owner: owner })
      .update({ lease_expires_at: now + leaseMs });
    return updated === 1;
  }

  /** Gives a lease up so another engine may resume the run at once. */
  async release(id: string, owner: string): Promise<void> {
    await this.#db('failover_runs')
      .where({ id, lease_owner: owner })
      .update({ lease_owner: null, lease_expires_at: null });
  }

  /** Ids of unfinished runs whose lease is free or expired, oldest first. */
  async listResumable(now: number): Promise<string[]> {
    const rows = await this.#db('failover_runs')
      .whereIn('status', ACTIVE_RUN_STATUSES)
      .andWhere(q =>
        q.whereNull('lease_owner').orWhere('lease_expires_at', '<', now),
      )
      .orderBy('created_at', 'asc')
      .select('id');
    return rows.map(r => r.id);
  }

  /** When the earliest live lease of an unfinished run not held by `owner` runs out, if any. */
  async nextLeaseExpiry(
    now: number,
    owner: string,
  ): Promise<number | undefined> {
    const row = await this.#db('failover_runs')
      .whereIn('status', ACTIVE_RUN_STATUSES)
      .andWhere('lease_expires_at', '>=', now)
      .andWhereNot('lease_owner', owner)
      .min({ at: 'lease_expires_at' })
      .first();
    return num(row?.at ?? null) ?? undefined;
  }

  /** Runs that have a step waiting for an unreachable cluster. */
  async listDeferred(): Promise<Array<{ runId: string; index: number }>> {
    const rows = await this.#db('failover_steps')
      .where({ status: 'deferred' })
      .select('run_id', 'step_index');
    return rows.map(r => ({ runId: r.run_id, index: Number(r.step_index) }));
  }

  /** Updates a run's fields. */
  async updateRun(id: string, update: RunUpdate): Promise<void> {
    const columns = runColumns(update);
    if (Object.keys(columns).length === 0) return;
    await this.#db('failover_runs').where({ id }).update(columns);
  }

  /** Puts a run in a final status and frees the entity's lock, atomically. */
  async finishRun(id: string, update: RunUpdate): Promise<void> {
    await this.#db.transaction(async tx => {
      await tx('failover_runs')
        .where({ id })
        .update({
          ...runColumns(update),
          lease_owner: null,
          lease_expires_at: null,
        });
      await tx('failover_locks').where({ run_id: id }).delete();
    });
  }

  /** Updates one step's fields. */
  async updateStep(
    runId: string,
    index: number,
    update: StepUpdate,
  ): Promise<void> {
    const columns: Partial<StepRow> = {};
    if (update.status !== undefined) columns.status = update.status;
    if (update.startedAt !== undefined) columns.started_at = update.startedAt;
    if (update.finishedAt !== undefined)
      columns.finished_at = update.finishedAt;
    if (update.inputs !== undefined)
      columns.inputs = JSON.stringify(update.inputs);
    if (update.outcome !== undefined)
      columns.outcome = JSON.stringify(update.outcome);
    if (update.error !== undefined) columns.error = update.error;
    if (update.compensation !== undefined)
      columns.compensation = update.compensation;
    if (update.compensationError !== undefined)
      columns.compensation_error = update.compensationError;
    if (Object.keys(columns).length === 0) return;
    await this.#db('failover_steps')
      .where({ run_id: runId, step_index: index })
      .update(columns);
  }
}
