/*
 * The objects of one kind per cluster, as the common package's readers
 * take them, from the clusters the topology could read.
 */
import { KubeObject } from '@multicluster/backstage-plugin-statefulsets-common';
import { ClusterView } from '../types';

/** `pick`'s objects keyed by cluster name; unreadable clusters are left out. */
export function byCluster(
  clusters: ClusterView[],
  pick: (v: ClusterView) => KubeObject[] | undefined,
): Record<string, KubeObject[]> {
  const out: Record<string, KubeObject[]> = {};
  for (const view of clusters) {
    const objects = pick(view);
    if (objects) out[view.cluster.name] = objects;
  }
  return out;
}
