/*
 * The annotation and label keys that tie catalog entities and Kubernetes
 * objects to this plugin. Scaffolder, backend, frontend and the replication
 * exporter all read these names from here so they cannot drift apart.
 */

/** Prefix of every annotation and label this plugin owns. */
export const ANNOTATION_PREFIX = 'multicluster-statefulsets';

/** Entity annotation: the database engine (mysql, postgresql, mongodb, kafka, elasticsearch, generic). */
export const ANNOTATION_ENGINE = `${ANNOTATION_PREFIX}/engine`;
/** Entity annotation: active-passive or active-active. */
export const ANNOTATION_STRATEGY = `${ANNOTATION_PREFIX}/strategy`;
/** Entity annotation: `namespace/name` of the VirtualService that splits traffic across clusters. */
export const ANNOTATION_TRAFFIC = `${ANNOTATION_PREFIX}/traffic`;
/** Entity annotation: seconds of replication lag a switchover tolerates. */
export const ANNOTATION_MAX_FAILOVER_LAG = `${ANNOTATION_PREFIX}/max-failover-lag`;
/**
 * Entity annotation: seconds the source may be unable to take writes during
 * a switchover before the run gives up and gives it back (default 15).
 */
export const ANNOTATION_FENCE_BUDGET = `${ANNOTATION_PREFIX}/fence-budget`;
/** Entity annotation: comma-separated region patterns (e.g. `eu-*`) the data may live in. */
export const ANNOTATION_ALLOWED_REGIONS = `${ANNOTATION_PREFIX}/allowed-regions`;

/**
 * Object annotation: the catalog entity (`kind:namespace/name`, as
 * `stringifyEntityRef` writes it) that owns a Kubernetes object. The backend
 * stamps it on every object it applies; failover acts only on workloads and
 * routes stamped for the entity it was authorised on. A database the portal
 * did not create gets it from its owner (`kubectl annotate`).
 */
export const ANNOTATION_OWNER_ENTITY = `${ANNOTATION_PREFIX}/owner-entity`;

/** StatefulSet annotation: active, passive or fenced. */
export const ANNOTATION_ROLE = `${ANNOTATION_PREFIX}/role`;
/** StatefulSet annotation: the cluster this side replicates from. */
export const ANNOTATION_REPLICATION_SOURCE = `${ANNOTATION_PREFIX}/replication-source`;
/** StatefulSet annotation: current lag behind the source, in seconds. */
export const ANNOTATION_REPLICATION_LAG_SECONDS = `${ANNOTATION_PREFIX}/replication-lag-seconds`;
/** StatefulSet annotation: RFC 3339 time the lag was measured. */
export const ANNOTATION_REPLICATION_LAG_OBSERVED_AT = `${ANNOTATION_PREFIX}/replication-lag-observed-at`;
/**
 * StatefulSet (or CloudNativePG Cluster) annotation, written by the
 * replication exporter: why this side does not replicate from its source
 * (e.g. the source host does not resolve from its cluster). Present only
 * while the link is broken; no lag is measured then.
 */
export const ANNOTATION_REPLICATION_ERROR = `${ANNOTATION_PREFIX}/replication-error`;

/** Pod label: primary, replica or arbiter. */
export const LABEL_POD_ROLE = `${ANNOTATION_PREFIX}/pod-role`;
/** CloudNativePG pod label carrying primary or replica. */
export const LABEL_CNPG_INSTANCE_ROLE = 'cnpg.io/instanceRole';
/** CloudNativePG pod and claim label naming the owning `Cluster`. */
export const LABEL_CNPG_CLUSTER = 'cnpg.io/cluster';
/** CloudNativePG annotation listing fenced instances. */
export const ANNOTATION_CNPG_FENCED_INSTANCES = 'cnpg.io/fencedInstances';

/** Official Kubernetes plugin entity annotation: the id objects are labelled with. */
export const ANNOTATION_KUBERNETES_ID = 'backstage.io/kubernetes-id';
/** Official Kubernetes plugin entity annotation: a label selector for the objects. */
export const ANNOTATION_KUBERNETES_LABEL_SELECTOR =
  'backstage.io/kubernetes-label-selector';
/** Official Kubernetes plugin entity annotation: restricts objects to one namespace. */
export const ANNOTATION_KUBERNETES_NAMESPACE =
  'backstage.io/kubernetes-namespace';

/** Label Istio uses on DestinationRule subsets to tie a subset to a cluster. */
export const LABEL_ISTIO_CLUSTER = 'topology.istio.io/cluster';
/** Well-known node label carrying the region. */
export const LABEL_TOPOLOGY_REGION = 'topology.kubernetes.io/region';
/** Well-known node label carrying the zone. */
export const LABEL_TOPOLOGY_ZONE = 'topology.kubernetes.io/zone';

/** Lag measurements older than this are reported as unknown. */
export const LAG_FRESHNESS_SECONDS = 30;
/** Default for the max-failover-lag entity annotation. */
export const DEFAULT_MAX_FAILOVER_LAG_SECONDS = 5;
/** Default for the fence-budget entity annotation. */
export const DEFAULT_FENCE_BUDGET_SECONDS = 15;
/** Bounds of the fence-budget entity annotation, in seconds. */
export const FENCE_BUDGET_RANGE_SECONDS = { min: 1, max: 3600 } as const;

/** Signal channel carrying a new ETag whenever an entity's topology changes. */
export function topologySignalChannel(entityRef: string): string {
  return `${ANNOTATION_PREFIX}:topology:${entityRef}`;
}
