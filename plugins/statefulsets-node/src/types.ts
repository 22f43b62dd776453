/*
 * The contracts of the backend's extension points: replication providers
 * (who replicates from whom, how far behind) and traffic routers (how traffic
 * is split across clusters). Both read from the backend's watch cache through
 * a `ClusterView`, never from the clusters directly.
 */
import {
  ClusterError,
  ClusterInfo,
  ClusterObjects,
  EntityPolicy,
  ReplicationLink,
  TrafficSplit,
} from '@multicluster/backstage-plugin-statefulsets-common';

/** What the backend knows about one cluster for one entity. */
export interface ClusterView {
  cluster: ClusterInfo;
  /** The entity's objects in that cluster; absent when the cluster could not be read. */
  objects?: ClusterObjects;
  error?: ClusterError;
}

/** The entity a provider or router is asked about. */
export interface EntityContext {
  /** Stringified entity ref, e.g. `component:default/orders-db`. */
  entityRef: string;
  /** The entity's annotations. */
  annotations: Record<string, string>;
  /** Policy read from the annotations. */
  policy: EntityPolicy;
  /** Every configured cluster, readable or not. */
  clusters: ClusterView[];
  /** Milliseconds since the epoch; providers never read the clock themselves. */
  now: number;
}

/**
 * Reports replication between clusters for an engine. Several providers may
 * be installed; the first whose `supports` returns true answers.
 */
export interface ReplicationProvider {
  /** Stable id, shown on each link it reports (e.g. `generic`, `cloudnative-pg`). */
  readonly id: string;
  /** Whether this provider can speak for the entity (usually by engine or by the objects present). */
  supports(context: EntityContext): boolean;
  /** The replication links of the entity. Must not throw for one broken cluster. */
  readReplication(context: EntityContext): Promise<ReplicationLink[]>;
}

/**
 * Reads (and, in a later version, moves) how traffic is split across the
 * entity's clusters. The first router returning a split other than
 * `source: 'none'` wins.
 */
export interface TrafficRouter {
  /** Stable id (e.g. `istio`, `mcs`). */
  readonly id: string;
  /** The current split, or undefined when this router finds no route for the entity. */
  readTraffic(context: EntityContext): Promise<TrafficSplit | undefined>;
}
