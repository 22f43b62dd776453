/*
 * What every step of a failover run works with: the run, its lease, both
 * sides, the provider and router, and the call context whose signal ends
 * the step's waits; plus the small helpers the engine's modules share.
 */
import {
  FailoverRunDetails,
  FailoverRunStep,
} from '@multicluster/backstage-plugin-statefulsets-common';
import {
  FailoverCallContext,
  FailoverReplicationProvider,
  FailoverSide,
  FailoverTrafficRouter,
  TrafficRouteContext,
} from '@multicluster/backstage-plugin-statefulsets-node';
import { LeaseLostError, RunLease } from './DatabaseFailoverStore';

/** A run being executed. */
export interface RunContext {
  /** The step whose writes are journaled now (none during a rollback). */
  journal: { step?: FailoverRunStep };
  run: FailoverRunDetails;
  lease: RunLease;
  source?: FailoverSide;
  target: FailoverSide;
  provider?: FailoverReplicationProvider;
  router: FailoverTrafficRouter;
  route: TrafficRouteContext;
  call: FailoverCallContext;
}

/** Whether step `index` of the run comes before its promotion: a failure there rolls back. */
export function beforePromotion(
  run: FailoverRunDetails,
  index: number,
): boolean {
  return !!run.plan.steps.find(s => s.index === index)?.beforePromotion;
}

/** What a step's perform returns. */
export interface StepResult {
  status?: 'succeeded' | 'skipped' | 'deferred';
  outcome?: Record<string, unknown>;
}

/** Why a step's wait was ended early (budget spent, a cluster unhealthy): the step fails. */
export class WaitEnded extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'WaitEnded';
  }
}

/** An epoch-ms time as ISO 8601. */
export function iso(ms: number): string {
  return new Date(ms).toISOString();
}

/** The message of anything thrown. */
export function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** The engine is stopping: a step's work ends without a verdict. */
export class StepAborted extends Error {
  constructor() {
    super('the engine is stopping');
    this.name = 'StepAborted';
  }
}

/** Why a run's work stops: the lease was lost, or the engine is stopping. */
export function stopReason(signal: AbortSignal | undefined): Error {
  return signal?.reason instanceof LeaseLostError
    ? signal.reason
    : new StepAborted();
}
