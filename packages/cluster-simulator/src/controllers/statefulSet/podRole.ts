// The pod-role label this product reads to find a database's primary pod,
// derived from the StatefulSet's role annotation.
import type { KubeObject } from '../types';

/** The annotation holding a StatefulSet's role in a multi-cluster database. */
export const ROLE_ANNOTATION = 'multicluster-statefulsets/role';
/** The pod label saying which pod is the primary. */
export const POD_ROLE_LABEL = 'multicluster-statefulsets/pod-role';

/** The pod-role a pod should carry, or undefined when the StatefulSet has no role. */
export function desiredPodRole(
  sts: KubeObject,
  ordinal: number,
): string | undefined {
  const role = sts.metadata.annotations?.[ROLE_ANNOTATION];
  if (!role) return undefined;
  if (sts.spec?.template?.metadata?.labels?.[POD_ROLE_LABEL]) return undefined;
  const start = sts.spec?.ordinals?.start ?? 0;
  return role === 'active' && ordinal === start ? 'primary' : 'replica';
}
