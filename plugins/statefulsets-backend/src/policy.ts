/*
 * A ready permission policy for apps that use Backstage's allow-all policy:
 * `backend.add(import('@multicluster/backstage-plugin-statefulsets-backend/policy'))`
 * in place of the allow-all module. It keeps every other plugin's permission
 * allowed, as allow-all did, and decides this product's with
 * `createStatefulsetsOwnerPolicyDecision`: reads for everyone, failover for
 * the entity's owners, deploying for users in a group. With
 * `permission.kubernetesProxyGroup` set, the official Kubernetes plugin's
 * proxy (which forwards requests with the clusters' own credentials) is
 * allowed only to that group's members.
 */
import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { kubernetesProxyPermission } from '@backstage/plugin-kubernetes-common';
import {
  AuthorizeResult,
  PolicyDecision,
} from '@backstage/plugin-permission-common';
import {
  PermissionPolicy,
  PolicyQuery,
  PolicyQueryUser,
} from '@backstage/plugin-permission-node';
import { policyExtensionPoint } from '@backstage/plugin-permission-node/alpha';
import { createStatefulsetsOwnerPolicyDecision } from '@multicluster/backstage-plugin-statefulsets-common';

/**
 * Allow-all, except the multi-cluster StatefulSets permissions (owner rules)
 * and, when a group is named, the Kubernetes proxy.
 *
 * @public
 */
export class StatefulsetsOwnerPolicy implements PermissionPolicy {
  readonly #proxyGroup?: string;

  constructor(options: { kubernetesProxyGroup?: string } = {}) {
    this.#proxyGroup = options.kubernetesProxyGroup?.toLocaleLowerCase('en-US');
  }

  async handle(
    request: PolicyQuery,
    user?: PolicyQueryUser,
  ): Promise<PolicyDecision> {
    const { permission } = request;
    if (
      this.#proxyGroup &&
      permission.name === kubernetesProxyPermission.name
    ) {
      const refs = user?.info.ownershipEntityRefs ?? [];
      return refs.some(r => r.toLocaleLowerCase('en-US') === this.#proxyGroup)
        ? { result: AuthorizeResult.ALLOW }
        : { result: AuthorizeResult.DENY };
    }
    return (
      createStatefulsetsOwnerPolicyDecision(permission, user) ?? {
        result: AuthorizeResult.ALLOW,
      }
    );
  }
}

/**
 * Installs {@link StatefulsetsOwnerPolicy} as the permission backend's policy.
 *
 * @public
 */
export default createBackendModule({
  pluginId: 'permission',
  moduleId: 'multicluster-statefulsets-owner-policy',
  register(reg) {
    reg.registerInit({
      deps: {
        policy: policyExtensionPoint,
        config: coreServices.rootConfig,
        logger: coreServices.logger,
      },
      async init({ policy, config, logger }) {
        const kubernetesProxyGroup = config.getOptionalString(
          'permission.kubernetesProxyGroup',
        );
        policy.setPolicy(new StatefulsetsOwnerPolicy({ kubernetesProxyGroup }));
        logger.info(
          `Permission policy: multi-cluster StatefulSets writes for entity owners; ${
            kubernetesProxyGroup
              ? `Kubernetes proxy for ${kubernetesProxyGroup} only`
              : 'Kubernetes proxy allowed to all (set permission.kubernetesProxyGroup to restrict it)'
          }; every other permission allowed`,
        );
      },
    });
  },
});
