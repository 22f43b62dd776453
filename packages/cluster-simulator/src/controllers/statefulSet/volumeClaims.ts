// The claim a StatefulSet's volumeClaimTemplate gives one ordinal,
// provisioned dynamically: a volume bound to it at once, pinned to the pod's
// zone, owned by the StatefulSet only under whenDeleted: Delete.
import { ownerRef } from './pods';
import { zoneNodeAffinity } from '../instancePlacement';
import type { ControllerContext, KubeObject } from '../types';

/** Creates the claim and its volume, unless the claim exists. */
export function ensureClaim(
  ctx: ControllerContext,
  sts: KubeObject,
  template: any,
  claimName: string,
  node: KubeObject | undefined,
  zone: string | undefined,
): void {
  const { cluster } = ctx;
  const ns = sts.metadata.namespace!;
  if (cluster.get('v1', 'PersistentVolumeClaim', ns, claimName)) return;
  const spec = structuredClone(template.spec ?? {});
  spec.storageClassName ??= 'standard';
  spec.accessModes ??= ['ReadWriteOnce'];
  spec.volumeMode ??= 'Filesystem';
  const size = spec.resources?.requests?.storage ?? '1Gi';
  const pvc = cluster.create({
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: {
      name: claimName,
      namespace: ns,
      // Claims are kept when their StatefulSet goes (the default Retain
      // policy); with whenDeleted: Delete they are owned and collected.
      ...(sts.spec?.persistentVolumeClaimRetentionPolicy?.whenDeleted ===
      'Delete'
        ? {
            ownerReferences: [
              { ...ownerRef(sts), controller: false, blockOwnerDeletion: true },
            ],
          }
        : {}),
      labels: {
        ...sts.spec?.selector?.matchLabels,
        ...template.metadata?.labels,
      },
      annotations: {
        'pv.kubernetes.io/bind-completed': 'yes',
        'pv.kubernetes.io/bound-by-controller': 'yes',
        'volume.beta.kubernetes.io/storage-provisioner': `${spec.storageClassName}.csi.simulator.local`,
        ...(node
          ? { 'volume.kubernetes.io/selected-node': node.metadata.name }
          : {}),
      },
    },
    spec,
    status: { phase: 'Pending' },
  });
  const pvName = `pvc-${pvc.metadata.uid}`;
  cluster.create({
    apiVersion: 'v1',
    kind: 'PersistentVolume',
    metadata: {
      name: pvName,
      annotations: {
        'pv.kubernetes.io/provisioned-by': `${spec.storageClassName}.csi.simulator.local`,
      },
    },
    spec: {
      capacity: { storage: size },
      accessModes: spec.accessModes,
      persistentVolumeReclaimPolicy: 'Delete',
      storageClassName: spec.storageClassName,
      volumeMode: spec.volumeMode,
      claimRef: {
        kind: 'PersistentVolumeClaim',
        namespace: ns,
        name: claimName,
        uid: pvc.metadata.uid,
        apiVersion: 'v1',
        resourceVersion: pvc.metadata.resourceVersion,
      },
      csi: {
        driver: `${spec.storageClassName}.csi.simulator.local`,
        volumeHandle: `vol-${pvc.metadata.uid}`,
        fsType: 'ext4',
      },
      ...zoneNodeAffinity(zone),
    },
    status: { phase: 'Bound' },
  });
  pvc.spec.volumeName = pvName;
  const bound = cluster.update(pvc);
  cluster.updateStatus({
    ...bound,
    status: {
      phase: 'Bound',
      accessModes: spec.accessModes,
      capacity: { storage: size },
    },
  });
  ctx.recordEvent?.(
    sts,
    'Normal',
    'SuccessfulCreate',
    `create Claim ${claimName} Pod ${sts.metadata.name}-${claimName
      .split('-')
      .pop()} in StatefulSet ${sts.metadata.name} success`,
  );
}
