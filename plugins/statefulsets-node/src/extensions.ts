/*
 * The extension points through which backend modules add replication
 * providers, traffic routers, lag sources and cluster authentication
 * strategies to the
 * multi-cluster StatefulSets backend.
 */
import { createExtensionPoint } from '@backstage/backend-plugin-api';
import { KubernetesAuthStrategyExtensionPoint } from '@backstage/plugin-kubernetes-node';
import { LagSource } from './lagSource';
import { ReplicationProvider, TrafficRouter } from './types';

/** Lets modules install replication providers and traffic routers. */
export interface MulticlusterStatefulsetsExtensionPoint {
  /** Adds providers; they are consulted before the built-in ones, in the order added. */
  addReplicationProvider(...providers: ReplicationProvider[]): void;
  /** Adds routers; they are consulted before the built-in ones, in the order added. */
  addTrafficRouter(...routers: TrafficRouter[]): void;
  /**
   * Adds lag sources; for an engine, the first added that supports it
   * measures its lag, before Prometheus (`multiclusterStatefulsets.prometheus`).
   */
  addLagSource(...sources: LagSource[]): void;
}

/** Extension point of the `multicluster-statefulsets` backend plugin. */
export const multiclusterStatefulsetsExtensionPoint =
  createExtensionPoint<MulticlusterStatefulsetsExtensionPoint>({
    id: 'multicluster-statefulsets.extensions',
  });

/**
 * Lets modules add authentication strategies by `authProvider` name, with the
 * same shape as the official Kubernetes plugin's auth-strategy extension
 * point, so a strategy written for that plugin installs here unchanged.
 */
export type MulticlusterStatefulsetsAuthStrategyExtensionPoint =
  KubernetesAuthStrategyExtensionPoint;

/** Auth-strategy extension point of the `multicluster-statefulsets` backend plugin. */
export const multiclusterStatefulsetsAuthStrategyExtensionPoint =
  createExtensionPoint<MulticlusterStatefulsetsAuthStrategyExtensionPoint>({
    id: 'multicluster-statefulsets.auth-strategy',
  });
