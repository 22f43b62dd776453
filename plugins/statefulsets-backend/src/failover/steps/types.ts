/*
 * One handler per kind of failover step: what it does, how a rollback undoes
 * it, what a deferred step does once the old primary answers, and what a
 * human must do when it fails after promotion.
 */
import { FailoverRunStep } from '@multicluster/backstage-plugin-statefulsets-common';
import { DatabaseFailoverStore } from '../DatabaseFailoverStore';
import { RunContext, StepResult } from '../runContext';

/** Journals a step's inputs before it writes; returns them as stored. */
export type RecordInputs = (
  inputs: Record<string, unknown>,
) => Promise<Record<string, unknown>>;

/** What the engine lends its step handlers. */
export interface StepServices {
  now(): number;
  store: DatabaseFailoverStore;
  catchUpTimeoutMs: number;
  verifyTimeoutMs: number;
  healthProbeTimeoutMs: number;
}

/** Names a failed step's message speaks of. */
export interface AttentionNames {
  /** The old primary's cluster, or "the old primary". */
  src: string;
  tgt: string;
  /** `namespace/name` of the route, or "the route". */
  route: string;
}

/** A kind of step. */
export interface StepHandler {
  /** Does the step's work. */
  perform(
    ctx: RunContext,
    step: FailoverRunStep,
    record: RecordInputs,
    services: StepServices,
  ): Promise<StepResult>;
  /**
   * Undoes the step as a whole in a rollback, for steps journaled before
   * their writes were recorded one by one; absent when it changes nothing.
   */
  compensate?(ctx: RunContext, step: FailoverRunStep): Promise<void>;
  /** Finishes a deferred step once the old primary answers again. */
  finishDeferred?(
    ctx: RunContext,
    step: FailoverRunStep,
    services: StepServices,
  ): Promise<StepResult>;
  /** What a finished deferred step did, for the run's journal. */
  deferredDone?(target: string): string;
  /** What a human must do when the step failed after promotion. */
  attention?(names: AttentionNames, step: FailoverRunStep): string;
}
