// Where a Karmada PropagationPolicy places a template: which member clusters,
// and how many replicas each gets under Divided scheduling.
import { type ClusterAffinity, matchesAffinity } from './clusterSelection';
import type { ClusterApi, KubeObject } from '../types';

/** Splits replicas across members for Divided scheduling (static weights or even). */
export function divideReplicas(
  total: number,
  members: ClusterApi[],
  policy: KubeObject,
): Map<string, number> {
  const weights = members.map(m => {
    const list = policy.spec?.placement?.replicaScheduling?.weightPreference
      ?.staticWeightList as
      | Array<{ targetCluster: ClusterAffinity; weight: number }>
      | undefined;
    if (!list?.length) {
      return 1;
    }
    return list
      .filter(w => matchesAffinity(m, w.targetCluster))
      .reduce((sum, w) => sum + (Number(w.weight) || 0), 0);
  });
  const sum = weights.reduce((a, b) => a + b, 0) || 1;
  const result = new Map<string, number>();
  let given = 0;
  members.forEach((m, i) => {
    const n = Math.floor((total * weights[i]) / sum);
    result.set(m.name, n);
    given += n;
  });
  // Hand out the remainder to the heaviest members first, deterministically.
  const order = members
    .map((m, i) => ({ m, w: weights[i] }))
    .sort((a, b) => b.w - a.w || a.m.name.localeCompare(b.m.name));
  for (let i = 0; given < total && order.length > 0; i++, given++) {
    const name = order[i % order.length].m.name;
    result.set(name, (result.get(name) ?? 0) + 1);
  }
  return result;
}

/** Member clusters a placement selects (empty affinity: every cluster). */
export function placedMembers(
  placement: any,
  clusters: ClusterApi[],
): ClusterApi[] {
  if (placement?.clusterAffinity) {
    return clusters.filter(c => matchesAffinity(c, placement.clusterAffinity));
  }
  for (const group of placement?.clusterAffinities ?? []) {
    const hit = clusters.filter(c => matchesAffinity(c, group));
    if (hit.length > 0) {
      return hit;
    }
  }
  return placement?.clusterAffinities?.length ? [] : clusters;
}
