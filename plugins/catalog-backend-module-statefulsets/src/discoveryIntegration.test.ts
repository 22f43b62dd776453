/*
 * Discovered databases in a real catalog: the provider's entities arrive
 * with their discovery location, and an entity of the same name registered
 * from another location first is not overwritten (the catalog's conflict
 * rule on location keys).
 */
import {
  coreServices,
  createBackendModule,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import { schedulerServiceFactory } from '@backstage/backend-defaults/scheduler';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import catalogPlugin from '@backstage/plugin-catalog-backend';
import { catalogProcessingExtensionPoint } from '@backstage/plugin-catalog-node';
import Router from 'express-promise-router';
import request from 'supertest';
import { catalogModuleMulticlusterStatefulsets } from './module';

function component(name: string, annotations: Record<string, string>): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: { name, namespace: 'default', annotations },
    spec: {
      type: 'database',
      lifecycle: 'production',
      owner: 'group:default/database-platform',
    },
  };
}

function candidate(name: string) {
  const annotations = {
    'backstage.io/kubernetes-id': name,
    'backstage.io/kubernetes-namespace': 'databases',
    'multicluster-statefulsets/engine': 'mysql',
  };
  return {
    id: `kubernetes-id/databases/${name}`,
    name,
    namespace: 'databases',
    engine: 'mysql',
    grouping: 'kubernetes-id',
    groupedBy: 'same backstage.io/kubernetes-id',
    clusters: ['a', 'b'],
    objects: [],
    owner: 'group:default/database-platform',
    entityRef: `component:default/${name}`,
    annotations,
    entity: component(name, annotations),
  };
}

const BY_HAND =
  'url:https://git.example.com/dba/orders-mysql/catalog-info.yaml';
let feedOpen = false;

/** An entity of the same name registered from Git, first. */
const byHandModule = createBackendModule({
  pluginId: 'catalog',
  moduleId: 'by-hand',
  register(reg) {
    reg.registerInit({
      deps: { catalog: catalogProcessingExtensionPoint },
      async init({ catalog }) {
        catalog.addEntityProvider({
          getProviderName: () => 'by-hand',
          connect: async connection => {
            await connection.applyMutation({
              type: 'full',
              entities: [
                {
                  locationKey: BY_HAND,
                  entity: component('orders-mysql', {
                    'backstage.io/managed-by-location': BY_HAND,
                    'backstage.io/managed-by-origin-location': BY_HAND,
                  }),
                },
              ],
            });
          },
        });
      },
    });
  },
});

/** Stands in for the backend plugin's discovery route. */
const discoveryPlugin = createBackendPlugin({
  pluginId: 'multicluster-statefulsets',
  register(env) {
    env.registerInit({
      deps: {
        httpRouter: coreServices.httpRouter,
        httpAuth: coreServices.httpAuth,
      },
      async init({ httpRouter, httpAuth }) {
        const router = Router();
        router.get('/discovery/databases', async (req, res) => {
          await httpAuth.credentials(req, { allow: ['service'] });
          res.json({
            enabled: true,
            providerEnabled: true,
            refreshedAt: new Date().toISOString(),
            clusters: [],
            // As if the backend had not seen the Git entity yet.
            items: feedOpen
              ? [candidate('orders-mysql'), candidate('shop-mysql')]
              : [],
          });
        });
        httpRouter.use(router);
      },
    });
  },
});

async function waitFor(
  server: any,
  path: string,
  done: (res: request.Response) => boolean,
): Promise<request.Response> {
  const deadline = Date.now() + 20_000;
  let res: request.Response;
  do {
    res = await request(server)
      .get(path)
      .set('authorization', mockCredentials.user.header());
    if (done(res)) return res;
    await new Promise(resolve => setTimeout(resolve, 250));
  } while (Date.now() < deadline);
  return res;
}

describe('discovered databases in a real catalog', () => {
  it('registers them with their discovery location, leaving an entity from another location alone', async () => {
    const { server } = await startTestBackend({
      features: [
        catalogPlugin,
        catalogModuleMulticlusterStatefulsets,
        byHandModule,
        discoveryPlugin,
        schedulerServiceFactory,
        mockServices.rootConfig.factory({
          data: {
            catalog: {
              processingInterval: { seconds: 1 },
              providers: {
                multiclusterStatefulsets: {
                  frequencySeconds: 60,
                  discovery: { enabled: true, frequencySeconds: 1 },
                },
              },
            },
          },
        }),
      ],
    });
    const ORDERS =
      '/api/catalog/entities/by-name/component/default/orders-mysql';
    const SHOP = '/api/catalog/entities/by-name/component/default/shop-mysql';
    expect((await waitFor(server, ORDERS, r => r.status === 200)).status).toBe(
      200,
    );
    feedOpen = true;

    const shop = await waitFor(server, SHOP, r => r.status === 200);
    expect(shop.status).toBe(200);
    expect(shop.body.metadata.annotations).toMatchObject({
      'backstage.io/managed-by-location':
        'multicluster-statefulsets-discovery:kubernetes-id/databases/shop-mysql',
      'backstage.io/managed-by-origin-location':
        'multicluster-statefulsets-discovery:kubernetes-id/databases/shop-mysql',
      'backstage.io/kubernetes-id': 'shop-mysql',
    });
    // A few more provider runs: the Git entity keeps its location.
    await new Promise(resolve => setTimeout(resolve, 3000));
    const orders = await request(server)
      .get(ORDERS)
      .set('authorization', mockCredentials.user.header());
    expect(
      orders.body.metadata.annotations['backstage.io/managed-by-location'],
    ).toBe(BY_HAND);
  }, 45_000);
});
