/*
 * The write side of the extension points: failover-capable replication
 * providers and traffic routers.
 */
export * from './types';
export * from './guards';
