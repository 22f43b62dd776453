/*
 * How failover runs and steps are stored: the row shapes of
 * `failover_runs` and `failover_steps`, their mapping to the API's types,
 * and which database errors are worth a retry.
 */
import {
  FailoverMode,
  FailoverRun,
  FailoverRunStatus,
  FailoverRunStep,
} from '@multicluster/backstage-plugin-statefulsets-common';

export interface RunRow {
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
  lease_epoch: number | string;
  reason: string | null;
}

export interface StepRow {
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
  changes: string | null;
  claim_owner: string | null;
  claim_expires_at: number | string | null;
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
    | 'changes'
  >
>;

export function num(v: number | string | null): number | null {
  if (v === null || v === undefined) return null;
  const n = Number(v);
  return Number.isFinite(n) ? n : null;
}

export function json(v: string | null): any {
  if (!v) return undefined;
  try {
    return JSON.parse(v);
  } catch {
    return undefined;
  }
}

export function toRun(row: RunRow): FailoverRun {
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
    ...(row.reason ? { reason: row.reason } : {}),
    plan: planOf(json(row.plan)),
  };
}

/** Earlier releases stored the plan's routing as `trafficMethod`, named after the routing object. */
const ROUTING_OF_TRAFFIC_METHOD: Record<string, string> = {
  virtualservice: 'istio',
  serviceexport: 'mcs',
  none: 'none',
};

/** A stored plan in today's shape, whichever release stored it. */
function planOf(plan: any): FailoverRun['plan'] {
  if (!plan || plan.routing || !plan.trafficMethod) return plan;
  const { trafficMethod, ...rest } = plan;
  return { ...rest, routing: ROUTING_OF_TRAFFIC_METHOD[trafficMethod] };
}

export function toStep(row: StepRow): FailoverRunStep {
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
    ...(row.changes ? { changes: json(row.changes) } : {}),
  };
}

const TRANSIENT_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  // PostgreSQL: admin shutdown, cannot connect now, connection failures.
  '57P01',
  '57P03',
  '08000',
  '08003',
  '08006',
  'SQLITE_BUSY',
]);

/** Whether a database error is the kind that passes: the database was briefly unreachable or busy. */
export function isTransientDatabaseError(err: unknown): boolean {
  const e = err as { code?: string; message?: string; name?: string };
  if (e?.name === 'KnexTimeoutError') return true;
  if (e?.code && TRANSIENT_CODES.has(e.code)) return true;
  return /Timeout acquiring a connection|Connection terminated|connect ECONNREFUSED|server closed the connection/i.test(
    e?.message ?? '',
  );
}

export function isUniqueViolation(err: unknown): boolean {
  const e = err as { code?: string; message?: string };
  return (
    e?.code === '23505' ||
    e?.code === 'ER_DUP_ENTRY' ||
    (typeof e?.code === 'string' && e.code.startsWith('SQLITE_CONSTRAINT')) ||
    /UNIQUE constraint failed|duplicate key/i.test(e?.message ?? '')
  );
}

export function runColumns(update: RunUpdate): Partial<RunRow> {
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

export function stepColumns(update: StepUpdate): Partial<StepRow> {
  const columns: Partial<StepRow> = {};
  if (update.status !== undefined) columns.status = update.status;
  if (update.startedAt !== undefined) columns.started_at = update.startedAt;
  if (update.finishedAt !== undefined) columns.finished_at = update.finishedAt;
  if (update.inputs !== undefined)
    columns.inputs = JSON.stringify(update.inputs);
  if (update.outcome !== undefined)
    columns.outcome = JSON.stringify(update.outcome);
  if (update.error !== undefined) columns.error = update.error;
  if (update.compensation !== undefined)
    columns.compensation = update.compensation;
  if (update.compensationError !== undefined)
    columns.compensation_error = update.compensationError;
  if (update.changes !== undefined)
    columns.changes = JSON.stringify(update.changes);
  return columns;
}
