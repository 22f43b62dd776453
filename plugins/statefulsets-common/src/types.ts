/*
 * The multi-cluster topology of one catalog entity, exactly as the backend
 * returns it and the frontend renders it.
 */

/** Why a cluster could not be read. */
export type ClusterErrorReason =
  | 'unreachable'
  | 'timeout'
  | 'unauthorized'
  | 'forbidden'
  | 'malformed'
  | 'error';

/** A typed cluster failure; the message never contains credentials. */
export interface ClusterError {
  reason: ClusterErrorReason;
  message: string;
}

/** The part a cluster plays for the entity. */
export type ClusterRole = 'active' | 'passive' | 'fenced' | 'unknown';

/**
 * Where a workload's role was read when not from the explicit
 * `multicluster-statefulsets/role` annotation: the Helm chart's
 * `app.kubernetes.io/component` label or replication settings, or an
 * operator's resource (CloudNativePG's replica settings, Strimzi's
 * MirrorMaker 2, ECK's remote clusters, Percona's cross-site settings,
 * Zalando's standby and `spilo-role` labels, MongoDB Community's and the
 * MySQL Operator's status), or the engine itself as its exporter reports
 * it (mysqld_exporter's read-only flags), which wins over all of these.
 */
export type RoleSource =
  | 'chart-component-label'
  | 'chart-replication-env'
  | 'cloudnative-pg'
  | 'strimzi'
  | 'eck'
  | 'percona-xtradb-cluster'
  | 'percona-server-mongodb'
  | 'zalando-postgres-operator'
  | 'mongodb-community'
  | 'mysql-operator'
  | 'mysqld-exporter'
  | 'postgres-exporter'
  | 'mongodb-exporter'
  | 'elasticsearch-ccr'
  | 'mirrormaker2';

/** The part a pod plays inside its workload. */
export type PodRole = 'primary' | 'replica' | 'arbiter' | 'unknown';

/** Which federation control plane a cluster hosts. */
export type FederationHostKind = 'karmada' | 'kubefed';

/** Static facts about a configured cluster. */
export interface ClusterInfo {
  name: string;
  title?: string;
  region?: string;
  zones: string[];
  federationHost?: FederationHostKind;
}

/** One pod of a stateful workload. */
export interface TopologyPod {
  name: string;
  ordinal?: number;
  phase: string;
  ready: boolean;
  restarts: number;
  node?: string;
  zone?: string;
  role: PodRole;
}

/** One claim of a workload with the volume bound to it. */
export interface TopologyVolume {
  claimName: string;
  /** Requested size, e.g. `10Gi`. */
  size?: string;
  /** Capacity of the bound volume, when known. */
  capacity?: string;
  storageClass?: string;
  accessModes: string[];
  bound: boolean;
  volumeName?: string;
  /** Identity of a shared (RWX) backing store, e.g. a CephFS path; equal ids mean the same data. */
  sharedSource?: string;
  /** Other clusters mounting the same shared source. */
  sharedWith: string[];
}

/**
 * How an object relates to the entity looking at it, read from its
 * `multicluster-statefulsets/owner-entity` stamp: `owned` when stamped for
 * this entity, `unstamped` when it carries no stamp, `conflict` when it is
 * stamped for another entity.
 */
export type OwnershipStatus = 'owned' | 'unstamped' | 'conflict';

/** The ownership stamp of one object as seen by one entity. */
export interface ObjectOwnership {
  status: OwnershipStatus;
  /** The entity the object is stamped for, when it is stamped. */
  owner?: string;
}

/** An object of the entity's topology with its ownership stamp. */
export interface OwnedObjectRef {
  cluster: string;
  kind: string;
  namespace: string;
  name: string;
  ownership: ObjectOwnership;
}

/** Whether every workload and route object of the entity is stamped for it. */
export interface OwnershipSummary {
  /** `conflict` when any object is another entity's, else `unstamped` when any lacks a stamp, else `owned`. */
  status: OwnershipStatus;
  /** Objects stamped for another entity. */
  conflicts: OwnedObjectRef[];
  /** Objects without a stamp. */
  unstamped: OwnedObjectRef[];
}

/** A stateful workload: a StatefulSet or an operator object such as a CloudNativePG `Cluster`. */
export interface TopologyWorkload {
  /**
   * `StatefulSet`, or the operator resource that runs its pods without one
   * (CloudNativePG's `Cluster`, Strimzi's `Kafka`).
   */
  kind: string;
  apiVersion: string;
  name: string;
  namespace: string;
  role: ClusterRole;
  /** Where the role was read; absent when it came from the role annotation or is unknown. */
  roleSource?: RoleSource;
  /** When the engine reports another role than the annotations or labels say: what they said, e.g. `passive`. */
  declaredRole?: ClusterRole;
  /** The chart's `app.kubernetes.io/component` value (e.g. `primary`, `read`, `arbiter`), when set. */
  component?: string;
  replicas: { desired: number; ready: number; updated: number };
  revision?: string;
  image?: string;
  ordinalsStart: number;
  updateStrategy?: string;
  serviceName?: string;
  pods: TopologyPod[];
  volumes: TopologyVolume[];
  /** The workload's ownership stamp; absent when it was not read (counts as unstamped). */
  ownership?: ObjectOwnership;
}

