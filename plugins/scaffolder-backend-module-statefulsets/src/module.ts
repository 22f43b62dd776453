/*
 * The scaffolder backend module: registers the multi-cluster StatefulSet
 * actions with the scaffolder, wired to the backend plugin's REST API.
 */
import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { scaffolderActionsExtensionPoint } from '@backstage/plugin-scaffolder-node';
import { createApplyStatefulSetAction } from './actions/apply';
import { createFailoverAction } from './actions/failover';
import { createGenerateStatefulSetAction } from './actions/generate';
import { StatefulsetsBackendClient } from './backend/StatefulsetsBackendClient';
import { DiscoveryClusterDirectory } from './clusters/ClusterDirectory';

/** Adds `multicluster:statefulset:generate`, `multicluster:statefulset:apply` and `multicluster:failover` to the scaffolder. */
export const scaffolderModuleMulticlusterStatefulsets = createBackendModule({
  pluginId: 'scaffolder',
  moduleId: 'multicluster-statefulsets',
  register(reg) {
    reg.registerInit({
      deps: {
        scaffolder: scaffolderActionsExtensionPoint,
        discovery: coreServices.discovery,
        auth: coreServices.auth,
      },
      async init({ scaffolder, discovery, auth }) {
        const client = StatefulsetsBackendClient.create({ discovery, auth });
        scaffolder.addActions(
          createGenerateStatefulSetAction({
            clusterDirectory: DiscoveryClusterDirectory.create({
              discovery,
              auth,
            }),
          }),
          createApplyStatefulSetAction({ client }),
          createFailoverAction({ client }),
        );
      },
    });
  },
});
