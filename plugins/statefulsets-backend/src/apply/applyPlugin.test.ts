import path from 'node:path';
import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import {
  loadWorld,
  RunningSimulator,
  startSimulator,
} from '@multicluster/cluster-simulator';
import request from 'supertest';
import { createAuthStrategy } from '../cluster/createAuthStrategy';
import { readClusterConfig } from '../cluster/readClusterConfig';
import { ApplyService } from './ApplyService';
import { createApplyRouter } from './createApplyRouter';
import { DatabaseGeneratedEntityStore } from './DatabaseGeneratedEntityStore';

// The apply routes wired into a backend exactly as the plugin mounts them,
// against the simulated clusters read from the `kubernetes:` config.
const applyOnlyPlugin = createBackendPlugin({
  pluginId: 'multicluster-statefulsets',
  register(env) {
    env.registerInit({
      deps: {
        config: coreServices.rootConfig,
        logger: coreServices.logger,
        database: coreServices.database,
        httpRouter: coreServices.httpRouter,
        httpAuth: coreServices.httpAuth,
        permissions: coreServices.permissions,
        auditor: coreServices.auditor,
      },
      async init(deps) {
        const store = await DatabaseGeneratedEntityStore.create({
          database: deps.database,
        });
        const apply = ApplyService.create({
          clusters: readClusterConfig(deps.config),
          strategy: createAuthStrategy(),
          store,
          logger: deps.logger,
        });
        deps.httpRouter.use(
          await createApplyRouter({
            apply,
            httpAuth: deps.httpAuth,
            permissions: deps.permissions,
            auditor: deps.auditor,
          }),
        );
      },
    });
  },
});

describe('apply routes in a backend', () => {
  let sim: RunningSimulator;

  beforeAll(async () => {
    sim = await startSimulator({
      world: loadWorld(
        path.resolve(__dirname, '../../../../examples/world/world.yaml'),
      ),
      portBase: 0,
      adminPort: 0,
      onError: () => undefined,
    });
  });
  afterAll(() => sim.stop());

  it('applies for a user and serves the registered entity to services', async () => {
    const { server } = await startTestBackend({
      features: [
        applyOnlyPlugin,
        mockServices.rootConfig.factory({
          data: {
            kubernetes: {
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
            },
          },
        }),
      ],
    });
    const configMap = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'ledger-db-settings', namespace: 'ledger' },
      data: { mode: 'replica' },
    };

    const applied = await request(server)
      .post('/api/multicluster-statefulsets/apply')
      .set('authorization', mockCredentials.user.header())
      .send({
        entityRef: 'component:default/ledger-db',
        clusters: [{ name: 'eu-west', manifests: [configMap] }],
        catalogInfo: {
          apiVersion: 'backstage.io/v1alpha1',
          kind: 'Component',
          metadata: { name: 'ledger-db' },
          spec: {
            type: 'database',
            lifecycle: 'production',
            owner: 'group:default/dba',
          },
        },
      });

    expect(applied.status).toBe(200);
    expect(applied.body.results).toEqual([
      {
        cluster: 'eu-west',
        status: 'ok',
        objects: [
          { kind: 'Namespace', name: 'ledger', action: 'created' },
          {
            kind: 'ConfigMap',
            name: 'ledger-db-settings',
            namespace: 'ledger',
            action: 'created',
          },
        ],
      },
    ]);
    expect(
      sim.stores
        .get('eu-west')!
        .get('v1', 'ConfigMap', 'ledger', 'ledger-db-settings')?.data,
    ).toEqual({ mode: 'replica' });

    const feed = await request(server)
      .get('/api/multicluster-statefulsets/generated-entities')
      .set('authorization', mockCredentials.service.header());
    expect(feed.status).toBe(200);
    expect(feed.body.items).toEqual([
      expect.objectContaining({
        entityRef: 'component:default/ledger-db',
        createdBy: mockCredentials.user().principal.userEntityRef,
      }),
    ]);
    const unauthenticated = await request(server)
      .post('/api/multicluster-statefulsets/apply')
      .set('authorization', mockCredentials.none.header())
      .send({});
    expect(unauthenticated.status).toBe(401);
  });
});
