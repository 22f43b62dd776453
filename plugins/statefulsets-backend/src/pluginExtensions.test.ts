import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import {
  createBackendModule,
  createServiceFactory,
} from '@backstage/backend-plugin-api';
import { Entity } from '@backstage/catalog-model';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { signalsServiceRef } from '@backstage/plugin-signals-node';
import {
  multiclusterStatefulsetsAuthStrategyExtensionPoint,
  multiclusterStatefulsetsExtensionPoint,
} from '@multicluster/backstage-plugin-statefulsets-node';
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

/** A module measuring MySQL lag in a system of its own, and nothing else. */
const lagModule = createBackendModule({
  pluginId: 'multicluster-statefulsets',
  moduleId: 'own-lag',
  register(env) {
    env.registerInit({
      deps: { extensions: multiclusterStatefulsetsExtensionPoint },
      async init({ extensions }) {
        extensions.addLagSource({
          id: 'own-lag',
          supportsEngine: engine => engine === 'mysql',
          readLag: async target => ({
            seconds: target.cluster === 'eu-west' ? 7.5 : 0,
          }),
        });
      },
    });
  },
});

describe('extension points of the plugin', () => {
  const central = new FakeKubeApi('central-token');
  const west = new FakeKubeApi('west-token');

  afterAll(() => Promise.all([central.stop(), west.stop()]));

  it('reaches clusters with a strategy a module added, says what to configure for a browser-token provider, and shows lag from a module-added source', async () => {
    const url = await central.start();
    const westUrl = await west.start();
    seedDemo(central, 'eu-central', { role: 'active' });
    seedDemo(west, 'eu-west', {
      role: 'passive',
      source: 'eu-central',
      lag: '0.5',
    });
    const logger = mockServices.logger.mock();
    // The plugin logs through a child logger; collect its lines here too.
    logger.child.mockImplementation(() => logger);
    const backend = await startTestBackend({
      features: [
        multiclusterStatefulsetsPlugin,
        vaultAuthModule,
        lagModule,
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
                      name: 'eu-west',
                      url: westUrl,
                      skipTLSVerify: true,
                      serviceAccountToken: 'west-token',
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
      expect(res.body.replication).toEqual([
        expect.objectContaining({
          from: 'eu-central',
          to: 'eu-west',
          lagSeconds: 7.5,
          lagSource: 'own-lag',
        }),
      ]);
      expect(JSON.stringify(res.body)).not.toContain('central-token');
    } finally {
      await backend.stop();
    }
  });
});
