/*
 * Scaffolder actions that generate and apply multi-cluster StatefulSet
 * databases: the backend module (default export), the action factories, the
 * backend client, and the pure generator for reuse elsewhere.
 */
export { scaffolderModuleMulticlusterStatefulsets as default } from './module';
export {
  createGenerateStatefulSetAction,
  GENERATE_ACTION_ID,
} from './actions/generate';
export {
  createApplyStatefulSetAction,
  APPLY_ACTION_ID,
  catalogPathOf,
} from './actions/apply';
export {
  createFailoverAction,
  FAILOVER_ACTION_ID,
  failoverPath,
} from './actions/failover';
export { StatefulsetsBackendClient } from './backend/StatefulsetsBackendClient';
export type { BackendCallOptions } from './backend/StatefulsetsBackendClient';
export {
  DiscoveryClusterDirectory,
  StaticClusterDirectory,
  STATEFULSETS_PLUGIN_ID,
} from './clusters/ClusterDirectory';
export type { ClusterDirectory } from './clusters/ClusterDirectory';
export { generateManifests } from './generate/generateManifests';
export { validateManifests } from './generate/validateManifests';
export type * from './generate/types';
