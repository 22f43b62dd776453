/*
 * How a failover's engine-specific steps read in a plan. The planner knows
 * the order of the steps; only the replication provider knows how it fences
 * a source and promotes a target, so it says so in these words. The built-in
 * providers' words live here, pure, so the backend's providers and the
 * planner's default for callers that pass no provider words share them.
 */
import { TopologyWorkload } from '../types';

/** The two sides whose fence and promotion a provider describes. */
export interface FailoverStepSides {
  /** The cluster giving up the primary role; absent when none was found. */
  sourceCluster?: string;
  targetCluster: string;
  /** The workload fenced in the source cluster (its twin in the target when the source shows none). */
  sourceWorkload?: TopologyWorkload;
  /** The workload promoted in the target cluster. */
  targetWorkload?: TopologyWorkload;
}

/** A provider's fence and promotion in words: each list holds the plain-language changes of one step. */
export interface FailoverStepDescriptions {
  /** How the source is fenced, in one sentence (the plan's `fenceMethod`). */
  fenceMethod: string;
  /** The changes of a switchover's fence of the source. */
  fence: string[];
  /** The changes of a switchover's promotion, once the target caught up with the fenced source. */
  promote: string[];
  /** The changes of an emergency failover's fence of the old source (applied now or when it answers again). */
  fenceOldSource: string[];
  /** The changes of an emergency promotion, without the old primary. */
  promoteWithoutSource: string[];
  /**
   * The changes that make the fenced source a replica of the new primary
   * after a switchover; absent when the provider does not do that, and the
   * plan then has no `reattach` step.
   */
  reattach?: string[];
}

/** Describes a provider's steps for given sides. */
export type FailoverStepDescriber = (
  sides: FailoverStepSides,
) => FailoverStepDescriptions;

/** `Kind namespace/name` of a workload, for plan texts. */
export function describeWorkload(w: TopologyWorkload | undefined): string {
  return w ? `${w.kind} ${w.namespace}/${w.name}` : 'the workload';
}

function sourceOf(sides: FailoverStepSides): string {
  return sides.sourceCluster ?? '?';
}

/** CloudNativePG replica clusters: demotion and promotion tokens, `cnpg.io/fencedInstances` in an emergency. */
export function describeCloudNativePgSteps(
  sides: FailoverStepSides,
): FailoverStepDescriptions {
  const target = sides.targetCluster;
  const srcW = describeWorkload(sides.sourceWorkload);
  const tgtW = describeWorkload(sides.targetWorkload);
  return {
    fenceMethod: `CloudNativePG demotion: spec.replica.primary on ${srcW} in ${sourceOf(
      sides,
    )} is set to ${target}; it demotes and publishes status.demotionToken`,
    fence: [
      `${srcW}: spec.replica.primary = ${target} (demotion)`,
      'wait for status.demotionToken',
    ],
    promote: [
      `${tgtW}: spec.replica.primary = ${target}`,
      `${tgtW}: spec.replica.promotionToken = the demotion token`,
    ],
    fenceOldSource: [
      `${srcW}: annotation cnpg.io/fencedInstances = ["*"] and spec.replica.primary = ${target}`,
    ],
    promoteWithoutSource: [
      `${tgtW}: spec.replica.primary = ${target}, spec.replica.enabled = false (no demotion token)`,
    ],
  };
}

/** The generic last resort: role annotations, and fencing by scaling the source to zero. */
export function describeGenericSteps(
  sides: FailoverStepSides,
): FailoverStepDescriptions {
  const srcW = describeWorkload(sides.sourceWorkload);
  const tgtW = describeWorkload(sides.targetWorkload);
  const replicas = sides.sourceWorkload?.replicas.desired ?? '?';
  const promote = [
    `${tgtW}: annotation role = active`,
    `${tgtW}: annotation replication-source removed`,
  ];
  return {
    fenceMethod: `generic: ${srcW} in ${sourceOf(
      sides,
    )} is annotated fenced and scaled to zero replicas (was ${replicas})`,
    fence: [
      `${srcW}: annotation role = fenced`,
      `${srcW}: replicas ${replicas} → 0`,
    ],
    promote,
    fenceOldSource: [`${srcW}: annotation role = fenced, replicas → 0`],
    promoteWithoutSource: promote,
    reattach: [
      `${srcW}: annotation role = passive, replication-source = ${sides.targetCluster}`,
      `${srcW}: replicas back to ${replicas}`,
    ],
  };
}

/**
 * The built-in providers' words chosen by the target's workload kind, for
 * callers that do not pass the words of the provider that runs the failover.
 */
export function describeBuiltInSteps(
  sides: FailoverStepSides,
): FailoverStepDescriptions {
  return sides.targetWorkload?.kind === 'Cluster'
    ? describeCloudNativePgSteps(sides)
    : describeGenericSteps(sides);
}
