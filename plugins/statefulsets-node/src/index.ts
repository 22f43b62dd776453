/*
 * Extension points of the multi-cluster StatefulSets backend: replication
 * providers, traffic routers and lag sources, with the built-in
 * implementations.
 */
export * from './types';
export * from './extensions';
export * from './builtin';
export * from './failover';
export * from './lagSource';
