// How the controller tells a StatefulSet's pods: their ordinal names, their
// readiness, and the owner reference that makes them (and claims and
// revisions) the StatefulSet's.
import type { KubeObject } from '../types';

/** The ordinal of `<sts>-<n>`, or undefined for a pod not named so. */
export function ordinalOf(
  stsName: string,
  podName: string,
): number | undefined {
  if (!podName.startsWith(`${stsName}-`)) return undefined;
  const rest = podName.slice(stsName.length + 1);
  return /^\d+$/.test(rest) ? Number(rest) : undefined;
}

/** Whether a pod runs and reports Ready. */
export function isReady(p: KubeObject): boolean {
  return (
    p.status?.phase === 'Running' &&
    (p.status?.conditions ?? []).some(
      (c: any) => c.type === 'Ready' && c.status === 'True',
    )
  );
}

/** The controlling owner reference a StatefulSet puts on what it creates. */
export function ownerRef(sts: KubeObject) {
  return {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    name: sts.metadata.name,
    uid: sts.metadata.uid!,
    controller: true,
    blockOwnerDeletion: true,
  };
}
