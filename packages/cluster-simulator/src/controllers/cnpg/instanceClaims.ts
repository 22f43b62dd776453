// The data claim of a CloudNativePG instance (`<cluster>-<n>`, role
// PG_DATA), provisioned dynamically: a volume bound to it at once, pinned to
// the instance's zone.
import { provisionClaim } from '../dynamicProvisioning';
import type { ClusterApi } from '../types';

/** Where an instance runs: its zone and node, when the cluster has them. */
export interface Placement {
  zone?: string;
  node?: string;
}

/** Creates the instance's claim and its volume, unless the claim exists. */
export function ensureClaim(
  api: ClusterApi,
  p: {
    namespace: string;
    cluster: string;
    pod: string;
    index: number;
    spec: any;
    inherited: { labels?: Record<string, string> };
    owner: any;
    placement: Placement;
  },
): void {
  if (api.get('v1', 'PersistentVolumeClaim', p.namespace, p.pod)) {
    return;
  }
  provisionClaim(
    api,
    {
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: {
        name: p.pod,
        namespace: p.namespace,
        labels: {
          ...p.inherited.labels,
          'cnpg.io/cluster': p.cluster,
          'cnpg.io/instanceName': p.pod,
          'cnpg.io/pvcRole': 'PG_DATA',
        },
        annotations: { 'cnpg.io/nodeSerial': String(p.index) },
        ownerReferences: [p.owner],
      },
      spec: {
        resources: {
          requests: {
            storage:
              p.spec.storage?.size ??
              p.spec.storage?.pvcTemplate?.resources?.requests?.storage ??
              '1Gi',
          },
        },
        storageClassName:
          p.spec.storage?.storageClass ??
          p.spec.storage?.pvcTemplate?.storageClassName ??
          'standard',
      },
    },
    p.placement,
  );
}
