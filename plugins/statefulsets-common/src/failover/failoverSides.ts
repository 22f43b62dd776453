/*
 * Which sides a failover acts on: the cluster giving up the primary role,
 * the target, the workload in each, and the replication link between them.
 * Every part of the plan (checks, steps, workloads) reads the same answer.
 */
import {
  EntityTopology,
  ReplicationLink,
  TopologyCluster,
  TopologyWorkload,
} from '../types';
import { FailoverMode } from './types';

/** The workload a failover acts on in a cluster (the first stateful workload). */
export function failoverWorkloadOf(
  cluster: TopologyCluster | undefined,
): TopologyWorkload | undefined {
  return cluster?.workloads[0];
}

/** The side that currently holds the primary role, other than the target. */
export function findFailoverSource(
  topology: EntityTopology,
  targetCluster: string,
): string | undefined {
  const active = topology.clusters.find(
    c => c.role === 'active' && c.name !== targetCluster,
  );
  if (active) return active.name;
  // An unreachable source reports no role; the target's replication link still names it.
  return topology.replication.find(
    l => l.to === targetCluster && l.from !== targetCluster,
  )?.from;
}

/** The sides of one planned run. */
export interface FailoverSides {
  targetCluster: string;
  target?: TopologyCluster;
  /** The side giving up the primary role (for a drain: the cluster drained). */
  sourceName?: string;
  source?: TopologyCluster;
  /** True when the source answered and its data is fresh. */
  sourceReachable: boolean;
  targetWorkload?: TopologyWorkload;
  /** The source's workload, or the target's twin when the source shows none. */
  sourceWorkload?: TopologyWorkload;
  /** The replication link into the target (from the source, when known). */
  link?: ReplicationLink;
}

/** Finds the sides of a run towards `targetCluster`. */
export function resolveFailoverSides(
  topology: EntityTopology,
  targetCluster: string,
  mode: FailoverMode,
): FailoverSides {
  const target = topology.clusters.find(c => c.name === targetCluster);
  const sourceName =
    mode === 'drain'
      ? targetCluster
      : findFailoverSource(topology, targetCluster);
  const source = topology.clusters.find(c => c.name === sourceName);
  const targetWorkload = failoverWorkloadOf(target);
  return {
    targetCluster,
    target,
    sourceName,
    source,
    sourceReachable: !!source && source.reachable && !source.stale,
    targetWorkload,
    sourceWorkload: failoverWorkloadOf(source) ?? targetWorkload,
    link: topology.replication.find(
      l => l.to === targetCluster && (!sourceName || l.from === sourceName),
    ),
  };
}
