/*
 * The vocabulary of failover: modes, the dry-run plan with its checks and
 * ordered steps, and the persisted run with its journal of steps. Shared by
 * the planner, the backend engine, the REST API and the frontend.
 */
import { CheckStatus, TrafficRouting } from '../types';

/** What a run does: planned switchover, emergency failover, or draining one cluster of an active-active set. */
export type FailoverMode = 'switchover' | 'failover' | 'drain';

/** Every mode, for input validation. */
export const FAILOVER_MODES: readonly FailoverMode[] = [
  'switchover',
  'failover',
  'drain',
];

/** The kinds of step a run is made of, in the order they may appear. */
export type FailoverStepKind =
  | 'fence-traffic'
  | 'fence'
  | 'wait-catch-up'
  | 'promote'
  | 'move-traffic'
  | 'fence-old-source'
  | 'reattach'
  | 'drain-traffic'
  | 'verify';

/** A GitOps controller that manages an object and would revert a change made beside it. */
export interface GitOpsMarker {
  cluster: string;
  /** `Kind namespace/name` of the managed object. */
  object: string;
  /** Who puts the object back: a GitOps controller or a federation control plane. */
  tool: 'argocd' | 'flux' | 'kubefed' | 'karmada';
  /** The label or annotation that gave it away. */
  key: string;
}

/** One precondition of a plan with its verdict and evidence. */
export interface FailoverCheck {
  id: string;
  title: string;
  status: CheckStatus;
  evidence: string;
}

/** One step of a plan: what it changes, in which cluster. */
export interface PlannedStep {
  index: number;
  kind: FailoverStepKind;
  title: string;
  /** The cluster whose objects the step changes or reads; `*` for every cluster holding the route. */
  cluster: string;
  /** Plain-language list of the changes. */
  changes: string[];
  /** True for steps undone by a rollback when a later step before promotion fails. */
  beforePromotion: boolean;
}

/** What a promotion now would leave behind, in the engine's own units. */
export interface EngineDataLoss {
  /** How much the target lacks of the source; null when the source cannot be read. */
  amount: number | null;
  /** The engine's unit, e.g. `transactions`, `WAL bytes`, `offsets`. */
  unit: string;
  /** What was compared, in one sentence. */
  detail: string;
  /** The provider that read it. */
  provider: string;
}

/** The dry-run answer: what would happen, whether it may, and what may be lost. */
export interface FailoverPlan {
  entityRef: string;
  mode: FailoverMode;
  /** The entity's engine (`multicluster-statefulsets/engine`), so a resumed run reads lag where the plan did. */
  engine?: string;
  /** The side giving up the primary role (for drain: the cluster drained). */
  sourceCluster?: string;
  targetCluster: string;
  generatedAt: string;
  /** True when no check failed. */
  allowed: boolean;
  /** An emergency failover needs an explicit `force`. */
  requiresForce: boolean;
  /** Modes the current state allows, e.g. only `failover` while the source is unreachable. */
  offeredModes: FailoverMode[];
  checks: FailoverCheck[];
  steps: PlannedStep[];
  /** Seconds of writes that may be lost; 0 for a switchover that waits for catch-up; null when unknown. */
  dataLossWindowSeconds: number | null;
  /** The data-loss window in words. */
  dataLoss: string;
  /** The same window read from the engines when the provider can (GTID sets, LSNs), next to the seconds. */
  dataLossInEngine?: EngineDataLoss;
  /** How the source is fenced, in words (scale to zero, CloudNativePG demotion, …). */
  fenceMethod: string;
  /** How traffic moves: Istio weights, MCS exports, or `none` (clients redirected by hand). */
  routing: TrafficRouting;
  warnings: string[];
  /** The workload acted on per cluster (source and target), so a resumed run needs no topology. */
  workloads: Record<string, WorkloadRef>;
  /** The routing object named by the entity, if any. */
  route?: { namespace: string; name: string };
  /**
   * Longest time, in seconds, the source may be unable to take writes before
   * promotion (`multicluster-statefulsets/fence-budget`, default 15); when it
   * is spent the run rolls back and the source takes writes again. Absent
   * from the plans of runs made before the budget existed.
   */
  fenceBudgetSeconds?: number;
}

