/*
 * Catalog backend module that registers databases created through the
 * multi-cluster StatefulSets Software Template, without a Git host.
 */
export { catalogModuleMulticlusterStatefulsets as default } from './module';
export {
  GeneratedEntityProvider,
  PROVIDER_NAME,
} from './GeneratedEntityProvider';
export {
  DiscoveredEntityProvider,
  DISCOVERY_PROVIDER_NAME,
  discoveredEntities,
} from './DiscoveredEntityProvider';
