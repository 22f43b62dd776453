/*
 * Failover planning: types of plans and runs, the pure planner, the words
 * in which providers describe their steps, and the GitOps marker detection
 * the planner relies on.
 */
export * from './types';
export * from './gitops';
export * from './planFailover';
export * from './failoverModes';
export { failoverWorkloadOf, findFailoverSource } from './failoverSides';
export * from './stepDescriptions';
export * from './ownershipCheck';
