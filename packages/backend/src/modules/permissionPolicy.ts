/*
 * The portal's permission policy. Reads are open to every signed-in user; the
 * product's write permissions (`multicluster-statefulsets.*` with an action
 * other than read) are granted to the owners of the catalog entity they act
 * on, and — for writes not tied to an existing entity, such as deploying a
 * new database — to users who belong to at least one group. The official
 * Kubernetes plugin's proxy, which forwards any request with the clusters'
 * own credentials, is for members of the platform-admin group only
 * (`permission.kubernetesProxyGroup`). Permissions of other plugins keep
 * Backstage's default of allow.
 */
import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { kubernetesProxyPermission } from '@backstage/plugin-kubernetes-common';
import {
  AuthorizeResult,
  isResourcePermission,
  PolicyDecision,
} from '@backstage/plugin-permission-common';
import {
  PermissionPolicy,
  PolicyQuery,
  PolicyQueryUser,
} from '@backstage/plugin-permission-node';
import { policyExtensionPoint } from '@backstage/plugin-permission-node/alpha';
import {
  catalogConditions,
  createCatalogConditionalDecision,
} from '@backstage/plugin-catalog-backend/alpha';

/** Prefix shared by every permission of the multi-cluster StatefulSets plugins. */
export const PRODUCT_PERMISSION_PREFIX = 'multicluster-statefulsets.';

/** The group whose members may use the Kubernetes plugin's proxy, by default. */
export const DEFAULT_PROXY_GROUP = 'group:default/platform-admins';

/** Reads for all; the product's writes for the entity's owners; the proxy for admins. */
export class OwnerWritesPolicy implements PermissionPolicy {
  readonly #proxyGroup: string;

  constructor(options: { proxyGroup?: string } = {}) {
    this.#proxyGroup = (
      options.proxyGroup ?? DEFAULT_PROXY_GROUP
    ).toLocaleLowerCase('en-US');
  }

  async handle(
    request: PolicyQuery,
    user?: PolicyQueryUser,
  ): Promise<PolicyDecision> {
    const { permission } = request;
    if (permission.name === kubernetesProxyPermission.name) {
      const refs = user?.info.ownershipEntityRefs ?? [];
      return refs.some(r => r.toLocaleLowerCase('en-US') === this.#proxyGroup)
        ? { result: AuthorizeResult.ALLOW }
        : { result: AuthorizeResult.DENY };
    }
    if (
      !permission.name.startsWith(PRODUCT_PERMISSION_PREFIX) ||
      permission.attributes.action === 'read'
    ) {
      return { result: AuthorizeResult.ALLOW };
    }
    const claims = user?.info.ownershipEntityRefs ?? [];
    if (isResourcePermission(permission, 'catalog-entity')) {
      return createCatalogConditionalDecision(
        permission,
        catalogConditions.isEntityOwner({ claims }),
      );
    }
    return claims.some(ref => ref.startsWith('group:'))
      ? { result: AuthorizeResult.ALLOW }
      : { result: AuthorizeResult.DENY };
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
