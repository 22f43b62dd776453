/*
 * The plugin for apps on the legacy frontend system: the API, the entity tab
 * as a routable extension, the overview card as a component extension and
 * the "Not in the catalog yet" page as a routable extension.
 */
import {
  createApiFactory,
  createComponentExtension,
  createPlugin,
  createRoutableExtension,
  createRouteRef,
  discoveryApiRef,
  fetchApiRef,
} from '@backstage/core-plugin-api';
import { createScaffolderFieldExtension } from '@backstage/plugin-scaffolder-react';
import {
  MultiClusterStatefulSetsClient,
  multiClusterStatefulSetsApiRef,
} from './api';
import {
  MultiClusterPicker,
  validateMultiClusterPick,
} from './scaffolder/MultiClusterPicker';

/** Route of the entity tab. */
export const rootRouteRef = createRouteRef({ id: 'multicluster-statefulsets' });

/** Route of the "Not in the catalog yet" page of discovered databases. */
export const discoveredDatabasesRouteRef = createRouteRef({
  id: 'multicluster-statefulsets:discovered-databases',
});

/** The multi-cluster StatefulSets frontend plugin (legacy frontend system). */
export const multiClusterStatefulSetsPlugin = createPlugin({
  id: 'multicluster-statefulsets',
  apis: [
    createApiFactory({
      api: multiClusterStatefulSetsApiRef,
      deps: { discoveryApi: discoveryApiRef, fetchApi: fetchApiRef },
      factory: deps => new MultiClusterStatefulSetsClient(deps),
    }),
  ],
  routes: {
    root: rootRouteRef,
    discoveredDatabases: discoveredDatabasesRouteRef,
  },
});

/** The Multi-cluster entity tab. */
export const EntityMultiClusterContent = multiClusterStatefulSetsPlugin.provide(
  createRoutableExtension({
    name: 'EntityMultiClusterContent',
    component: () =>
      import('./components/MultiClusterContent').then(
        m => m.MultiClusterContent,
      ),
    mountPoint: rootRouteRef,
  }),
);

/** The Multi-cluster overview card. */
export const EntityMultiClusterOverviewCard =
  multiClusterStatefulSetsPlugin.provide(
    createComponentExtension({
      name: 'EntityMultiClusterOverviewCard',
      component: {
        lazy: () =>
          import('./components/OverviewCard').then(m => m.OverviewCard),
      },
    }),
  );

/** The `MultiClusterPicker` Software Template field (legacy scaffolder). */
export const MultiClusterPickerFieldExtension =
  multiClusterStatefulSetsPlugin.provide(
    createScaffolderFieldExtension({
      name: 'MultiClusterPicker',
      component: MultiClusterPicker,
      validation: validateMultiClusterPick,
    }),
  );

/**
 * The "Not in the catalog yet" page: databases discovery found in several
 * clusters without a catalog entity. Mount it on a route of the app.
 */
export const DiscoveredDatabasesPage = multiClusterStatefulSetsPlugin.provide(
  createRoutableExtension({
    name: 'DiscoveredDatabasesPage',
    component: () =>
      import('./components/DiscoveredDatabases').then(
        m => m.DiscoveredDatabasesStandalonePage,
      ),
    mountPoint: discoveredDatabasesRouteRef,
  }),
);
