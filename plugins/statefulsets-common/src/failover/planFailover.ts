/*
 * The failover planner: from an entity's topology, the chosen target and
 * mode, decides whether the run may start (every precondition with its
 * evidence), which steps it takes in which cluster, and how much data it may
 * lose. Pure: the clock, the run lock, the GitOps markers and the words of
 * the provider that would run it come in as inputs, so the backend, the UI
 * and the tests get the same answer.
 */
import { DEFAULT_FENCE_BUDGET_SECONDS } from '../annotations';
import { EntityTopology, TopologyWorkload } from '../types';
import { failoverChecks } from './failoverChecks';
import { failoverModesFor } from './failoverModes';
import { FailoverSides, resolveFailoverSides } from './failoverSides';
import { planSteps } from './planSteps';
import {
  describeBuiltInSteps,
  FailoverStepDescriber,
} from './stepDescriptions';
import { FailoverMode, FailoverPlan, GitOpsMarker } from './types';

/** Inputs of `planFailover`. */
export interface PlanFailoverInput {
  topology: EntityTopology;
  targetCluster: string;
  mode: FailoverMode;
  /** Milliseconds since the epoch. */
  now: number;
  /** The run currently holding the entity's lock, if any. */
  runInProgress?: { id: string } | undefined;
  /** GitOps markers found on the live objects the run would change. */
  gitOps?: GitOpsMarker[];
  /**
   * Why an emergency failover is forced while the source still answers;
   * without one such a failover is refused (a switchover loses no data).
   */
  reason?: string;
  /**
   * How the replication provider that would run the failover fences and
   * promotes, in its own words. Without it the built-in providers' words are
   * used, chosen by the target's workload kind.
   */
  describeSteps?: FailoverStepDescriber;
}

function dataLossOf(
  mode: FailoverMode,
  sides: FailoverSides,
): Pick<FailoverPlan, 'dataLossWindowSeconds' | 'dataLoss'> {
  if (mode === 'failover') {
    const window = sides.link?.lagSeconds ?? null;
    return {
      dataLossWindowSeconds: window,
      dataLoss:
        window === null
          ? 'unknown: the last replication lag is not known; every write not yet replicated is lost'
          : `up to ${window}s of writes (the last known lag) may be lost`,
    };
  }
  return {
    dataLossWindowSeconds: 0,
    dataLoss:
      mode === 'switchover'
        ? 'none: the target is promoted only after it caught up with the fenced source'
        : 'none: no data moves, only traffic',
  };
}

function offeredModesOf(
  topology: EntityTopology,
  sides: FailoverSides,
): FailoverMode[] {
  const modes = failoverModesFor(topology);
  if (!modes.includes('switchover')) return modes;
  // A failover against an answering source needs a reason: not offered.
  const moveWriter: FailoverMode = sides.sourceReachable
    ? 'switchover'
    : 'failover';
  return modes.includes('drain') ? [moveWriter, 'drain'] : [moveWriter];
}

function workloadsOf(sides: FailoverSides): FailoverPlan['workloads'] {
  const workloads: FailoverPlan['workloads'] = {};
  const refOf = (w: TopologyWorkload) => ({
    apiVersion: w.apiVersion,
    kind: w.kind,
    namespace: w.namespace,
    name: w.name,
  });
  if (sides.targetWorkload) {
    workloads[sides.targetCluster] = refOf(sides.targetWorkload);
  }
  if (sides.sourceName && sides.sourceWorkload) {
    // An unreachable source shows no workload; its twin carries the same name.
    workloads[sides.sourceName] = refOf(sides.sourceWorkload);
  }
  return workloads;
}

/** Plans a switchover, emergency failover or drain; never throws for a bad state, it fails checks. */
export function planFailover(input: PlanFailoverInput): FailoverPlan {
  const { topology, targetCluster, mode, now } = input;
  const { policy, traffic } = topology;
  const sides = resolveFailoverSides(topology, targetCluster, mode);
  const { checks, warnings } = failoverChecks({
    topology,
    mode,
    sides,
    runInProgress: input.runInProgress,
    gitOps: input.gitOps ?? [],
    reason: input.reason,
  });
  const describedSteps = (input.describeSteps ?? describeBuiltInSteps)({
    sourceCluster: sides.sourceName,
    targetCluster,
    sourceWorkload: sides.sourceWorkload,
    targetWorkload: sides.targetWorkload,
  });
  const steps = planSteps({
    mode,
    source: sides.sourceName,
    target: targetCluster,
    describedSteps,
    routing: traffic.routing,
    trafficObject: traffic.object,
    weights: traffic.weights,
  });

  return {
    entityRef: topology.entityRef,
    mode,
    engine: policy.engine,
    workloads: workloadsOf(sides),
    route: policy.traffic,
    sourceCluster: sides.sourceName,
    targetCluster,
    generatedAt: new Date(now).toISOString(),
    allowed: checks.every(c => c.status !== 'fail'),
    requiresForce: mode === 'failover',
    offeredModes: offeredModesOf(topology, sides),
    checks,
    steps,
    ...dataLossOf(mode, sides),
    fenceMethod: describedSteps.fenceMethod,
    fenceBudgetSeconds:
      policy.fenceBudgetSeconds ?? DEFAULT_FENCE_BUDGET_SECONDS,
    routing: traffic.routing,
    warnings,
  };
}
