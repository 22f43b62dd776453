/*
 * The extension point through which backend modules add replication
 * providers and traffic routers to the multi-cluster StatefulSets backend.
 */
import { createExtensionPoint } from '@backstage/backend-plugin-api';
import { ReplicationProvider, TrafficRouter } from './types';

/** Lets modules install replication providers and traffic routers. */
export interface MulticlusterStatefulsetsExtensionPoint {
  /** Adds providers; they are consulted before the built-in ones, in the order added. */
  addReplicationProvider(...providers: ReplicationProvider[]): void;
  /** Adds routers; they are consulted before the built-in ones, in the order added. */
  addTrafficRouter(...routers: TrafficRouter[]): void;
}

/** Extension point of the `multicluster-statefulsets` backend plugin. */
export const multiclusterStatefulsetsExtensionPoint =
  createExtensionPoint<MulticlusterStatefulsetsExtensionPoint>({
    id: 'multicluster-statefulsets.extensions',
  });
