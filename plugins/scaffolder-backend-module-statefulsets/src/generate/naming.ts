/*
 * Object names and cross-cluster addresses, in one place so the StatefulSet,
 * its Services, the replication settings and the routing agree on them.
 */
import { NormalizedRequest, ResolvedPlacement } from './validateRequest';

/** Name of the headless Service that governs the pods' DNS names. */
export function headlessServiceName(r: NormalizedRequest): string {
  return `${r.name}-headless`;
}

/** Name of the per-cluster Service: one cluster's primary (PostgreSQL) or its pods (other engines, with routing). */
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
 * The cluster's id in the MCS ClusterSet: what the `cluster.clusterset.k8s.io`
 * ClusterProperty of that cluster holds, and the label MCS DNS puts in pod
 * names. The request may give it; it defaults to the configured cluster name.
 */
export function mcsClusterId(c: ResolvedPlacement): string {
  return c.mcsClusterId ?? c.name;
}

/** Name of the Service that reaches one pod alone (Istio routing, see podAddress). */
export function podServiceName(pod: string): string {
  return pod;
}

/**
 * The DNS name one cluster's pod is reached by from every other cluster.
 * MCS: `<hostname>.<clusterid>.<svc>.<ns>.svc.clusterset.local`, served by
 * every cluster of the ClusterSet for the exported headless Service.
 * Istio: the pod's own Service, which exists only in the pod's cluster (the
 * ordinals keep pod names unique across clusters); Istio's multi-cluster
 * discovery and DNS proxying resolve it in every cluster and route to it,
 * through the east-west gateway across networks. Pod names of a headless
 * Service are never served outside their cluster, so neither mode uses them.
 * Routing none has no cross-cluster DNS: the name only works inside the
 * pod's own cluster, and validateRequest refuses requests that would need
 * more.
 */
export function podAddress(
  r: NormalizedRequest,
  c: ResolvedPlacement,
  pod: string,
): string {
  if (r.routing === 'mcs') {
    return `${pod}.${mcsClusterId(c)}.${headlessServiceName(r)}.${
      r.namespace
    }.svc.clusterset.local`;
  }
  if (r.routing === 'istio') {
    return `${podServiceName(pod)}.${r.namespace}.svc.cluster.local`;
  }
  return `${pod}.${headlessServiceName(r)}.${r.namespace}.svc.cluster.local`;
}

/**
 * The DNS name of one cluster's per-cluster Service (its primary, or all its
 * pods for engines without one), reachable from the other clusters: MCS
 * serves the exported Service under clusterset.local; with Istio the Service
 * exists only in its own cluster, so its cluster.local name is unique in the
 * mesh and discovery routes it there.
 */
export function clusterServiceAddress(
  r: NormalizedRequest,
  c: ResolvedPlacement,
): string {
  const domain = r.routing === 'mcs' ? 'clusterset.local' : 'cluster.local';
  return `${clusterServiceName(r, c)}.${r.namespace}.svc.${domain}`;
}

/** The DNS name of the client Service every cluster has, inside one cluster. */
export function clientServiceHost(r: NormalizedRequest): string {
  return `${r.name}.${r.namespace}.svc.cluster.local`;
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
