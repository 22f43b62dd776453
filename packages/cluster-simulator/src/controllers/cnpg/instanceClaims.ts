// The data claim of a CloudNativePG instance (`<cluster>-<n>`, role
// PG_DATA), provisioned dynamically: a volume bound to it at once, pinned to
// the instance's zone.
import { zoneNodeAffinity } from '../instancePlacement';
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
  const size: string =
    p.spec.storage?.size ??
    p.spec.storage?.pvcTemplate?.resources?.requests?.storage ??
    '1Gi';
  const storageClassName: string =
    p.spec.storage?.storageClass ??
    p.spec.storage?.pvcTemplate?.storageClassName ??
    'standard';
  const provisioner = `${storageClassName}.csi.simulator.local`;
  const claim = api.create({
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
      annotations: {
        'cnpg.io/nodeSerial': String(p.index),
        'pv.kubernetes.io/bind-completed': 'yes',
        'volume.beta.kubernetes.io/storage-provisioner': provisioner,
        ...(p.placement.node
          ? { 'volume.kubernetes.io/selected-node': p.placement.node }
          : {}),
      },
      ownerReferences: [p.owner],
    },
    spec: {
      accessModes: ['ReadWriteOnce'],
      resources: { requests: { storage: size } },
      storageClassName,
      volumeMode: 'Filesystem',
    },
  });
  // Dynamic provisioning: a volume bound to the claim, pinned to its zone.
  const volumeName = `pvc-${claim.metadata.uid}`;
  api.create({
    apiVersion: 'v1',
    kind: 'PersistentVolume',
    metadata: {
      name: volumeName,
      annotations: { 'pv.kubernetes.io/provisioned-by': provisioner },
    },
    spec: {
      capacity: { storage: size },
      accessModes: ['ReadWriteOnce'],
      persistentVolumeReclaimPolicy: 'Delete',
      storageClassName,
      volumeMode: 'Filesystem',
      claimRef: {
        apiVersion: 'v1',
        kind: 'PersistentVolumeClaim',
        namespace: p.namespace,
        name: p.pod,
        uid: claim.metadata.uid,
      },
      csi: {
        driver: provisioner,
        volumeHandle: `vol-${claim.metadata.uid}`,
        fsType: 'ext4',
      },
      ...zoneNodeAffinity(p.placement.zone),
    },
    status: { phase: 'Bound' },
  });
  const bound = api.update({ ...claim, spec: { ...claim.spec, volumeName } });
  api.updateStatus({
    ...bound,
    status: {
      phase: 'Bound',
      accessModes: ['ReadWriteOnce'],
      capacity: { storage: size },
    },
  });
}
