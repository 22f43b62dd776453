/*
 * Reads where federation control planes (KubeFed, Karmada) place a workload,
 * so readiness can compare the intended placement with what actually runs.
 */
import { KubeObject } from './kube';
import { FederationPlacement } from './types';

/** Objects of a federation host cluster that concern the entity. */
export interface FederationObjects {
  federatedStatefulSets: KubeObject[];
  propagationPolicies: KubeObject[];
}

/** Placements declared on each host cluster; a selector without names is skipped. */
export function readFederationPlacement(
  byHost: Record<string, FederationObjects>,
): FederationPlacement[] {
  const placements: FederationPlacement[] = [];
  for (const [hostCluster, objects] of Object.entries(byHost)) {
    for (const fss of objects.federatedStatefulSets) {
      const clusters: string[] = (fss.spec?.placement?.clusters ?? [])
        .map((c: any) => c?.name)
        .filter(Boolean);
      if (clusters.length === 0) continue;
      placements.push({
        kind: 'kubefed',
        hostCluster,
        workload: fss.metadata.name,
        clusters: [...clusters].sort(),
      });
    }
    for (const policy of objects.propagationPolicies) {
      const clusters: string[] =
        policy.spec?.placement?.clusterAffinity?.clusterNames ?? [];
      if (clusters.length === 0) continue;
      for (const selector of policy.spec?.resourceSelectors ?? []) {
        if (selector?.kind !== 'StatefulSet' || !selector?.name) continue;
        placements.push({
          kind: 'karmada',
          hostCluster,
          workload: selector.name,
          clusters: [...clusters].sort(),
        });
      }
    }
  }
  return placements;
}
