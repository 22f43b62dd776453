// The volume binder's part of kube-controller-manager, for every claim and
// volume of a cluster, not only a StatefulSet's.
import type { ControllerContext } from '../types';

/**
 * The volume binder's part: claims naming a volume (static PVs such as a
 * shared CephFS one) get bound to it, and volumes whose claim is gone are
 * deleted (reclaim policy Delete) or marked Released.
 */
export function reconcileVolumes(ctx: ControllerContext): void {
  const { cluster } = ctx;
  const shared = (kind: string) =>
    cluster.listShared?.('v1', kind) ?? cluster.list('v1', kind);
  const claims = shared('PersistentVolumeClaim');
  for (const pvc of claims) {
    const volumeName = pvc.spec?.volumeName;
    if (pvc.status?.phase === 'Bound' || !volumeName) continue;
    const pv = cluster.get('v1', 'PersistentVolume', undefined, volumeName);
    if (!pv) continue;
    const ref = pv.spec?.claimRef;
    const takenByOther =
      ref &&
      (ref.namespace !== pvc.metadata.namespace ||
        ref.name !== pvc.metadata.name) &&
      claims.some(
        c =>
          c.metadata.uid === ref.uid ||
          (c.metadata.namespace === ref.namespace &&
            c.metadata.name === ref.name &&
            !ref.uid),
      );
    if (takenByOther) continue;
    const bound = cluster.update({
      ...pv,
      spec: {
        ...pv.spec,
        claimRef: {
          kind: 'PersistentVolumeClaim',
          apiVersion: 'v1',
          namespace: pvc.metadata.namespace,
          name: pvc.metadata.name,
          uid: pvc.metadata.uid,
        },
      },
    });
    cluster.updateStatus({ ...bound, status: { phase: 'Bound' } });
    cluster.updateStatus({
      ...pvc,
      status: {
        phase: 'Bound',
        accessModes: pv.spec?.accessModes,
        capacity: pv.spec?.capacity,
      },
    });
  }
  const uids = new Set(claims.map(c => c.metadata.uid));
  for (const pv of shared('PersistentVolume')) {
    const ref = pv.spec?.claimRef;
    if (!ref?.uid || uids.has(ref.uid)) continue;
    if (pv.spec?.persistentVolumeReclaimPolicy === 'Delete') {
      cluster.delete('v1', 'PersistentVolume', undefined, pv.metadata.name);
    } else if (pv.status?.phase !== 'Released') {
      cluster.updateStatus({ ...pv, status: { phase: 'Released' } });
    }
  }
}
