/*
 * The DNS a replica's pod sees, by the routing each cluster really has:
 *
 * - a LoadBalancer Service's published address leads to its cluster;
 * - `…svc.cluster.local` names (and their short forms, through the pod's
 *   search path) are served by the replica's own cluster only — except in
 *   an Istio mesh (the cluster serves Istio's CRDs), where DNS proxying
 *   with multi-cluster discovery resolves a Service that exists in exactly
 *   one mesh cluster to that cluster, and a Service that exists in several
 *   to the local one;
 * - `<svc>.<ns>.svc.clusterset.local` leads to the cluster exporting the
 *   Service (ServiceExport), and `<pod>.<clusterid>.<svc>.<ns>.svc.clusterset.local`
 *   to that pod in the cluster with that MCS id (the cluster's name unless
 *   its ClusterProperty `cluster.clusterset.k8s.io` says otherwise, as KEP-2149 names it).
 *
 * Every failure says why the name leads nowhere, as a resolver error would.
 */
import type { ClusterApi, KubeObject } from '../types';

/** Where a name leads: a cluster (and the Service behind it), or why not. */
export type Resolution =
  | { cluster: string; service?: KubeObject; error?: undefined }
  | { error: string; cluster?: undefined; service?: undefined };

const ISTIO_CRD = 'serviceentries.networking.istio.io';
const MCS_API = 'multicluster.x-k8s.io/v1alpha1';

/** A host as written in a configuration: lower case, no port, no final dot. */
export function cleanHost(host: string): string {
  return host.trim().toLowerCase().replace(/:\d+$/, '').replace(/\.$/, '');
}

function safeGet(
  c: ClusterApi,
  apiVersion: string,
  kind: string,
  ns: string | undefined,
  name: string,
): KubeObject | undefined {
  try {
    return c.get(apiVersion, kind, ns, name);
  } catch {
    // The kind is not served there (a CRD not installed).
    return undefined;
  }
}

/** Whether a cluster is an Istio mesh member (it serves Istio's CRDs). */
export function isMeshMember(c: ClusterApi): boolean {
  return !!safeGet(
    c,
    'apiextensions.k8s.io/v1',
    'CustomResourceDefinition',
    undefined,
    ISTIO_CRD,
  );
}

/** A cluster's MCS cluster id: its ClusterProperty `cluster.clusterset.k8s.io`, else its name. */
export function mcsClusterId(c: ClusterApi): string {
  const property = safeGet(
    c,
    'about.k8s.io/v1alpha1',
    'ClusterProperty',
    undefined,
    'cluster.clusterset.k8s.io',
  );
  return (property?.spec?.value as string | undefined) ?? c.name;
}

/**
 * The clusters whose Services answer on the network: every one but the
 * Karmada API server, which stores templates and runs none of them.
 */
function networkClusters(
  clusters: ReadonlyMap<string, ClusterApi>,
): ClusterApi[] {
  return [...clusters.values()].filter(c => c.federationHost !== 'karmada');
}

const service = (c: ClusterApi, ns: string, name: string) =>
  safeGet(c, 'v1', 'Service', ns, name);

/** Whether a pod of that name runs (or its StatefulSet would run it) behind a headless Service. */
function hasPodBehind(
  c: ClusterApi,
  ns: string,
  svc: string,
  pod: string,
): boolean {
  const headless = service(c, ns, svc);
  if (!headless || headless.spec?.clusterIP !== 'None') return false;
  if (safeGet(c, 'v1', 'Pod', ns, pod)?.spec?.subdomain === svc) return true;
  return c.list('apps/v1', 'StatefulSet', ns).some(sts => {
    if (sts.spec?.serviceName !== svc) return false;
    const m = new RegExp(`^${sts.metadata.name}-(\\d+)$`).exec(pod);
    const start = sts.spec?.ordinals?.start ?? 0;
    const replicas = sts.spec?.replicas ?? 1;
    return !!m && +m[1] >= start && +m[1] < start + replicas;
  });
}

function publishedAddress(
  host: string,
  clusters: ReadonlyMap<string, ClusterApi>,
): Resolution | undefined {
  const published = networkClusters(clusters).flatMap(c =>
    (c.listShared?.('v1', 'Service') ?? c.list('v1', 'Service'))
      .filter(s =>
        (s.status?.loadBalancer?.ingress ?? []).some(
          (i: { ip?: string; hostname?: string }) =>
            i?.ip === host || i?.hostname?.toLowerCase() === host,
        ),
      )
      .map(s => ({ cluster: c.name, service: s })),
  );
  if (!published.length) return undefined;
  if (published.length === 1) return published[0];
  return {
    error: `${host} is published by several LoadBalancer Services (${published
      .map(p => p.cluster)
      .join(', ')})`,
  };
}

