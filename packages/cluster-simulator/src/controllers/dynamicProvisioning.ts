/*
 * Dynamic provisioning as a CSI provisioner does it, at once: a claim is
 * created with the provisioner's annotations, a volume of its storage class
 * is made for it (pinned to the zone the pod runs in) and the two are bound.
 * The StatefulSet controller and the simulated operators (CloudNativePG,
 * Strimzi) make their claims through it.
 */
import { zoneNodeAffinity } from './instancePlacement';
import type { ClusterApi, KubeObject } from './types';

/** The simulated CSI provisioner of a storage class. */
export function provisionerOf(storageClassName: string): string {
  return `${storageClassName}.csi.simulator.local`;
}

/**
 * Creates `claim` (its spec defaulted as the API server would) and a volume
 * bound to it; the volume is deleted with the claim unless `retain`.
 * Returns the bound claim.
 */
export function provisionClaim(
  api: ClusterApi,
  claim: KubeObject,
  options: { zone?: string; node?: string; retain?: boolean } = {},
): KubeObject {
  const spec = {
    accessModes: ['ReadWriteOnce'],
    storageClassName: 'standard',
    volumeMode: 'Filesystem',
    ...claim.spec,
  };
  const provisioner = provisionerOf(spec.storageClassName);
  const size: string = spec.resources?.requests?.storage ?? '1Gi';
  const created = api.create({
    ...claim,
    metadata: {
      ...claim.metadata,
      annotations: {
        ...claim.metadata.annotations,
        'pv.kubernetes.io/bind-completed': 'yes',
        'volume.beta.kubernetes.io/storage-provisioner': provisioner,
        ...(options.node
          ? { 'volume.kubernetes.io/selected-node': options.node }
          : {}),
      },
    },
    spec,
  });
  const { uid, name, namespace } = created.metadata;
  const volumeName = `pvc-${uid}`;
  api.create({
    apiVersion: 'v1',
    kind: 'PersistentVolume',
    metadata: {
      name: volumeName,
      annotations: { 'pv.kubernetes.io/provisioned-by': provisioner },
    },
    spec: {
      capacity: { storage: size },
      accessModes: spec.accessModes,
      persistentVolumeReclaimPolicy: options.retain ? 'Retain' : 'Delete',
      storageClassName: spec.storageClassName,
      volumeMode: spec.volumeMode,
      claimRef: {
        apiVersion: 'v1',
        kind: 'PersistentVolumeClaim',
        namespace,
        name,
        uid,
        resourceVersion: created.metadata.resourceVersion,
      },
      csi: { driver: provisioner, volumeHandle: `vol-${uid}`, fsType: 'ext4' },
      ...zoneNodeAffinity(options.zone),
    },
    status: { phase: 'Bound' },
  });
  const bound = api.update({ ...created, spec: { ...spec, volumeName } });
  return api.updateStatus({
    ...bound,
    status: {
      phase: 'Bound',
      accessModes: spec.accessModes,
      capacity: { storage: size },
    },
  });
}
