/*
 * The plugin for apps on the legacy frontend system: the API, the entity tab
 * as a routable extension and the overview card as a component extension.
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
  routes: { root: rootRouteRef },
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
