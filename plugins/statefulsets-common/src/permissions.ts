/*
 * Permissions of the multi-cluster StatefulSets plugins. Reading and acting
 * are resource permissions on the catalog entity so that policies can be
 * conditional on ownership; creating a new database is a basic permission.
 */
import { createPermission } from '@backstage/plugin-permission-common';

/** Read the multi-cluster topology of an entity. */
export const topologyReadPermission = createPermission({
  name: 'multicluster-statefulsets.topology.read',
  attributes: { action: 'read' },
  resourceType: 'catalog-entity',
});

/** Run a switchover or failover for an entity. */
export const failoverExecutePermission = createPermission({
  name: 'multicluster-statefulsets.failover.execute',
  attributes: { action: 'update' },
  resourceType: 'catalog-entity',
});

/** Deploy a new multi-cluster database. */
export const deployPermission = createPermission({
  name: 'multicluster-statefulsets.deploy',
  attributes: { action: 'create' },
});

/**
 * Read the databases discovery found in the clusters that are not in the
 * catalog yet: names, namespaces and owners of objects across every cluster,
 * so it is a permission of its own rather than open to every caller.
 */
export const discoveryReadPermission = createPermission({
  name: 'multicluster-statefulsets.discovery.read',
  attributes: { action: 'read' },
});

/** Every permission of the plugin, for registration with the permission framework. */
export const multiclusterStatefulsetsPermissions = [
  topologyReadPermission,
  failoverExecutePermission,
  deployPermission,
  discoveryReadPermission,
];
