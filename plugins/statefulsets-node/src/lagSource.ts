/*
 * The contract of a lag source: a system outside the clusters (Prometheus,
 * a monitoring API) that measures how far a replica is behind, looked up per
 * engine. The backend puts its readings onto the replication providers'
 * links and into the failover's lag checks and catch-up waits.
 */
import { ExternalLagReading } from '@multicluster/backstage-plugin-statefulsets-common';

/** Names the lag series of one replicating workload. */
export interface LagTarget {
  /** The entity's engine (`multicluster-statefulsets/engine`). */
  engine: string;
  namespace: string;
  /** The StatefulSet (or operator object, e.g. a CloudNativePG `Cluster`) replicating. */
  workload: string;
  /** The cluster of the replica whose lag is asked for. */
  cluster: string;
  /** The cluster it replicates from, when known. */
  source?: string;
}

/** Measures replication lag outside the clusters. */
export interface LagSource {
  /** Stable id, recorded on the links it measured (`lagSource`). */
  readonly id: string;
  /** Whether the source measures this engine; other engines keep their provider's lag. */
  supportsEngine(engine: string): boolean;
  /**
   * The current lag of a replica. Never throws for a failing source: the
   * reading is unknown, with the reason. Rethrows only the caller's abort.
   */
  readLag(
    target: LagTarget,
    options?: { signal?: AbortSignal },
  ): Promise<ExternalLagReading>;
}
