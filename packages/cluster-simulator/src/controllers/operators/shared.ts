/*
 * What the simulated operators share: converging an object they own, the
 * stable host name a cloud gives a LoadBalancer Service, and the seeded
 * jitter the lag model moves by.
 */
import { createHash } from 'node:crypto';
import type { ClusterApi, KubeObject } from '../types';

/** Whether two values are the same JSON. */
export const same = (a: unknown, b: unknown) =>
  JSON.stringify(a) === JSON.stringify(b);

/** Creates an object, or converges an existing one's labels, owner and spec. */
export function ensure(api: ClusterApi, desired: KubeObject): KubeObject {
  const current = api.get(
    desired.apiVersion,
    desired.kind,
    desired.metadata.namespace,
    desired.metadata.name,
  );
  if (!current) return api.create(desired);
  const labels = { ...current.metadata.labels, ...desired.metadata.labels };
  const spec = { ...current.spec, ...desired.spec };
  if (
    same(labels, current.metadata.labels) &&
    same(spec, current.spec) &&
    same(current.metadata.ownerReferences, desired.metadata.ownerReferences)
  ) {
    return current;
  }
  return api.update({
    ...current,
    metadata: {
      ...current.metadata,
      labels,
      ownerReferences: desired.metadata.ownerReferences,
    },
    spec,
  });
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
