/*
 * Failover planning: types of plans and runs, the pure planner, and the
 * GitOps marker detection it relies on.
 */
export * from './types';
export * from './gitops';
export * from './planFailover';
export * from './ownershipCheck';
