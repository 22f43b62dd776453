/*
 * The kinds the topology needs, where they live in the API, and which API
 * group must be served (by discovery) before an informer is started for them.
 */
import { ClusterObjects } from '@multicluster/backstage-plugin-statefulsets-common';
import { resourcePath } from './resourcePaths';

/** One kind the watch cache may hold. */
export interface KindSpec {
  key: keyof ClusterObjects;
  /** The object kind, as in `kind:`. */
  kind: string;
  /** API group; '' for the core group. */
  group: string;
  /** Versions to use, most preferred first; discovery picks the first served. */
  versions: string[];
  plural: string;
  /** Cluster-scoped kinds are watched whole, without the entity's selector. */
  clusterScoped: boolean;
  /**
   * Watched per namespace without the entity's selector: claims created from
   * volumeClaimTemplates carry the template's labels, not the StatefulSet's,
   * and operators' resources those of whoever wrote them.
   */
  namespaceWide?: boolean;
  /**
   * Also watched whole in the namespace the entity's traffic annotation
   * names: a route need not carry the entity's labels.
   */
  routeWide?: boolean;
}

/** Every kind the topology reads. */
export const KINDS: KindSpec[] = [
  {
    key: 'statefulSets',
    kind: 'StatefulSet',
    group: 'apps',
    versions: ['v1'],
    plural: 'statefulsets',
    clusterScoped: false,
  },
  {
    key: 'pods',
    kind: 'Pod',
    group: '',
    versions: ['v1'],
    plural: 'pods',
    clusterScoped: false,
  },
  {
    key: 'persistentVolumeClaims',
    kind: 'PersistentVolumeClaim',
    group: '',
    versions: ['v1'],
    plural: 'persistentvolumeclaims',
    clusterScoped: false,
    namespaceWide: true,
  },
  {
    key: 'services',
    kind: 'Service',
    group: '',
    versions: ['v1'],
    plural: 'services',
    clusterScoped: false,
  },
  {
    key: 'persistentVolumes',
    kind: 'PersistentVolume',
    group: '',
    versions: ['v1'],
    plural: 'persistentvolumes',
    clusterScoped: true,
  },
  {
    key: 'nodes',
    kind: 'Node',
    group: '',
    versions: ['v1'],
    plural: 'nodes',
    clusterScoped: true,
  },
  {
    key: 'virtualServices',
    kind: 'VirtualService',
    group: 'networking.istio.io',
    versions: ['v1', 'v1beta1', 'v1alpha3'],
    plural: 'virtualservices',
    clusterScoped: false,
    routeWide: true,
  },
  {
    key: 'destinationRules',
    kind: 'DestinationRule',
    group: 'networking.istio.io',
    versions: ['v1', 'v1beta1', 'v1alpha3'],
    plural: 'destinationrules',
    clusterScoped: false,
    routeWide: true,
  },
  {
    key: 'serviceEntries',
    kind: 'ServiceEntry',
    group: 'networking.istio.io',
    versions: ['v1', 'v1beta1', 'v1alpha3'],
    plural: 'serviceentries',
    clusterScoped: false,
  },
  {
    key: 'federatedStatefulSets',
    kind: 'FederatedStatefulSet',
    group: 'types.kubefed.io',
    versions: ['v1beta1'],
    plural: 'federatedstatefulsets',
    clusterScoped: false,
  },
  {
    key: 'propagationPolicies',
    kind: 'PropagationPolicy',
    group: 'policy.karmada.io',
    versions: ['v1alpha1'],
    plural: 'propagationpolicies',
    clusterScoped: false,
  },
  {
    key: 'overridePolicies',
    kind: 'OverridePolicy',
    group: 'policy.karmada.io',
    versions: ['v1alpha1'],
    plural: 'overridepolicies',
    clusterScoped: false,
  },
  {
    key: 'serviceExports',
    kind: 'ServiceExport',
    group: 'multicluster.x-k8s.io',
    versions: ['v1alpha1'],
    plural: 'serviceexports',
    clusterScoped: false,
  },
  {
    key: 'cnpgClusters',
    kind: 'Cluster',
    group: 'postgresql.cnpg.io',
    versions: ['v1'],
    plural: 'clusters',
    clusterScoped: false,
  },
  // Databases' operators: their resources rarely carry the labels of the
  // workloads they run, so they are read whole per namespace and kept when
  // they run one of the entity's pods or StatefulSets
  // (`keepRelatedOperatorObjects`).
  {
    key: 'strimziKafkas',
    kind: 'Kafka',
    group: 'kafka.strimzi.io',
    versions: ['v1', 'v1beta2'],
    plural: 'kafkas',
    clusterScoped: false,
    namespaceWide: true,
  },
  {
    key: 'strimziNodePools',
    kind: 'KafkaNodePool',
    group: 'kafka.strimzi.io',
    versions: ['v1', 'v1beta2'],
    plural: 'kafkanodepools',
    clusterScoped: false,
    namespaceWide: true,
  },
  {
    key: 'strimziMirrorMakers2',
    kind: 'KafkaMirrorMaker2',
    group: 'kafka.strimzi.io',
    versions: ['v1', 'v1beta2'],
    plural: 'kafkamirrormaker2s',
    clusterScoped: false,
    namespaceWide: true,
  },
  {
    key: 'elasticsearches',
    kind: 'Elasticsearch',
    group: 'elasticsearch.k8s.elastic.co',
    versions: ['v1', 'v1beta1'],
    plural: 'elasticsearches',
    clusterScoped: false,
    namespaceWide: true,
  },
  {
    key: 'perconaXtraDbClusters',
    kind: 'PerconaXtraDBCluster',
    group: 'pxc.percona.com',
    versions: ['v1'],
    plural: 'perconaxtradbclusters',
    clusterScoped: false,
    namespaceWide: true,
  },
  {
    key: 'perconaServerMongodbs',
    kind: 'PerconaServerMongoDB',
    group: 'psmdb.percona.com',
    versions: ['v1'],
    plural: 'perconaservermongodbs',
    clusterScoped: false,
    namespaceWide: true,
  },
  {
    key: 'zalandoPostgresqls',
    kind: 'postgresql',
    group: 'acid.zalan.do',
    versions: ['v1'],
    plural: 'postgresqls',
    clusterScoped: false,
    namespaceWide: true,
  },
  {
    key: 'mongodbCommunities',
    kind: 'MongoDBCommunity',
    group: 'mongodbcommunity.mongodb.com',
    versions: ['v1'],
    plural: 'mongodbcommunity',
    clusterScoped: false,
    namespaceWide: true,
  },
  {
    key: 'innodbClusters',
    kind: 'InnoDBCluster',
    group: 'mysql.oracle.com',
    versions: ['v2'],
    plural: 'innodbclusters',
    clusterScoped: false,
    namespaceWide: true,
  },
];

