/*
 * The plugin for apps on the new frontend system: the API, the Multi-cluster
 * entity tab and the overview card (shown on entities that opted in), and the
 * `MultiClusterPicker` field for Software Templates.
 */
import {
  ApiBlueprint,
  createFrontendPlugin,
  discoveryApiRef,
  fetchApiRef,
} from '@backstage/frontend-plugin-api';
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

/** The multi-cluster StatefulSets frontend plugin (new frontend system). */
export default createFrontendPlugin({
  pluginId: 'multicluster-statefulsets',
  title: 'Multi-cluster StatefulSets',
  extensions: [api, content, card, clusterPicker],
});
