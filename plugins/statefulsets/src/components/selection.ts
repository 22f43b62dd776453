/*
 * What the detail drawer shows. A selection is kept by names, not object
 * identity, so it survives a live refresh of the topology: the drawer stays
 * open and shows the fresh values.
 */
import {
  EntityTopology,
  TopologyPod,
  TopologyWorkload,
} from '@multicluster/backstage-plugin-statefulsets-common';

/** A workload, or one of its pods, in one cluster. */
export interface Selection {
  cluster: string;
  workload: string;
  pod?: string;
}

/** The selected objects in the current topology, if they still exist. */
export function resolveSelection(
  topology: EntityTopology,
  selection: Selection,
): { workload: TopologyWorkload; pod?: TopologyPod } | undefined {
  const cluster = topology.clusters.find(c => c.name === selection.cluster);
  const workload = cluster?.workloads.find(w => w.name === selection.workload);
  if (!workload) return undefined;
  if (!selection.pod) return { workload };
  const pod = workload.pods.find(p => p.name === selection.pod);
  return pod ? { workload, pod } : undefined;
}
