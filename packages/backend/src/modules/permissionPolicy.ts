/*
 * The portal's permission policy: the plugin's own
 * `StatefulsetsOwnerPolicy` (reads open to every signed-in user, the
 * product's writes for the owners of the catalog entity they act on,
 * deploying a new database for users in a group, other plugins allowed),
 * with the official Kubernetes plugin's proxy — which forwards any request
 * with the clusters' own credentials — for members of the platform-admin
 * group only (`permission.kubernetesProxyGroup`, default below).
 */
import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { policyExtensionPoint } from '@backstage/plugin-permission-node/alpha';
import { StatefulsetsOwnerPolicy } from '@multicluster/backstage-plugin-statefulsets-backend/policy';

/** The group whose members may use the Kubernetes plugin's proxy, by default. */
export const DEFAULT_PROXY_GROUP = 'group:default/platform-admins';

/** Reads for all; the product's writes for the entity's owners; the proxy for admins. */
export class OwnerWritesPolicy extends StatefulsetsOwnerPolicy {
  constructor(options: { proxyGroup?: string } = {}) {
    super({ kubernetesProxyGroup: options.proxyGroup ?? DEFAULT_PROXY_GROUP });
  }
}

/** Installs {@link OwnerWritesPolicy} as the permission backend's policy. */
export default createBackendModule({
  pluginId: 'permission',
  moduleId: 'owner-writes-policy',
  register(reg) {
    reg.registerInit({
      deps: { policy: policyExtensionPoint, config: coreServices.rootConfig },
      async init({ policy, config }) {
        policy.setPolicy(
          new OwnerWritesPolicy({
            proxyGroup: config.getOptionalString(
              'permission.kubernetesProxyGroup',
            ),
          }),
        );
      },
    });
  },
});