/** The kind spec of an object's apiVersion and kind, when the topology reads that kind. */
export function kindSpecOf(
  apiVersion: string,
  kind: string,
): KindSpec | undefined {
  const group = apiVersion.includes('/') ? apiVersion.split('/')[0] : '';
  return KINDS.find(k => k.kind === kind && k.group === group);
}

/** The groups a cluster serves, with their versions, as discovery found them. */
export type ServedGroups = Map<string, string[]>;

/** The API version to use for a kind, or undefined when the cluster does not serve it. */
export function servedVersion(
  kind: KindSpec,
  served: ServedGroups,
): string | undefined {
  if (kind.group === '' || kind.group === 'apps') return kind.versions[0];
  const versions = served.get(kind.group);
  return versions ? kind.versions.find(v => versions.includes(v)) : undefined;
}

/** Parses an `/apis` APIGroupList into served groups; throws on anything else. */
export function parseApiGroupList(body: any): ServedGroups {
  if (!body || !Array.isArray(body.groups)) {
    throw new TypeError('discovery answer has no groups');
  }
  const served: ServedGroups = new Map();
  for (const g of body.groups) {
    if (typeof g?.name !== 'string') continue;
    served.set(
      g.name,
      (g.versions ?? []).map((v: any) => v?.version).filter(Boolean),
    );
  }
  return served;
}

/** The collection path of a kind, in one namespace or all. */
export function collectionPath(
  kind: KindSpec,
  version: string,
  namespace?: string,
): string {
  return resourcePath({
    apiVersion: kind.group === '' ? version : `${kind.group}/${version}`,
    plural: kind.plural,
    namespace: kind.clusterScoped || !namespace ? undefined : namespace,
  });
}
