/*
 * A test backend of the portal: the demo world in the cluster simulator,
 * the real catalog with the demo entities, the portal's permission policy
 * and the multi-cluster StatefulSets plugin. Users sign in with the mock
 * tokens of @backstage/backend-test-utils, but the services behave as the
 * real ones where the permission framework looks: users' ownership as the
 * catalog's user/group graph would resolve it, and a token a plugin got on
 * behalf of a user authenticating as that user *with the plugin as actor*
 * (the permissions registry refuses a user without an actor on its
 * apply-conditions route, so the catalog's conditional decisions need it).
 */
import path from 'node:path';
import {
  BackendFeature,
  coreServices,
  createServiceFactory,
} from '@backstage/backend-plugin-api';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import catalogBackend from '@backstage/plugin-catalog-backend';
import permissionBackend from '@backstage/plugin-permission-backend';
import { signalsServiceRef } from '@backstage/plugin-signals-node';
import statefulsetsBackend from '@multicluster/backstage-plugin-statefulsets-backend';
import {
  loadWorld,
  RunningSimulator,
  startSimulator,
} from '@multicluster/cluster-simulator';
import permissionPolicy from '../modules/permissionPolicy';

/** The demo entities, world and organisation. */
export const EXAMPLES = path.resolve(__dirname, '../../../../examples');

/** The user service resolving each user's ownership refs from `ownership` (else only the user). */
function userInfoWithOwnership(ownership: Record<string, string[]>) {
  return createServiceFactory({
    service: coreServices.userInfo,
    deps: {},
    factory: () => ({
      async getUserInfo(credentials: any) {
        const ref = credentials.principal.userEntityRef as string;
        return {
          userEntityRef: ref,
          ownershipEntityRefs: ownership[ref] ?? [ref],
        };
      },
    }),
  });
}

function withActor(credentials: any, header: unknown) {
  const token =
    typeof header === 'string' ? header.replace(/^Bearer\s+/i, '') : '';
  const prefix = 'mock-service-token:';
  if (credentials.principal.type !== 'user' || !token.startsWith(prefix)) {
    return credentials;
  }
  const { sub } = JSON.parse(token.slice(prefix.length));
  return mockCredentials.user(credentials.principal.userEntityRef, {
    actor: { subject: sub ?? 'plugin:unknown' },
  } as any);
}

/** The mock auth service, with the actor of on-behalf-of tokens. */
const authFactory = createServiceFactory({
  service: coreServices.auth,
  deps: { plugin: coreServices.pluginMetadata },
  factory({ plugin }) {
    const auth = mockServices.auth({ pluginId: plugin.getId() });
    return Object.assign(Object.create(auth), {
      async authenticate(token: string, options?: any) {
        return withActor(
          await auth.authenticate(token, options),
          `Bearer ${token}`,
        );
      },
    });
  },
});

/** The mock HTTP auth service, with the actor of on-behalf-of tokens. */
const httpAuthFactory = createServiceFactory({
  service: coreServices.httpAuth,
  deps: { plugin: coreServices.pluginMetadata },
  factory({ plugin }) {
    const httpAuth = mockServices.httpAuth({ pluginId: plugin.getId() });
    return Object.assign(Object.create(httpAuth), {
      async credentials(req: any, options?: any) {
        // The mock's own checks (none, allow) first, then the actor.
        await httpAuth.credentials(req, options);
        return withActor(
          await httpAuth.credentials(req),
          req.headers.authorization,
        );
      },
    });
  },
});

/** Signals that go nowhere (no signals backend in these tests). */
const signalsFactory = createServiceFactory({
  service: signalsServiceRef,
  deps: {},
  factory: () => ({ async publish() {} }),
});

/** The `kubernetes:` config that reaches every cluster of a running simulator. */
function simulatorKubernetesConfig(sim: RunningSimulator) {
  return {
    clusterLocatorMethods: [
      {
        type: 'config',
        clusters: sim.clusters.map(c => ({
          name: c.name,
          url: c.url,
          authProvider: 'serviceAccount',
          serviceAccountToken: c.token,
          skipTLSVerify: true,
        })),
      },
    ],
  };
}

/** Starts the simulator and the portal's test backend; see the module comment. */
export async function startPortalTestBackend(options: {
  /** Each user's ownership refs, as the catalog would resolve them. */
  ownership: Record<string, string[]>;
  /** Features beside the catalog, permissions and the StatefulSets plugin. */
  features?: BackendFeature[];
  /** Catalog files beside the demo's org.yaml and databases.yaml. */
  locations?: string[];
  /** Top-level config beside permission, catalog and kubernetes. */
  config?: Record<string, any>;
}) {
  const sim = await startSimulator({
    world: loadWorld(path.join(EXAMPLES, 'world/world.yaml')),
    portBase: 0,
    adminPort: 0,
    onError: () => undefined,
  });
  const files = [
    path.join(EXAMPLES, 'org.yaml'),
    path.join(EXAMPLES, 'databases.yaml'),
    ...(options.locations ?? []),
  ];
  const backend = await startTestBackend({
    features: [
      catalogBackend,
      permissionBackend,
      permissionPolicy,
      statefulsetsBackend,
      ...(options.features ?? []),
      userInfoWithOwnership(options.ownership),
      authFactory,
      httpAuthFactory,
      signalsFactory,
      mockServices.rootConfig.factory({
        data: {
          permission: { enabled: true },
          catalog: {
            rules: [{ allow: ['Component', 'User', 'Group', 'System'] }],
            locations: files.map(target => ({ type: 'file', target })),
          },
          kubernetes: simulatorKubernetesConfig(sim),
          ...options.config,
        },
      }),
    ],
  });
  return { sim, backend };
}
