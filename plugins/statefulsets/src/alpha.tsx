/*
 * The plugin for apps on the new frontend system: the API, the Multi-cluster
 * entity tab and the overview card (shown on entities that opted in), the
 * `MultiClusterPicker` field for Software Templates, and the "Not in the
 * catalog yet" page of discovered databases with its sidebar item.
 */
import {
  ApiBlueprint,
  createFrontendPlugin,
  createRouteRef,
  discoveryApiRef,
  fetchApiRef,
  PageBlueprint,
} from '@backstage/frontend-plugin-api';
import StorageIcon from '@material-ui/icons/Storage';
import {
  EntityCardBlueprint,
  EntityContentBlueprint,
} from '@backstage/plugin-catalog-react/alpha';
import { FormFieldBlueprint } from '@backstage/plugin-scaffolder-react/alpha';
import {
  MultiClusterStatefulSetsClient,
  multiClusterStatefulSetsApiRef,
} from './api';
import { CONTENT_PATH } from './components/paths';
import { isMultiClusterStatefulSetAvailable } from './isMultiClusterStatefulSetAvailable';

const api = ApiBlueprint.make({
  params: defineParams =>
    defineParams({
      api: multiClusterStatefulSetsApiRef,
      deps: { discoveryApi: discoveryApiRef, fetchApi: fetchApiRef },
      factory: deps => new MultiClusterStatefulSetsClient(deps),
    }),
});

const content = EntityContentBlueprint.make({
  params: {
    path: `/${CONTENT_PATH}`,
    title: 'Multi-cluster',
    filter: isMultiClusterStatefulSetAvailable,
    loader: () =>
      import('./components/MultiClusterContent').then(m => (
        <m.MultiClusterContent />
      )),
  },
});

const card = EntityCardBlueprint.make({
  params: {
    filter: isMultiClusterStatefulSetAvailable,
    loader: () =>
      import('./components/OverviewCard').then(m => <m.OverviewCard />),
  },
});

const clusterPicker = FormFieldBlueprint.make({
  name: 'multicluster-picker',
  params: {
    field: () =>
      import('./scaffolder/formField').then(m => m.multiClusterPickerFormField),
  },
});

/** Route of the "Not in the catalog yet" page of discovered databases. */
export const discoveredDatabasesRouteRef = createRouteRef();

// A page of its own, with a sidebar item: databases found in several
// clusters that have no catalog entity yet.
const discoveredPage = PageBlueprint.make({
  name: 'discovered-databases',
  params: {
    path: '/discovered-databases',
    title: 'Not in the catalog yet',
    icon: <StorageIcon />,
    routeRef: discoveredDatabasesRouteRef,
    loader: () =>
      import('./components/DiscoveredDatabases').then(m => (
        <m.DiscoveredDatabasesPage />
      )),
  },
});

/** The multi-cluster StatefulSets frontend plugin (new frontend system). */
export default createFrontendPlugin({
  pluginId: 'multicluster-statefulsets',
  title: 'Multi-cluster StatefulSets',
  routes: { discoveredDatabases: discoveredDatabasesRouteRef },
  extensions: [api, content, card, clusterPicker, discoveredPage],
});
