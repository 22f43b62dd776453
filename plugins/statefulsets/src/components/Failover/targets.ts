/*
 * Which clusters a failover may be aimed at, from the topology: the pure rule
 * behind the Failover button and the dialog's choices.
 */
import {
  EntityTopology,
  FailoverMode,
  failoverModesFor,
} from '@multicluster/backstage-plugin-statefulsets-common';

/** Modes that make sense for the entity's strategy and its engine's roles. */
export function modesFor(topology: EntityTopology): FailoverMode[] {
  return failoverModesFor(topology);
}

/**
 * Candidate clusters: for a switchover or failover every reachable cluster
 * running the workload that is not the active side (the one to promote);
 * for a drain every reachable cluster that still takes traffic (the one to
 * drain). Without a mode: the candidates of every mode the entity has.
 */
export function failoverTargets(
  topology: EntityTopology,
  mode?: FailoverMode,
): string[] {
  const running = topology.clusters.filter(
    c => c.reachable && c.workloads.length > 0,
  );
  const modes = mode ? [mode] : modesFor(topology);
  return running
    .filter(c =>
      modes.some(m =>
        m === 'drain'
          ? (c.trafficWeight ?? 0) > 0 || c.role === 'active'
          : c.role !== 'active',
      ),
    )
    .map(c => c.name);
}
