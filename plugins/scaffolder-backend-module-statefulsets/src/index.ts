/*
 * Scaffolder actions that generate multi-cluster StatefulSet databases:
 * the backend module (default export), the action factory, and the pure
 * generator for reuse elsewhere.
 */
export { scaffolderModuleMulticlusterStatefulsets as default } from './module';
export {
  createGenerateStatefulSetAction,
  GENERATE_ACTION_ID,
} from './actions/generate';
export {
  DiscoveryClusterDirectory,
  StaticClusterDirectory,
  STATEFULSETS_PLUGIN_ID,
} from './clusters/ClusterDirectory';
export type { ClusterDirectory } from './clusters/ClusterDirectory';
export { generateManifests } from './generate/generateManifests';
export { validateManifests } from './generate/validateManifests';
export type * from './generate/types';
