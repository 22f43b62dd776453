/*
 * Every operator and chart convention the topology reads, and the helpers
 * that apply them all: relatedness, roles, extra workloads and links.
 */
import { WorkloadRoleSignal } from '../chartConventions';
import { ClusterObjects, KubeObject } from '../kube';
import { ReplicationReadOptions } from '../replication';
import { PodRole, ReplicationLink, TopologyWorkload } from '../types';
import { chartReplicationConvention } from './chartReplication';
import { eckConvention } from './eck';
import { innodbClusterConvention } from './innodbCluster';
import { mongodbCommunityConvention } from './mongodbCommunity';
import {
  perconaServerMongodbConvention,
  perconaXtraDbClusterConvention,
} from './percona';
import { strimziConvention } from './strimzi';
import { OperatorConvention, WorkloadParts } from './types';
import { zalandoConvention } from './zalando';

export type { OperatorConvention, WorkloadParts } from './types';

/** The conventions in the order they are asked; the first that answers wins. */
export const OPERATOR_CONVENTIONS: readonly OperatorConvention[] = [
  strimziConvention,
  eckConvention,
  perconaXtraDbClusterConvention,
  perconaServerMongodbConvention,
  zalandoConvention,
  mongodbCommunityConvention,
  innodbClusterConvention,
  chartReplicationConvention,
];

/**
 * Drops, in place, the operator resources of a namespace that run none of
 * the entity's pods or StatefulSets: they are read namespace-wide because
 * their labels are whoever wrote them, not the entity's.
 */
export function keepRelatedOperatorObjects(objects: ClusterObjects): void {
  for (const convention of OPERATOR_CONVENTIONS) {
    const resources = new Set(convention.resources(objects));
    if (!resources.size) continue;
    for (const key of Object.keys(objects) as Array<keyof ClusterObjects>) {
      const list = objects[key];
      if (!list.some(o => resources.has(o))) continue;
      objects[key] = list.filter(
        o => !resources.has(o) || convention.isRelated(o, objects),
      );
    }
  }
}

/** The role an operator gives a StatefulSet it runs, if any says. */
export function operatorRoleOf(
  statefulSet: KubeObject,
  objects: ClusterObjects,
): WorkloadRoleSignal | undefined {
  for (const convention of OPERATOR_CONVENTIONS) {
    const signal = convention.roleOf?.(statefulSet, objects);
    if (signal) return signal;
  }
  return undefined;
}

/** The role an operator's label gives a pod, if any says. */
export function operatorPodRoleOf(pod: KubeObject): PodRole | undefined {
  for (const convention of OPERATOR_CONVENTIONS) {
    const role = convention.podRoleOf?.(pod);
    if (role) return role;
  }
  return undefined;
}

/** The workloads operators run without StatefulSets, in one cluster. */
export function operatorWorkloads(
  objects: ClusterObjects,
  parts: WorkloadParts,
): TopologyWorkload[] {
  return OPERATOR_CONVENTIONS.flatMap(c => c.workloads?.(objects, parts) ?? []);
}

/** The objects drift compares for operator-run workloads, in one cluster. */
export function operatorDriftObjects(objects: ClusterObjects): KubeObject[] {
  return OPERATOR_CONVENTIONS.flatMap(c => c.driftObjects?.(objects) ?? []);
}

/** Replication links every convention finds across the clusters. */
export function operatorLinks(
  objectsByCluster: Record<string, ClusterObjects>,
  options: ReplicationReadOptions,
): ReplicationLink[] {
  return OPERATOR_CONVENTIONS.flatMap(
    c => c.links?.(objectsByCluster, options) ?? [],
  );
}

/** Whether any convention has something to say about these clusters. */
export function hasOperatorSignals(
  objectsByCluster: Record<string, ClusterObjects>,
): boolean {
  return Object.values(objectsByCluster).some(objects =>
    OPERATOR_CONVENTIONS.some(
      c =>
        c.resources(objects).length > 0 ||
        objects.statefulSets.some(s => c.roleOf?.(s, objects)),
    ),
  );
}
