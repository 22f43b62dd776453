/*
 * PostgreSQL replication: CloudNativePG runs one Cluster per Kubernetes
 * cluster and links them into a distributed replica topology, so the
 * workload itself carries the replication settings. The links are TLS with
 * `sslmode: verify-full` and a `streaming_replica` client certificate, so
 * every cluster's operator issues its certificates from the CA all clusters
 * share, and each server certificate names the address the other clusters
 * dial.
 */
import { clusterServiceAddress, primaryCluster } from '../naming';
import { KubeObject } from '../types';
import { NormalizedRequest, ResolvedPlacement } from '../validateRequest';

/** The CloudNativePG `Cluster` of one cluster, wired into the distributed replica topology. */
export function cnpgCluster(
  r: NormalizedRequest,
  c: ResolvedPlacement,
  meta: {
    labels: Record<string, string>;
    annotations: Record<string, string>;
    podLabels: Record<string, string>;
  },
): KubeObject {
  const primary = primaryCluster(r);
  const peerName = (o: ResolvedPlacement) => `${r.name}-${o.name}`;
  // The primary's `source` is where it would replicate from once demoted.
  const fallback = r.clusters.find(o => o.name !== c.name);
  const source = c.name === primary.name ? fallback ?? c : primary;
  const spec: Record<string, unknown> = {
    instances: c.replicas,
    imageName: `${r.image}:${r.version}`,
    enablePDB: true,
    storage: {
      size: r.storage.size,
      ...(c.storageClass ?? r.storage.storageClass
        ? { storageClass: c.storageClass ?? r.storage.storageClass }
        : {}),
    },
    inheritedMetadata: { labels: meta.podLabels },
    certificates: certificates(r, c),
    bootstrap:
      c.name === primary.name
        ? { initdb: { database: 'app', owner: 'app' } }
        : { pg_basebackup: { source: peerName(primary) } },
    replica: {
      self: peerName(c),
      primary: peerName(primary),
      source: peerName(source),
    },
    externalClusters: r.clusters.map(o => externalCluster(r, o, peerName(o))),
  };
  if (r.resources) {
    spec.resources = r.resources;
  }
  return {
    apiVersion: 'postgresql.cnpg.io/v1',
    kind: 'Cluster',
    metadata: {
      name: r.name,
      namespace: r.namespace,
      labels: meta.labels,
      annotations: meta.annotations,
    },
    spec,
  };
}

/**
 * `spec.certificates`: the shared CA Secrets (with `ca.key`, so the operator
 * issues the server and `streaming_replica` certificates from them) and the
 * names clients verify: the address other clusters dial, the client
 * Service's names and, with Istio, the global host.
 */
function certificates(r: NormalizedRequest, c: ResolvedPlacement) {
  const clientService = `${r.name}.${r.namespace}`;
  return {
    ...r.postgresql,
    serverAltDNSNames: [
      clusterServiceAddress(r, c),
      r.name,
      clientService,
      `${clientService}.svc`,
      `${clientService}.svc.cluster.local`,
      ...(r.routing === 'istio' ? [r.globalHost] : []),
    ],
  };
}

/**
 * How this cluster reaches another one: through the address that other
 * cluster's server certificate names, trusting the shared server CA and
 * presenting this cluster's own `streaming_replica` certificate, which the
 * operator issued from the shared client CA (`<name>-replication`).
 */
function externalCluster(
  r: NormalizedRequest,
  o: ResolvedPlacement,
  name: string,
) {
  const replication = `${r.name}-replication`;
  return {
    name,
    connectionParameters: {
      host: clusterServiceAddress(r, o),
      user: 'streaming_replica',
      dbname: 'postgres',
      sslmode: 'verify-full',
    },
    sslKey: { name: replication, key: 'tls.key' },
    sslCert: { name: replication, key: 'tls.crt' },
    // Without a shared CA (one cluster only) the operator's own CA.
    sslRootCert: {
      name: r.postgresql?.serverCASecret ?? `${r.name}-ca`,
      key: 'ca.crt',
    },
  };
}
