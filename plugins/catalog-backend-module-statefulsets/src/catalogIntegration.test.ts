import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import { schedulerServiceFactory } from '@backstage/backend-defaults/scheduler';
import catalogPlugin from '@backstage/plugin-catalog-backend';
import Router from 'express-promise-router';
import request from 'supertest';
import { catalogModuleMulticlusterStatefulsets } from './module';

// What the multi-cluster StatefulSets backend stores at apply time.
const generated: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: {
    name: 'ledger-db',
    namespace: 'default',
    annotations: {
      'backstage.io/managed-by-location':
        'multicluster-statefulsets:component:default/ledger-db',
      'backstage.io/managed-by-origin-location':
        'multicluster-statefulsets:component:default/ledger-db',
      'backstage.io/kubernetes-id': 'ledger-db',
    },
  },
  spec: {
    type: 'database',
    lifecycle: 'production',
    owner: 'group:default/dba',
  },
};

/** Stands in for the backend plugin's feed, with its service-only rule. */
const feedPlugin = createBackendPlugin({
  pluginId: 'multicluster-statefulsets',
  register(env) {
    env.registerInit({
      deps: {
        httpRouter: coreServices.httpRouter,
        httpAuth: coreServices.httpAuth,
      },
      async init({ httpRouter, httpAuth }) {
        const router = Router();
        router.get('/generated-entities', async (req, res) => {
          await httpAuth.credentials(req, { allow: ['service'] });
          res.json({
            items: [
              { entityRef: 'component:default/ledger-db', entity: generated },
            ],
          });
        });
        httpRouter.use(router);
      },
    });
  },
});

describe('generated entities in a real catalog', () => {
  it('shows up in the catalog without any location registered', async () => {
    const { server } = await startTestBackend({
      features: [
        catalogPlugin,
        catalogModuleMulticlusterStatefulsets,
        feedPlugin,
        // The real scheduler: the mock one runs tasks only at start-up.
        schedulerServiceFactory,
        mockServices.rootConfig.factory({
          data: {
            catalog: {
              processingInterval: { seconds: 1 },
              providers: { multiclusterStatefulsets: { frequencySeconds: 1 } },
            },
          },
        }),
      ],
    });

    const deadline = Date.now() + 20_000;
    let res: request.Response;
    do {
      res = await request(server)
        .get('/api/catalog/entities/by-name/component/default/ledger-db')
        .set('authorization', mockCredentials.user.header());
      if (res.status === 200) break;
      await new Promise(resolve => setTimeout(resolve, 250));
    } while (Date.now() < deadline);

    expect(res.status).toBe(200);
    expect(res.body.metadata.annotations['backstage.io/kubernetes-id']).toBe(
      'ledger-db',
    );
    expect(res.body.spec.owner).toBe('group:default/dba');
  }, 30_000);
});
