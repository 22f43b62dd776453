/*
 * The shared CephFS volume of one cluster: a static PersistentVolume bound
 * to exactly one claim, so every cluster mounts the same file system
 * without a provisioner creating anything. Each pod mounts its own
 * directory of it (statefulSet.ts).
 */
import { ANNOTATION_ROLE } from '@multicluster/backstage-plugin-statefulsets-common';
import { commonLabels } from './labels';
import { KubeObject } from './types';
import { NormalizedRequest, ResolvedPlacement } from './validateRequest';

/** The static CephFS PersistentVolume and the claim the pods mount. */
export function sharedVolume(r: NormalizedRequest, c: ResolvedPlacement) {
  const cephfs = r.storage.cephfs!;
  const pvName = `${r.namespace}-${r.name}-shared`;
  const pv: KubeObject = {
    apiVersion: 'v1',
    kind: 'PersistentVolume',
    metadata: { name: pvName, labels: commonLabels(r) },
    spec: {
      capacity: { storage: r.storage.size },
      accessModes: ['ReadWriteMany'],
      persistentVolumeReclaimPolicy: 'Retain',
      storageClassName: '',
      // A static volume binds to exactly this claim and no other.
      claimRef: { namespace: r.namespace, name: `${r.name}-shared` },
      csi: {
        driver: 'cephfs.csi.ceph.com',
        volumeHandle: pvName,
        volumeAttributes: {
          clusterID: cephfs.clusterID,
          fsName: cephfs.fsName,
          staticVolume: 'true',
          rootPath: cephfs.path,
        },
        // The CephFS user (keys userID, userKey): the platform creates this
        // Secret in the database's namespace of every cluster; the portal
        // never holds Ceph credentials (checkSharedVolume.ts).
        nodeStageSecretRef: {
          name: cephfs.secretRef.name,
          namespace: r.namespace,
        },
      },
    },
  };
  const pvc: KubeObject = {
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: {
      name: `${r.name}-shared`,
      namespace: r.namespace,
      labels: commonLabels(r),
      annotations: { [ANNOTATION_ROLE]: c.role },
    },
    spec: {
      accessModes: ['ReadWriteMany'],
      storageClassName: '',
      volumeName: pvName,
      resources: { requests: { storage: r.storage.size } },
    },
  };
  return { pv, pvc };
}
