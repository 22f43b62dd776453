/*
 * Refusals specific to one accepted kind: a PersistentVolume must be the
 * shared CSI volume bound into the entity's namespace, a ServiceExport must
 * export a Service of the request, Karmada policies select only named
 * objects of the entity's namespace.
 */
import { ManifestObject } from './types';

/** Refusals specific to one accepted kind. */
export function kindRefusals(
  m: ManifestObject,
  namespace: string | undefined,
  requestServices: Set<string>,
): string[] {
  const spec = (m.spec ?? {}) as Record<string, any>;
  const out: string[] = [];
  if (m.kind === 'PersistentVolume') {
    const sources = Object.keys(spec).filter(k =>
      [
        'csi',
        'hostPath',
        'local',
        'nfs',
        'iscsi',
        'rbd',
        'cephfs',
        'glusterfs',
        'fc',
        'flexVolume',
      ].includes(k),
    );
    if (sources.length !== 1 || sources[0] !== 'csi') {
      out.push(
        `a PersistentVolume must be a CSI volume (the shared CephFS volume), not ${
          sources.join(', ') || 'no source'
        }`,
      );
    }
    if (namespace && spec.claimRef?.namespace !== namespace) {
      out.push(
        `spec.claimRef.namespace must be the entity's namespace ${namespace}`,
      );
    }
    // The CSI driver reads these Secrets with its own rights: one in another
    // namespace would hand that namespace's credentials to this volume.
    for (const key of [
      'nodeStageSecretRef',
      'nodePublishSecretRef',
      'controllerPublishSecretRef',
      'controllerExpandSecretRef',
      'nodeExpandSecretRef',
    ]) {
      const ref = spec.csi?.[key];
      if (ref && namespace && ref.namespace !== namespace) {
        out.push(
          `spec.csi.${key} must name a Secret in ${namespace}, not in ${ref.namespace}`,
        );
      }
    }
  }
  if (m.kind === 'ServiceExport' && !requestServices.has(m.metadata.name)) {
    out.push(
      `a ServiceExport exports the Service of its name; ${m.metadata.name} is not a Service of this request`,
    );
  }
  if (m.kind === 'PropagationPolicy' || m.kind === 'OverridePolicy') {
    for (const s of spec.resourceSelectors ?? []) {
      if (s?.namespace !== undefined && s.namespace !== namespace) {
        out.push(
          `spec.resourceSelectors may only select objects in ${namespace}, not ${s.namespace}`,
        );
      }
      if (typeof s?.name !== 'string') {
        out.push(
          'spec.resourceSelectors must name each object (name), as the generator does',
        );
      }
    }
  }
  return out;
}
