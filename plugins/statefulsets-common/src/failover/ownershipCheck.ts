/*
 * The ownership precondition of a failover: every workload and routing
 * object the run would change must be stamped for the entity the run is
 * authorised on. Without it, anyone could register an entity of their own
 * selecting another team's StatefulSets and fail them over under a
 * permission checked on the decoy. No `force` lifts it.
 */
import {
  annotateCommand,
  describeOwnedObject,
  workloadObjectsOf,
} from '../ownership';
import { EntityTopology, OwnedObjectRef, TopologyCluster } from '../types';
import { FailoverCheck, FailoverMode } from './types';

/** Inputs of {@link ownershipCheck}. */
export interface OwnershipCheckInput {
  topology: EntityTopology;
  mode: FailoverMode;
  /** The clusters whose workload the run changes (source and target); ignored for a drain. */
  clusters: Array<TopologyCluster | undefined>;
}

/** The objects a run would change, as far as the topology shows them. */
export function objectsTouchedByRun(input: OwnershipCheckInput): {
  objects: OwnedObjectRef[];
  routeUnread: boolean;
} {
  const { topology, mode } = input;
  const objects: OwnedObjectRef[] = [];
  if (mode !== 'drain') {
    const seen = new Set<string>();
    for (const cluster of input.clusters) {
      if (!cluster || seen.has(cluster.name)) continue;
      seen.add(cluster.name);
      // The planner acts on a cluster's first workload; so must this check.
      objects.push(
        ...workloadObjectsOf([
          { ...cluster, workloads: cluster.workloads.slice(0, 1) },
        ]),
      );
    }
  }
  const traffic = topology.traffic;
  const routeUnread = traffic.routing !== 'none' && !traffic.objects;
  objects.push(...(traffic.objects ?? []));
  return { objects, routeUnread };
}

/** The `ownership` precondition: passes only when every touched object is stamped for the entity. */
export function ownershipCheck(input: OwnershipCheckInput): FailoverCheck {
  const entityRef = input.topology.entityRef;
  const { objects, routeUnread } = objectsTouchedByRun(input);
  const conflicts = objects.filter(o => o.ownership.status === 'conflict');
  const unstamped = objects.filter(o => o.ownership.status === 'unstamped');
  const problems: string[] = [];
  const owners = [...new Set(conflicts.map(o => o.ownership.owner!))].sort();
  for (const owner of owners) {
    const theirs = conflicts
      .filter(o => o.ownership.owner === owner)
      .map(describeOwnedObject);
    problems.push(
      `objects stamped for ${owner}: ${theirs.join(
        ', ',
      )} — this entity cannot act on them`,
    );
  }
  if (unstamped.length) {
    problems.push(
      `objects without an owner stamp: ${unstamped
        .map(describeOwnedObject)
        .join(
          ', ',
        )}; if they belong to ${entityRef}, their owner stamps them: ${unstamped
        .map(o => annotateCommand(o, entityRef))
        .join('; ')}`,
    );
  }
  if (routeUnread) {
    problems.push(
      'the stamps of the traffic route were not read; reload the topology and plan again',
    );
  }
  const title = 'Every object the run changes is stamped for this entity';
  if (problems.length) {
    return {
      id: 'ownership',
      title,
      status: 'fail',
      evidence: problems.join('. '),
    };
  }
  return {
    id: 'ownership',
    title,
    status: 'pass',
    evidence:
      objects.length === 0
        ? 'no object to change is visible (an unreachable side is checked when it answers)'
        : `${objects.length} object(s) stamped for ${entityRef}`,
  };
}
