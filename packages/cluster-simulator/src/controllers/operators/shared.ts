/*
 * What the simulated operators share: converging an object they own and its
 * status, the owner references they set, the stable host name a cloud gives
 * a LoadBalancer Service, and the seeded jitter the lag model moves by.
 */
import { createHash } from 'node:crypto';
import type { ClusterApi, KubeObject } from '../types';

/** Whether two values are the same JSON. */
export const same = (a: unknown, b: unknown) =>
  JSON.stringify(a) === JSON.stringify(b);

/** Whether every field of `want` is in `have` with the same value (arrays item by item). */
function contains(have: unknown, want: unknown): boolean {
  if (Array.isArray(want)) {
    return (
      Array.isArray(have) &&
      have.length === want.length &&
      want.every((w, i) => contains(have[i], w))
    );
  }
  if (want && typeof want === 'object') {
    if (!have || typeof have !== 'object') return false;
    return Object.entries(want).every(([k, w]) =>
      contains((have as Record<string, unknown>)[k], w),
    );
  }
  return have === want;
}

/**
 * Creates an object, or brings the fields an operator sets (labels,
 * annotations, owner, spec) up to date, leaving what others wrote (the API
 * server's defaults, status, other labels) alone: an object that already
 * holds them is not written again, so it raises no watch event.
 */
export function ensure(api: ClusterApi, desired: KubeObject): KubeObject {
  const { namespace, name, labels, annotations, ownerReferences } =
    desired.metadata;
  const current = api.get(desired.apiVersion, desired.kind, namespace, name);
  if (!current) return api.create(desired);
  // Only what the operator sets is compared; a field it leaves out is not its own.
  const owned = JSON.parse(
    JSON.stringify({
      labels,
      annotations,
      ownerReferences,
      spec: desired.spec,
    }),
  );
  const have = {
    labels: current.metadata.labels,
    annotations: current.metadata.annotations,
    ownerReferences: current.metadata.ownerReferences,
    spec: current.spec,
  };
  if (contains(have, owned)) return current;
  return api.update({
    ...current,
    metadata: {
      ...current.metadata,
      labels: { ...current.metadata.labels, ...labels },
      ...(annotations
        ? { annotations: { ...current.metadata.annotations, ...annotations } }
        : {}),
      ownerReferences,
    },
    spec: { ...current.spec, ...desired.spec },
  });
}

/** Writes an object's status when it differs from the stored one. */
export function setStatus(
  api: ClusterApi,
  obj: KubeObject,
  status: unknown,
): void {
  const { namespace, name } = obj.metadata;
  const current = api.get(obj.apiVersion, obj.kind, namespace, name);
  if (current && !same(current.status ?? {}, status)) {
    api.updateStatus({ ...current, status });
  }
}

/** The owner references of an object an operator made for `owner`, which controls it. */
export function ownedBy(
  owner: KubeObject,
  blockOwnerDeletion = true,
): NonNullable<KubeObject['metadata']['ownerReferences']> {
  return [
    {
      apiVersion: owner.apiVersion,
      kind: owner.kind,
      name: owner.metadata.name,
      uid: owner.metadata.uid ?? '',
      controller: true,
      blockOwnerDeletion,
    },
  ];
}

/** Publishes a LoadBalancer Service's ingress host name as a cloud would; clears it otherwise. */
export function publishLoadBalancer(
  api: ClusterApi,
  cluster: string,
  service: KubeObject,
): void {
  const loadBalancer =
    service.spec?.type === 'LoadBalancer'
      ? {
          ingress: [
            {
              hostname: loadBalancerHostname(
                cluster,
                service.metadata.namespace ?? 'default',
                service.metadata.name,
              ),
            },
          ],
        }
      : {};
  if (!same(service.status?.loadBalancer ?? {}, loadBalancer)) {
    api.updateStatus({
      ...service,
      status: { ...service.status, loadBalancer },
    });
  }
}

/**
 * The host name a simulated cloud publishes for a LoadBalancer Service,
 * naming its Kubernetes cluster (what the other cluster's configuration
 * points at).
 */
export function loadBalancerHostname(
  cluster: string,
  namespace: string,
  service: string,
): string {
  return `${service}.${namespace}.${cluster}.elb.simulator.local`;
}

/** A jitter in [0, 1) seeded by a key and the current second. */
export function jitter(now: number, key: string): () => number {
  return () =>
    createHash('sha1')
      .update(`${key}@${Math.floor(now / 1000)}`)
      .digest()
      .readUInt16BE(0) / 65536;
}
