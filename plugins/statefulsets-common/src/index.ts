/*
 * Shared types, permissions, annotation keys and the pure topology, drift and
 * readiness logic of the multi-cluster StatefulSets plugins.
 */
export * from './annotations';
export * from './permissions';
export * from './policyDecision';
export * from './types';
export * from './kube';
export * from './entityPolicy';
export * from './buildWorkloads';
export * from './traffic';
export * from './replication';
export * from './lagOverlay';
export * from './federation';
export * from './drift';
export * from './readiness';
export * from './buildTopology';
export * from './ownership';
export * from './failover';
