/*
 * Which clusters a failover may be aimed at, from the topology: the pure rule
 * behind the Failover button and the dialog's choices.
 */
import {
  EntityTopology,
  FailoverMode,
} from '@multicluster/backstage-plugin-statefulsets-common';

/** Modes that make sense for the entity's strategy. */
export function modesFor(topology: EntityTopology): FailoverMode[] {
  return topology.policy.strategy === 'active-active'
    ? ['drain']
    : ['switchover', 'failover'];
}

/**
 * Candidate clusters: for active-passive every reachable cluster running the
 * workload that is not the active side (the one to promote); for
 * active-active every reachable cluster that still takes traffic (the one to
 * drain).
 */
export function failoverTargets(topology: EntityTopology): string[] {
  const running = topology.clusters.filter(
    c => c.reachable && c.workloads.length > 0,
  );
  if (topology.policy.strategy === 'active-active') {
    return running
      .filter(c => (c.trafficWeight ?? 0) > 0 || c.role === 'active')
      .map(c => c.name);
  }
  return running.filter(c => c.role !== 'active').map(c => c.name);
}