/** One cluster in the entity's topology, or the error that kept it from being read. */
export interface TopologyCluster extends ClusterInfo {
  reachable: boolean;
  /**
   * True when the workloads come from a cache whose connection is currently
   * failing; `error` then says why, and `reachable` is false.
   */
  stale: boolean;
  latencyMs?: number;
  error?: ClusterError;
  role: ClusterRole;
  /** Percentage of traffic routed to this cluster, when a route is known. */
  trafficWeight?: number;
  workloads: TopologyWorkload[];
}

/** Replication of data from one cluster to another. */
export interface ReplicationLink {
  from: string;
  to: string;
  workload: string;
  /** Lag in seconds; null when unknown (not reported or too old). */
  lagSeconds: number | null;
  lagBytes?: number;
  /** False when the lag is unknown or over the entity's bound. */
  healthy: boolean;
  observedAt?: string;
  /** Id of the replication provider that reported the link. */
  provider: string;
  /** Where the lag was measured when not by the provider itself (e.g. `prometheus`). */
  lagSource?: string;
  /** Why the link is not healthy, if it is not. */
  reason?: string;
}

/**
 * The mechanism that routes a database's clients to a cluster: an Istio
 * VirtualService's weights, Multi-Cluster Services' ServiceExports, or
 * nothing the product can move. One name everywhere: the topology's
 * `traffic.routing`, a plan's `routing`, a traffic router's `id` and the
 * Software Template's `routing` parameter.
 */
export type TrafficRouting = 'istio' | 'mcs' | 'none';

/** How traffic is split across clusters. */
export interface TrafficSplit {
  /** Which mechanism routes traffic; `none` when no route was found. */
  routing: TrafficRouting;
  /** Weight (percent) per cluster name. */
  weights: Record<string, number>;
  /** The routing object, as `cluster:namespace/name`. */
  object?: string;
  /** Problems found while reading the route. */
  warnings: string[];
  /**
   * Every routing object a failover would read or rewrite (VirtualService
   * copies, their DestinationRules, ServiceExports), with its stamp.
   */
  objects?: OwnedObjectRef[];
}

/** Where a federation control plane places a workload. */
export interface FederationPlacement {
  kind: 'kubefed' | 'karmada';
  hostCluster: string;
  workload: string;
  clusters: string[];
}

/** A field whose value differs across clusters. */
export interface DriftEntry {
  /** The workload's name, or the counterparts' names joined by ` ↔ ` when they differ. */
  workload: string;
  /** Workload name per cluster, when counterparts with different names were compared. */
  workloads?: Record<string, string>;
  field: string;
  /** Value per cluster; null where the cluster lacks the field or the workload. */
  values: Record<string, string | null>;
}

/** Outcome of one DR readiness check. */
export type CheckStatus = 'pass' | 'warn' | 'fail';

/** A named DR readiness check with its evidence. */
export interface ReadinessCheck {
  id: string;
  title: string;
  status: CheckStatus;
  evidence: string;
}

/** DR readiness verdict. */
export interface DrReadiness {
  verdict: 'ready' | 'degraded' | 'not-ready';
  checks: ReadinessCheck[];
}

/** The entity-level settings that shape the topology and readiness. */
export interface EntityPolicy {
  engine: string;
  strategy: 'active-passive' | 'active-active';
  traffic?: { namespace: string; name: string };
  maxFailoverLagSeconds: number;
  /** Seconds the source may be unable to take writes before promotion (`fence-budget`). */
  fenceBudgetSeconds?: number;
  allowedRegions: string[];
  /** Annotations that were not read (e.g. too long), each saying how to fix it. */
  problems?: string[];
}

/** The complete multi-cluster picture of one entity. */
export interface EntityTopology {
  entityRef: string;
  generatedAt: string;
  policy: EntityPolicy;
  clusters: TopologyCluster[];
  replication: ReplicationLink[];
  traffic: TrafficSplit;
  federation: FederationPlacement[];
  drift: DriftEntry[];
  readiness: DrReadiness;
  /** Whether the workloads and routes are stamped for this entity; absent in topologies built before stamps were read. */
  ownership?: OwnershipSummary;
}

/** Health of one configured cluster, as listed by `GET /clusters`. */
export interface ClusterHealth extends ClusterInfo {
  synced: boolean;
  lastSyncAt?: string;
  lastError?: ClusterError & { at: string };
  /** CRD groups the cluster serves (discovery). */
  servedKinds: string[];
}