function clusterSetLookup(
  host: string,
  labels: string[],
  clusters: ReadonlyMap<string, ClusterApi>,
): Resolution {
  const base = labels.slice(0, -3);
  if (base.length !== 2 && base.length !== 4)
    return {
      error: `${host}: clusterset.local names are <svc>.<ns>.svc.clusterset.local or <pod>.<clusterid>.<svc>.<ns>.svc.clusterset.local`,
    };
  const [svc, ns] = base.slice(-2);
  const exporting = networkClusters(clusters).filter(
    c => safeGet(c, MCS_API, 'ServiceExport', ns, svc) && service(c, ns, svc),
  );
  if (!exporting.length)
    return {
      error: `${host} does not resolve: no cluster exports Service ${ns}/${svc} (a ServiceExport is missing)`,
    };
  if (base.length === 2) {
    if (exporting.length === 1)
      return {
        cluster: exporting[0].name,
        service: service(exporting[0], ns, svc),
      };
    return {
      error: `${host} leads to several clusters (${exporting
        .map(c => c.name)
        .join(', ')}), not to one source`,
    };
  }
  const [pod, id] = base;
  const target = exporting.find(c => mcsClusterId(c) === id);
  if (!target)
    return {
      error: `${host} does not resolve: no cluster with MCS id ${id} exports Service ${ns}/${svc}`,
    };
  if (!hasPodBehind(target, ns, svc, pod))
    return {
      error: `${host} does not resolve: cluster ${target.name} has no pod ${pod} behind the headless Service ${ns}/${svc}`,
    };
  return { cluster: target.name, service: service(target, ns, svc) };
}

function serviceLookup(
  host: string,
  svc: string,
  ns: string,
  own: ClusterApi,
  clusters: ReadonlyMap<string, ClusterApi>,
): Resolution {
  if (!isMeshMember(own)) {
    const s = service(own, ns, svc);
    return s
      ? { cluster: own.name, service: s }
      : {
          error: `${host} does not resolve in ${own.name}: no Service ${ns}/${svc} there, and cluster.local names resolve only inside their cluster`,
        };
  }
  const holders = networkClusters(clusters).filter(
    c => isMeshMember(c) && service(c, ns, svc),
  );
  const target = holders.find(c => c.name === own.name) ?? holders[0];
  if (!target)
    return {
      error: `${host} does not resolve in ${own.name}: no mesh cluster has a Service ${ns}/${svc}`,
    };
  if (target.name !== own.name && holders.length > 1)
    return {
      error: `${host} leads to several mesh clusters (${holders
        .map(c => c.name)
        .join(', ')}), not to one source`,
    };
  return { cluster: target.name, service: service(target, ns, svc) };
}

function clusterLocalLookup(
  host: string,
  labels: string[],
  own: ClusterApi,
  clusters: ReadonlyMap<string, ClusterApi>,
): Resolution {
  const base = labels.slice(0, -3);
  if (base.length === 2)
    return serviceLookup(host, base[0], base[1], own, clusters);
  if (base.length === 3) {
    const [pod, svc, ns] = base;
    return hasPodBehind(own, ns, svc, pod)
      ? { cluster: own.name, service: service(own, ns, svc) }
      : {
          error: `${host} does not resolve in ${own.name}: no pod ${pod} behind a headless Service ${ns}/${svc} there (pod names under cluster.local resolve only inside their cluster)`,
        };
  }
  return { error: `${host} is not a Service or pod name` };
}

/**
 * Where `host` leads from a pod in namespace `namespace` of cluster `own`.
 * Names without a known suffix go through the pod's DNS search path.
 */
export function resolveHost(
  rawHost: string,
  own: ClusterApi,
  clusters: ReadonlyMap<string, ClusterApi>,
  namespace = 'default',
): Resolution {
  const host = cleanHost(rawHost);
  const published = publishedAddress(host, clusters);
  if (published) return published;
  if (/^[0-9.]+$/.test(host) || host.includes(':'))
    return { error: `${host}: no Service publishes this address` };
  const labels = host.split('.');
  if (host.endsWith('.svc.clusterset.local'))
    return clusterSetLookup(host, labels, clusters);
  if (host.endsWith('.svc.cluster.local'))
    return clusterLocalLookup(host, labels, own, clusters);
  const search = [
    `${host}.${namespace}.svc.cluster.local`,
    `${host}.svc.cluster.local`,
    `${host}.cluster.local`,
  ].filter(c => c.endsWith('.svc.cluster.local'));
  const tried = search.map(c =>
    clusterLocalLookup(c, c.split('.'), own, clusters),
  );
  return tried.find(r => !r.error) ?? tried[0];
}
