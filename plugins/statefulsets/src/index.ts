/*
 * Multi-cluster StatefulSets: the entity tab, the overview card and the API
 * client, for apps on the legacy frontend system. Apps on the new frontend
 * system install `@multicluster/backstage-plugin-statefulsets/alpha`.
 */
export {
  multiClusterStatefulSetsPlugin,
  EntityMultiClusterContent,
  EntityMultiClusterOverviewCard,
  MultiClusterPickerFieldExtension,
  DiscoveredDatabasesPage,
  discoveredDatabasesRouteRef,
  rootRouteRef,
} from './plugin';
export { isMultiClusterStatefulSetAvailable } from './isMultiClusterStatefulSetAvailable';
export * from './api';
export { useEntityTopology } from './hooks/useEntityTopology';
export type { EntityTopologyState } from './hooks/useEntityTopology';
export type { PickedCluster } from './scaffolder/MultiClusterPicker';
