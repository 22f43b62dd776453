/*
 * Recognises objects that a controller outside the cluster owns: a GitOps
 * controller (Argo CD or Flux) or a federation control plane (KubeFed,
 * Karmada) that propagates them from a template. A failover that changes
 * such an object is reverted at the next sync unless the source (the
 * repository, the federated template or its overrides) is updated too, so
 * the plan warns about it.
 */
import { KubeObject } from '../kube';
import { GitOpsMarker } from './types';

const ARGO_PREFIX = 'argocd.argoproj.io/';
const FLUX_PREFIXES = [
  'kustomize.toolkit.fluxcd.io/',
  'helm.toolkit.fluxcd.io/',
];

/** KubeFed's sync controller labels every object it propagates. */
const KUBEFED_MANAGED = 'kubefed.io/managed';
/** Karmada labels what it propagates, and names the policy that did. */
const KARMADA_KEYS = [
  'karmada.io/managed',
  'propagationpolicy.karmada.io/name',
  'clusterpropagationpolicy.karmada.io/name',
];

function toolOf(key: string): GitOpsMarker['tool'] | undefined {
  if (key.startsWith(ARGO_PREFIX)) return 'argocd';
  if (FLUX_PREFIXES.some(p => key.startsWith(p))) return 'flux';
  if (key === KUBEFED_MANAGED) return 'kubefed';
  if (KARMADA_KEYS.includes(key)) return 'karmada';
  return undefined;
}

/** Whether a marker names a federation control plane rather than GitOps. */
export function isFederationMarker(marker: GitOpsMarker): boolean {
  return marker.tool === 'kubefed' || marker.tool === 'karmada';
}

/** The GitOps markers (labels or annotations) on one live object; empty when it is not managed. */
export function gitOpsMarkersOf(
  cluster: string,
  obj: KubeObject,
): GitOpsMarker[] {
  const keys = [
    ...Object.keys(obj.metadata.labels ?? {}),
    ...Object.keys(obj.metadata.annotations ?? {}),
  ];
  const object = `${obj.kind ?? 'Object'} ${
    obj.metadata.namespace ? `${obj.metadata.namespace}/` : ''
  }${obj.metadata.name}`;
  const seen = new Set<string>();
  const markers: GitOpsMarker[] = [];
  for (const key of keys) {
    const tool = toolOf(key);
    // One marker per tool and object is enough to explain the warning.
    if (!tool || seen.has(tool)) continue;
    seen.add(tool);
    markers.push({ cluster, object, tool, key });
  }
  return markers;
}
