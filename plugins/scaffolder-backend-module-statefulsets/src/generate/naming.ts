/*
 * Object names and cross-cluster addresses, in one place so the StatefulSet,
 * its Services, the replication settings and the routing agree on them.
 */
import { NormalizedRequest, ResolvedPlacement } from './validateRequest';

/** Name of the headless Service that governs the pods' DNS names. */
export function headlessServiceName(r: NormalizedRequest): string {
  return `${r.name}-headless`;
}

/** Name of the per-cluster Service that reaches one cluster's primary (PostgreSQL). */
export function clusterServiceName(
  r: NormalizedRequest,
  c: ResolvedPlacement,
): string {
  return `${r.name}-${c.name}`;
}

/** Pod names of one cluster, from its ordinal range. */
export function podNames(r: NormalizedRequest, c: ResolvedPlacement): string[] {
  return Array.from(
    { length: c.replicas },
    (_, i) => `${r.name}-${c.ordinalsStart + i}`,
  );
}

/**
 * The DNS name one cluster's pod is reached by from every other cluster:
 * MCS gives headless pods `<hostname>.<clusterid>.<svc>.<ns>.svc.clusterset.local`;
 * with Istio (DNS proxying) or plain flat networks the ordinals alone keep
 * pod names unique, so the ordinary cluster-local name is used.
 */
export function podAddress(
  r: NormalizedRequest,
  c: ResolvedPlacement,
  pod: string,
): string {
  return r.routing === 'mcs'
    ? `${pod}.${c.name}.${headlessServiceName(r)}.${
        r.namespace
      }.svc.clusterset.local`
    : `${pod}.${headlessServiceName(r)}.${r.namespace}.svc.cluster.local`;
}

/** The DNS name of the per-cluster primary Service, reachable from other clusters. */
export function clusterServiceAddress(
  r: NormalizedRequest,
  c: ResolvedPlacement,
): string {
  const domain = r.routing === 'mcs' ? 'clusterset.local' : 'cluster.local';
  return `${clusterServiceName(r, c)}.${r.namespace}.svc.${domain}`;
}

/** The first (writable) active cluster; passives replicate from it. */
export function primaryCluster(r: NormalizedRequest): ResolvedPlacement {
  return r.clusters.find(c => c.role === 'active') ?? r.clusters[0];
}

/** The clusters a cluster replicates from. */
export function replicationSources(
  r: NormalizedRequest,
  c: ResolvedPlacement,
): ResolvedPlacement[] {
  if (c.role === 'passive') {
    return [primaryCluster(r)];
  }
  // Active-active: every active side takes the others' writes.
  return r.strategy === 'active-active'
    ? r.clusters.filter(o => o.role === 'active' && o.name !== c.name)
    : [];
}
