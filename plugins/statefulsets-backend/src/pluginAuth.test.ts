import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import {
  createBackendModule,
  createServiceFactory,
} from '@backstage/backend-plugin-api';
import { Entity } from '@backstage/catalog-model';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { signalsServiceRef } from '@backstage/plugin-signals-node';
import { multiclusterStatefulsetsAuthStrategyExtensionPoint } from '@multicluster/backstage-plugin-statefulsets-node';
import request from 'supertest';
import { FakeKubeApi, seedDemo } from './__testUtils__/FakeKubeApi';
import { multiclusterStatefulsetsPlugin } from './plugin';

const entity: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: {
    name: 'orders-db',
    namespace: 'default',
    annotations: {
      'backstage.io/kubernetes-id': 'orders-db',
      'backstage.io/kubernetes-namespace': 'databases',
      'multicluster-statefulsets/engine': 'mysql',
    },
  },
  spec: {
    type: 'database',
    owner: 'group:default/dba',
    lifecycle: 'production',
  },
};

/** A module that teaches the plugin an `authProvider` of the portal's own. */
const vaultAuthModule = createBackendModule({
  pluginId: 'multicluster-statefulsets',
  moduleId: 'vault-auth',
  register(env) {
    env.registerInit({
      deps: { auth: multiclusterStatefulsetsAuthStrategyExtensionPoint },
      async init({ auth }) {
        auth.addAuthStrategy('vault', {
          getCredential: async cluster => ({
            type: 'bearer token',
            token: `${cluster.authMetadata['vault.example/role']}-token`,
          }),
          validateCluster: metadata =>
            metadata['vault.example/role']
              ? []
              : [new Error('vault.example/role is required')],
          presentAuthMetadata: () => ({}),
        });
      },
    });
  },
});

describe('cluster authentication of the plugin', () => {
  const central = new FakeKubeApi('central-token');

  afterAll(() => central.stop());

  it('reaches clusters with a strategy a module added, and says what to configure for a browser-token provider', async () => {
    const url = await central.start();
    seedDemo(central, 'eu-central', { role: 'active' });
    const logger = mockServices.logger.mock();
    // The plugin logs through a child logger; collect its lines here too.
    logger.child.mockImplementation(() => logger);
    const backend = await startTestBackend({
      features: [
        multiclusterStatefulsetsPlugin,
        vaultAuthModule,
        mockServices.rootConfig.factory({
          data: {
            kubernetes: {
              clusterLocatorMethods: [
                {
                  type: 'config',
                  clusters: [
                    {
                      name: 'eu-central',
                      url,
                      skipTLSVerify: true,
                      authProvider: 'vault',
                      authMetadata: { 'vault.example/role': 'central' },
                    },
                    {
                      name: 'gke',
                      url: 'http://127.0.0.1:9',
                      skipTLSVerify: true,
                      authProvider: 'google',
                    },
                  ],
                },
              ],
            },
            multiclusterStatefulsets: { requestTimeoutMs: 1500 },
          },
        }),
        logger.factory,
        catalogServiceMock.factory({ entities: [entity] }),
        createServiceFactory({
          service: signalsServiceRef,
          deps: {},
          factory: () => ({ async publish() {} }),
        }),
      ],
    });
    try {
      const res = await request(backend.server).get(
        '/api/multicluster-statefulsets/entities/component/default/orders-db/topology',
      );
      expect(res.status).toBe(200);
      const byName = Object.fromEntries(
        res.body.clusters.map((c: any) => [c.name, c]),
      );
      expect(byName['eu-central']).toEqual(
        expect.objectContaining({ reachable: true, role: 'active' }),
      );
      expect(byName.gke.error).toEqual({
        reason: 'unauthorized',
        message: expect.stringContaining(
          'multiclusterStatefulsets.clusters.gke.auth',
        ),
      });
      expect(logger.error).toHaveBeenCalledWith(
        expect.stringMatching(
          /^Cluster auth: cluster gke uses authProvider 'google'/,
        ),
      );
      expect(JSON.stringify(res.body)).not.toContain('central-token');
    } finally {
      await backend.stop();
    }
  });
});