/** A namespaced workload object (StatefulSet, CloudNativePG Cluster, …) a failover reads or acts on. */
export interface WorkloadRef {
  apiVersion: string;
  kind: string;
  namespace: string;
  name: string;
}

/** Lifecycle of a run. */
export type FailoverRunStatus =
  | 'pending'
  | 'running'
  | 'succeeded'
  | 'rolled-back'
  /** Rolled back where the clusters answered; the rest is repaired by the backend when they return. */
  | 'rolled-back-with-pending-repair'
  | 'needs-attention'
  | 'failed';

/** Lifecycle of a step; `deferred` waits for an unreachable cluster to come back. */
export type FailoverStepStatus =
  | 'pending'
  | 'running'
  | 'succeeded'
  | 'failed'
  | 'skipped'
  | 'deferred';

/**
 * Whether a step's changes were undone by a rollback: `not-needed` when the
 * step changed nothing, `pending` while a cluster that must be restored does
 * not answer (the backend repairs it when it returns).
 */
export type CompensationStatus =
  | 'none'
  | 'compensated'
  | 'not-needed'
  | 'pending'
  | 'failed';

/**
 * One write of a step, journaled when it was made: which object in which
 * cluster, and what it held before, so a rollback undoes exactly that.
 */
export interface FailoverChange {
  cluster: string;
  /** `Kind namespace/name`. */
  object: string;
  /** The object's API path, to undo the change. */
  path: string;
  /** `exec`: a command run in a pod (not undone by the journal). */
  action: 'patch' | 'create' | 'delete' | 'exec';
  /** An exec's command, as given (it carries no credentials). */
  command?: string[];
  /** The container an exec ran in, when named. */
  container?: string;
  /** An exec's exit status. */
  exitCode?: number;
  /** How long an exec took, in milliseconds. */
  durationMs?: number;
  /** The tail of an exec's stdout and stderr. */
  output?: string;
  /**
   * `applied` once the API server accepted it; `unknown` when the answer was
   * lost (a timeout: it may have been applied); `refused` when it was not.
   */
  state: 'attempted' | 'applied' | 'unknown' | 'refused';
  at: string;
  /** The fields the write changed, as they were before it (null: absent). */
  previous?: unknown;
  /** What the rollback did with it. */
  undo?: 'undone' | 'pending' | 'not-needed' | 'failed';
  undoneAt?: string;
  undoError?: string;
}

/** A persisted run. */
export interface FailoverRun {
  id: string;
  entityRef: string;
  mode: FailoverMode;
  sourceCluster?: string;
  targetCluster: string;
  status: FailoverRunStatus;
  actor: string;
  createdAt: string;
  startedAt?: string;
  finishedAt?: string;
  /** Recovery point: lag in seconds at fence time (switchover) or the last known lag (failover). */
  rpoSeconds?: number | null;
  /** Recovery time: from the start of the fence (or promotion) until traffic moved, in milliseconds. */
  rtoMs?: number | null;
  error?: string;
  /** What a human must do, when the run needs attention. */
  attention?: string;
  /** Why an emergency failover was forced against a source that still answered. */
  reason?: string;
  plan: FailoverPlan;
}

/** A persisted step of a run. */
export interface FailoverRunStep {
  runId: string;
  index: number;
  kind: FailoverStepKind;
  title: string;
  cluster: string;
  status: FailoverStepStatus;
  startedAt?: string;
  finishedAt?: string;
  inputs?: Record<string, unknown>;
  outcome?: Record<string, unknown>;
  error?: string;
  compensation: CompensationStatus;
  compensationError?: string;
  /** The writes the step made, in order. */
  changes?: FailoverChange[];
}

/** A run with its journal. */
export interface FailoverRunDetails extends FailoverRun {
  steps: FailoverRunStep[];
}
