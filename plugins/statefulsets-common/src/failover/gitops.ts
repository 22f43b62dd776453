/*
 * Recognises objects that a GitOps controller (Argo CD or Flux) owns: a
 * failover that changes such an object is reverted at the next sync unless
 * the source repository is updated too, so the plan warns about it.
 */
import { KubeObject } from '../kube';
import { GitOpsMarker } from './types';

const ARGO_PREFIX = 'argocd.argoproj.io/';
const FLUX_PREFIXES = [
  'kustomize.toolkit.fluxcd.io/',
  'helm.toolkit.fluxcd.io/',
];

function toolOf(key: string): GitOpsMarker['tool'] | undefined {
  if (key.startsWith(ARGO_PREFIX)) return 'argocd';
  if (FLUX_PREFIXES.some(p => key.startsWith(p))) return 'flux';
  return undefined;
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
