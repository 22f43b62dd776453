// How a control plane writes its copy of an object into a member cluster:
// what a copy carries, and how it merges with what the member already holds.
import type { ClusterApi, KubeObject } from '../types';

/**
 * Annotations the replication exporter writes on each member's own
 * workload; propagating the template's values would fight it.
 */
const MEMBER_OWNED_ANNOTATIONS = [
  'multicluster-statefulsets/replication-lag-seconds',
  'multicluster-statefulsets/replication-lag-observed-at',
  'kubectl.kubernetes.io/last-applied-configuration',
];

function ensureNamespace(api: ClusterApi, namespace: string | undefined): void {
  if (namespace && !api.get('v1', 'Namespace', undefined, namespace)) {
    api.create({
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: namespace },
    });
  }
}

/** The parts of an object a propagation writes (everything but status). */
function content(obj: KubeObject): Record<string, unknown> {
  const { metadata, status: _status, ...rest } = obj;
  return {
    ...rest,
    labels: metadata.labels ?? {},
    annotations: metadata.annotations ?? {},
  };
}

/** A copy of a template as it goes to a member: no status, no server fields. */
export function memberCopy(template: KubeObject): KubeObject {
  const { metadata, status: _status, ...rest } = structuredClone(template);
  const annotations = { ...metadata.annotations };
  for (const key of MEMBER_OWNED_ANNOTATIONS) {
    delete annotations[key];
  }
  return {
    ...rest,
    metadata: {
      name: metadata.name,
      namespace: metadata.namespace,
      labels: { ...metadata.labels },
      annotations,
    },
  } as KubeObject;
}

function withoutKeys(
  map: Record<string, string> | undefined,
  keys: Iterable<string>,
): Record<string, string> {
  const out = { ...map };
  for (const k of keys) {
    delete out[k];
  }
  return out;
}

/**
 * Creates or updates a member object. Labels/annotations the control plane
 * stopped managing are dropped; keys others wrote on the member are kept.
 */
export function syncMember(
  api: ClusterApi,
  desired: KubeObject,
  existing: KubeObject | undefined,
  previouslyManaged: { labels: string[]; annotations: string[] },
): void {
  if (!existing) {
    ensureNamespace(api, desired.metadata.namespace);
    api.create(desired);
    return;
  }
  const merged: KubeObject = {
    ...desired,
    metadata: {
      ...existing.metadata,
      labels: {
        ...withoutKeys(existing.metadata.labels, previouslyManaged.labels),
        ...desired.metadata.labels,
      },
      annotations: {
        ...withoutKeys(
          existing.metadata.annotations,
          previouslyManaged.annotations,
        ),
        ...desired.metadata.annotations,
      },
    },
  };
  if (desired.kind === 'Service' && existing.spec) {
    // The member allocates its own cluster IPs; keep them.
    merged.spec = {
      ...merged.spec,
      clusterIP: existing.spec.clusterIP,
      clusterIPs: existing.spec.clusterIPs,
    };
    for (const k of ['clusterIP', 'clusterIPs']) {
      if (merged.spec[k] === undefined) {
        delete merged.spec[k];
      }
    }
  }
  if (JSON.stringify(content(merged)) !== JSON.stringify(content(existing))) {
    api.update(merged);
  }
}

/** The keys of a comma-separated managed-keys annotation. */
export function splitList(value: string | undefined): string[] {
  return value ? value.split(',').filter(Boolean) : [];
}
