/*
 * Extension points of the multi-cluster StatefulSets backend: replication
 * providers and traffic routers, with the built-in implementations.
 */
export * from './types';
export * from './extensions';
export * from './providers';
export * from './failover';
