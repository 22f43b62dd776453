/*
 * What KubeFed and Karmada both start from: the primary cluster's workload
 * as the one template every member shares, and each other cluster's
 * differences from it as JSON-pointer patches.
 */
import { ClusterObjects } from '../clusterObjects';
import { primaryCluster } from '../naming';
import { OverrideOp, diffObjects } from '../overrides';
import { KubeObject } from '../types';
import { NormalizedRequest } from '../validateRequest';

/** The federated template, the clusters it goes to, and the patches of those that differ. */
export interface FederatedWorkload {
  base: KubeObject;
  overrides: Array<{ cluster: string; ops: OverrideOp[] }>;
  clusterNames: string[];
}

/** The template and per-cluster patches of the members' workloads. */
export function federatedWorkload(
  r: NormalizedRequest,
  built: ClusterObjects[],
): FederatedWorkload {
  const primary = primaryCluster(r);
  const base = built.find(b => b.placement.name === primary.name)!.workload
    .object;
  const overrides = built
    .map(b => ({
      cluster: b.placement.name,
      ops: diffObjects(base, b.workload.object),
    }))
    .filter(o => o.ops.length > 0);
  const clusterNames = built.map(b => b.placement.name);
  return { base, overrides, clusterNames };
}
