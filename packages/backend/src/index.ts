/*
 * The portal's backend: the stock Backstage plugins a platform team expects,
 * the official Kubernetes backend, and the multi-cluster StatefulSets plugins.
 */
import { createBackend } from '@backstage/backend-defaults';
import { withStartupLock } from './startupLock';

const backend = createBackend();

backend.add(import('@backstage/plugin-app-backend'));

// Auth: guest sign-in for the demo (see app-config.yaml)
backend.add(import('@backstage/plugin-auth-backend'));
backend.add(import('@backstage/plugin-auth-backend-module-guest-provider'));

// Catalog, with the scaffolder's Template kind
backend.add(import('@backstage/plugin-catalog-backend'));
backend.add(
  import('@backstage/plugin-catalog-backend-module-scaffolder-entity-model'),
);
backend.add(import('@backstage/plugin-catalog-backend-module-logs'));
// Entities of databases created from the template, registered without a Git host
backend.add(
  import('@multicluster/backstage-plugin-catalog-backend-module-statefulsets'),
);

// Scaffolder
backend.add(import('@backstage/plugin-scaffolder-backend'));
backend.add(
  import(
    '@multicluster/backstage-plugin-scaffolder-backend-module-statefulsets'
  ),
);

// Permissions: reads for everyone, the product's writes for an entity's owners
backend.add(import('@backstage/plugin-permission-backend'));
backend.add(import('./modules/permissionPolicy'));

// Search over the catalog (in-memory Lunr engine by default)
backend.add(import('@backstage/plugin-search-backend'));
backend.add(import('@backstage/plugin-search-backend-module-catalog'));

// The official Kubernetes backend, reading the same `kubernetes:` config as ours
backend.add(import('@backstage/plugin-kubernetes-backend'));

// Multi-cluster StatefulSets: topology API, cluster access, failover
backend.add(import('@multicluster/backstage-plugin-statefulsets-backend'));
// Actions for agents: the actions of the plugins named in
// backend.actions.pluginSources as MCP tools at /api/mcp-actions/v1
backend.add(import('@backstage/plugin-mcp-actions-backend'));

backend.add(import('@backstage/plugin-user-settings-backend'));
backend.add(import('@backstage/plugin-signals-backend'));
// Notifications (the bell): owners hear of failovers, readiness drops and
// unreachable clusters of their databases.
backend.add(import('@backstage/plugin-notifications-backend'));
// Events between replicas: with PostgreSQL the events backend keeps a
// database-backed bus, so a topology change seen by one replica signals the
// browsers connected to every other one.
backend.add(import('@backstage/plugin-events-backend'));

// Replicas starting together on PostgreSQL take turns (see startupLock.ts).
withStartupLock(() => backend.start());
