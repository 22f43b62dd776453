/*
 * The owner policy of the multi-cluster StatefulSets permissions, as a helper
 * an app's own PermissionPolicy calls. Backstage's default allow-all policy
 * would let every signed-in user (a fresh app's guest included) fail over
 * and deploy databases; this is the rule the product is designed around.
 */
import {
  AuthorizeResult,
  isResourcePermission,
  Permission,
  PolicyDecision,
} from '@backstage/plugin-permission-common';
import { multiclusterStatefulsetsPermissions } from './permissions';

/** The part of a policy's user (`PolicyQueryUser`) the decision reads. */
export interface StatefulsetsPolicyUser {
  info: { ownershipEntityRefs: string[] };
}

const PRODUCT_PERMISSIONS = new Set(
  multiclusterStatefulsetsPermissions.map(p => p.name),
);

/**
 * Decides a multi-cluster StatefulSets permission: reads for everyone; a
 * switchover or failover only for the owners of the catalog entity (a
 * conditional decision the catalog resolves with its `IS_ENTITY_OWNER`
 * rule); deploying a new database for users who belong to at least one group.
 * Returns `undefined` for every other plugin's permission so that the app's
 * policy decides those itself.
 *
 * @public
 */
export function createStatefulsetsOwnerPolicyDecision(
  permission: Permission,
  user: StatefulsetsPolicyUser | undefined,
): PolicyDecision | undefined {
  if (!PRODUCT_PERMISSIONS.has(permission.name)) return undefined;
  if (permission.attributes.action === 'read') {
    return { result: AuthorizeResult.ALLOW };
  }
  const claims = user?.info.ownershipEntityRefs ?? [];
  if (isResourcePermission(permission, 'catalog-entity')) {
    // Without claims the catalog would match no entity anyway; deny outright
    // so the answer needs no round trip to the catalog.
    if (claims.length === 0) return { result: AuthorizeResult.DENY };
    return {
      result: AuthorizeResult.CONDITIONAL,
      pluginId: 'catalog',
      resourceType: 'catalog-entity',
      conditions: {
        resourceType: 'catalog-entity',
        rule: 'IS_ENTITY_OWNER',
        params: { claims },
      },
    };
  }
  return claims.some(ref => ref.toLocaleLowerCase('en-US').startsWith('group:'))
    ? { result: AuthorizeResult.ALLOW }
    : { result: AuthorizeResult.DENY };
}
