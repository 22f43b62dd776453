/*
 * The frontend's view of the multi-cluster StatefulSets backend: an API
 * interface (so tests and other apps can provide their own) and its ref.
 */
import { createApiRef } from '@backstage/core-plugin-api';
import { CompoundEntityRef } from '@backstage/catalog-model';
import {
  ClusterHealth,
  EntityTopology,
  FailoverPlan,
  FailoverRequest,
  FailoverRun,
  FailoverRunDetails,
  RestModels,
  StartFailoverRequest,
} from '@multicluster/backstage-plugin-statefulsets-common';

export type { FailoverRequest, StartFailoverRequest };

/** The replication lag of an entity's links over a window, with the threshold and the runs. */
export type LagHistory = RestModels.LagHistory;
/** How far back a lag history reaches. */
export type LagHistoryWindow = RestModels.LagHistoryWindow;

/** Databases found in two or more clusters, with the entity suggested for each. */
export type DiscoveredDatabases = RestModels.DiscoveredDatabases;
/** One database found in two or more clusters. */
export type DiscoveredDatabase = RestModels.DiscoveredDatabase;

/** Result of a conditional topology read. */
export type TopologyResponse =
  | { notModified: true; etag: string }
  | { notModified: false; etag?: string; topology: EntityTopology };

/** Reads topologies and clusters from the multi-cluster StatefulSets backend. */
export interface MultiClusterStatefulSetsApi {
  /** The entity's topology; with `etag`, answers `notModified` when unchanged. */
  getTopology(
    entityRef: CompoundEntityRef,
    options?: { etag?: string; signal?: AbortSignal },
  ): Promise<TopologyResponse>;
  /** The configured clusters with region, zones and health. */
  listClusters(): Promise<ClusterHealth[]>;
  /** The dry-run plan of a failover, with its checks. */
  planFailover(
    entityRef: CompoundEntityRef,
    request: FailoverRequest,
  ): Promise<FailoverPlan>;
  /** Starts a failover run; `confirm` is the entity's name. */
  startFailover(
    entityRef: CompoundEntityRef,
    request: StartFailoverRequest,
  ): Promise<{ id: string }>;
  /** The entity's failover runs, newest first. */
  listFailoverRuns(entityRef: CompoundEntityRef): Promise<FailoverRun[]>;
  /** One run with its journal of steps. */
  getFailoverRun(
    entityRef: CompoundEntityRef,
    id: string,
  ): Promise<FailoverRunDetails>;
  /** The lag of each replication link over the last hour or day. */
  getLagHistory(
    entityRef: CompoundEntityRef,
    window: LagHistoryWindow,
    options?: { signal?: AbortSignal },
  ): Promise<LagHistory>;
  /**
   * The databases discovery found in the clusters, with the entity
   * suggested for each (optional: implementations written before discovery
   * may lack it; the page then says so).
   */
  listDiscoveredDatabases?(): Promise<DiscoveredDatabases>;
}

/** Ref of {@link MultiClusterStatefulSetsApi}. */
export const multiClusterStatefulSetsApiRef =
  createApiRef<MultiClusterStatefulSetsApi>({
    id: 'plugin.multicluster-statefulsets.service',
  });
