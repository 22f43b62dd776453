/*
 * The slice of Kubernetes object shapes the topology logic reads. Kept local
 * (instead of importing @kubernetes/client-node) so this package stays usable
 * in the browser; every field is optional because clusters answer with all
 * sorts of partial objects.
 */

/** Object metadata fields the topology reads. */
export interface KubeMetadata {
  name: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: Array<{ kind: string; name: string; apiVersion?: string }>;
}

/** Any Kubernetes object; spec and status are read defensively. */
export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata: KubeMetadata;
  spec?: any;
  status?: any;
}

/** The objects of one cluster that concern one entity. */
export interface ClusterObjects {
  statefulSets: KubeObject[];
  pods: KubeObject[];
  persistentVolumeClaims: KubeObject[];
  persistentVolumes: KubeObject[];
  services: KubeObject[];
  nodes: KubeObject[];
  virtualServices: KubeObject[];
  destinationRules: KubeObject[];
  serviceEntries: KubeObject[];
  federatedStatefulSets: KubeObject[];
  propagationPolicies: KubeObject[];
  overridePolicies: KubeObject[];
  serviceExports: KubeObject[];
  cnpgClusters: KubeObject[];
  /** Strimzi `Kafka` resources (read namespace-wide, kept when related to the entity's workloads). */
  strimziKafkas: KubeObject[];
  /** Strimzi `KafkaNodePool` resources (read namespace-wide, kept when related to the entity's workloads). */
  strimziNodePools: KubeObject[];
  /** Strimzi `KafkaMirrorMaker2` resources (read namespace-wide, kept when related to the entity's workloads). */
  strimziMirrorMakers2: KubeObject[];
  /** ECK `Elasticsearch` resources (read namespace-wide, kept when related to the entity's workloads). */
  elasticsearches: KubeObject[];
  /** Percona `PerconaXtraDBCluster` resources (read namespace-wide, kept when related to the entity's workloads). */
  perconaXtraDbClusters: KubeObject[];
  /** Percona `PerconaServerMongoDB` resources (read namespace-wide, kept when related to the entity's workloads). */
  perconaServerMongodbs: KubeObject[];
  /** Zalando `postgresql` resources (read namespace-wide, kept when related to the entity's workloads). */
  zalandoPostgresqls: KubeObject[];
  /** MongoDB `MongoDBCommunity` resources (read namespace-wide, kept when related to the entity's workloads). */
  mongodbCommunities: KubeObject[];
  /** MySQL Operator `InnoDBCluster` resources (read namespace-wide, kept when related to the entity's workloads). */
  innodbClusters: KubeObject[];
}

/** A `ClusterObjects` with every list empty, to fill partially in tests and adapters. */
export function emptyClusterObjects(): ClusterObjects {
  return {
    statefulSets: [],
    pods: [],
    persistentVolumeClaims: [],
    persistentVolumes: [],
    services: [],
    nodes: [],
    virtualServices: [],
    destinationRules: [],
    serviceEntries: [],
    federatedStatefulSets: [],
    propagationPolicies: [],
    overridePolicies: [],
    serviceExports: [],
    cnpgClusters: [],
    strimziKafkas: [],
    strimziNodePools: [],
    strimziMirrorMakers2: [],
    elasticsearches: [],
    perconaXtraDbClusters: [],
    perconaServerMongodbs: [],
    zalandoPostgresqls: [],
    mongodbCommunities: [],
    innodbClusters: [],
  };
}

/** Reads an annotation, treating an empty string as absent. */
export function annotationOf(
  obj: { metadata?: { annotations?: Record<string, string> } } | undefined,
  key: string,
): string | undefined {
  const value = obj?.metadata?.annotations?.[key];
  return value === undefined || value === '' ? undefined : value;
}

/** Reads a label, treating an empty string as absent. */
export function labelOf(
  obj: { metadata?: { labels?: Record<string, string> } } | undefined,
  key: string,
): string | undefined {
  const value = obj?.metadata?.labels?.[key];
  return value === undefined || value === '' ? undefined : value;
}
