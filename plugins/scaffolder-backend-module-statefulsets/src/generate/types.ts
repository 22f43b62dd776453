/*
 * The request the generator takes and the result it returns. Kept apart from
 * the scaffolder action so the same shapes serve the action, tests and bench.
 */
import type { TrafficRouting } from '@multicluster/backstage-plugin-statefulsets-common';

/** Database engines the generator knows how to replicate. */
export type Engine =
  | 'mysql'
  | 'postgresql'
  | 'mongodb'
  | 'kafka'
  | 'elasticsearch'
  | 'generic';

/** How the clusters share the writes. */
export type Strategy = 'active-passive' | 'active-active';

/** How the StatefulSets reach their clusters. */
export type Federation = 'none' | 'kubefed' | 'karmada';

/** How clients reach the database across clusters (the topology's and the plan's `routing` too). */
export type Routing = TrafficRouting;

/** A cluster as the backend plugin's `GET /clusters` describes it. */
export interface ClusterInfo {
  name: string;
  title?: string;
  region?: string;
  zones?: string[];
  /**
   * `karmada`: this entry is the Karmada API server, where Karmada's
   * policies and resource templates go; it is no member and runs no
   * database. `kubefed`: the KubeFed host cluster (it may be a member too).
   */
  federationHost?: 'karmada' | 'kubefed';
}

/** One cluster the database should run in, as the template asks for it. */
export interface ClusterPlacement {
  name: string;
  role: 'active' | 'passive';
  weight: number;
  replicas: number;
  storageClass?: string;
  ordinalsStart?: number;
  /** The cluster's id in the MCS ClusterSet (its `cluster.clusterset.k8s.io` ClusterProperty); defaults to `name`. */
  mcsClusterId?: string;
}

/** A CephFS file system shared by every cluster through a static CSI volume. */
export interface CephFsSource {
  fsName: string;
  path: string;
  clusterID: string;
  secretRef: { name: string; namespace?: string };
}

/** Volume settings of every pod. */
export interface StorageRequest {
  size: string;
  storageClass?: string;
  accessMode?: 'ReadWriteOnce' | 'ReadWriteMany';
  sharedVolume?: { cephfs?: CephFsSource };
}

/** Compute resources of the database container. */
export interface ResourceRequest {
  requests?: { cpu?: string; memory?: string };
  limits?: { cpu?: string; memory?: string };
}

/**
 * What CloudNativePG needs from the platform to link replica clusters: the
 * Secrets of a CA every cluster shares, present under the same name in the
 * database's namespace of every cluster. Each cluster's operator issues its
 * server and `streaming_replica` certificates from them, so every side
 * trusts the others.
 */
export interface PostgresqlRequest {
  /** Secret with `ca.crt` and `ca.key` of the CA that issues the server certificates. */
  serverCASecret?: string;
  /** Secret with `ca.crt` and `ca.key` of the CA that issues client certificates; serverCASecret when empty. */
  clientCASecret?: string;
}

/** A licence that includes cross-cluster replication. */
export type ElasticsearchLicence = 'enterprise' | 'platinum' | 'trial';

/**
 * What Elasticsearch needs from the platform: a licence that includes
 * cross-cluster replication, and transport certificates every cluster
 * trusts, since the clusters replicate over the transport port.
 */
export interface ElasticsearchRequest {
  /** The licence the clusters run under; `trial` starts a 30-day trial. */
  licence?: ElasticsearchLicence;
  /** Secret with `tls.crt`, `tls.key` and `ca.crt`, issued in every cluster by one shared CA. */
  transportTlsSecret?: string;
  /** True when the platform sets vm.max_map_count to 262144 or more on the nodes, so Elasticsearch may use mmap. */
  nodesAllowMmap?: boolean;
}

/** Everything the generator needs; optional fields get engine defaults. */
export interface GenerateRequest {
  name: string;
  namespace: string;
  engine: Engine;
  image?: string;
  version?: string;
  port?: number;
  strategy: Strategy;
  clusters: ClusterPlacement[];
  storage: StorageRequest;
  federation?: Federation;
  routing?: Routing;
  globalHost?: string;
  resources?: ResourceRequest;
  owner: string;
  system?: string;
  lifecycle?: string;
  description?: string;
  allowedRegions?: string[];
  maxFailoverLagSeconds?: number;
  /** Elasticsearch only: licence and transport certificates; required. */
  elasticsearch?: ElasticsearchRequest;
  /** PostgreSQL only: the shared CA; required with more than one cluster. */
  postgresql?: PostgresqlRequest;
}

/** One generated file, relative to the target directory. */
export interface GeneratedFile {
  path: string;
  content: string;
  /** The cluster the file is applied to; absent for files every member gets or none. */
  cluster?: string;
}

/** What to apply to one cluster, in order. */
export interface ClusterTarget {
  name: string;
  region?: string;
  /** The database role the cluster plays; absent on a host that only runs the federation control plane. */
  role?: 'active' | 'passive';
  /** True when the federation objects are applied here. */
  federationHost?: boolean;
  manifests: string[];
}

/** The generator's result: the files, the apply plan per cluster and the entity. */
export interface GenerateResult {
  files: GeneratedFile[];
  targets: ClusterTarget[];
  entityRef: string;
  /** Things that are allowed but deserve a second look. */
  warnings: string[];
  /** Every Kubernetes object generated, in file order, for validation. */
  objects: Array<{ path: string; object: KubeObject }>;
}

/** The minimal shape every generated Kubernetes object has. */
export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  };
  [key: string]: unknown;
}
