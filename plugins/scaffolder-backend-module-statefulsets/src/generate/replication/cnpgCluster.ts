/*
 * PostgreSQL replication: CloudNativePG runs one Cluster per Kubernetes
 * cluster and links them into a distributed replica topology, so the
 * workload itself carries the replication settings.
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
    bootstrap:
      c.name === primary.name
        ? { initdb: { database: 'app', owner: 'app' } }
        : { pg_basebackup: { source: peerName(primary) } },
    replica: {
      self: peerName(c),
      primary: peerName(primary),
      source: peerName(source),
    },
    externalClusters: r.clusters.map(o => ({
      name: peerName(o),
      connectionParameters: {
        host: clusterServiceAddress(r, o),
        user: 'streaming_replica',
        dbname: 'postgres',
        sslmode: 'verify-full',
      },
      sslKey: { name: `${r.name}-replication`, key: 'tls.key' },
      sslCert: { name: `${r.name}-replication`, key: 'tls.crt' },
      sslRootCert: { name: `${r.name}-ca`, key: 'ca.crt' },
    })),
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
