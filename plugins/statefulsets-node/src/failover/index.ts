/*
 * The write side of the extension points: failover-capable replication
 * providers and traffic routers, and how a provider's steps read in a plan.
 */
export * from './types';
export * from './guards';
export * from './stepDescriptions';
export * from './polling';
