import path from 'node:path';
import {
  BackstageCredentials,
  coreServices,
  createBackendPlugin,
  createServiceFactory,
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
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import request from 'supertest';
import { readAllowedWriterServices } from '../service/writerPrincipal';
import { ClusterConnection } from '../cluster/ClusterConnection';
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
        userInfo: coreServices.userInfo,
        catalog: catalogServiceRef,
      },
      async init(deps) {
        const store = await DatabaseGeneratedEntityStore.create({
          database: deps.database,
        });
        const apply = ApplyService.create({
          connections: ClusterConnection.createAll(
            readClusterConfig(deps.config),
            createAuthStrategy(),
          ),
          store,
          logger: deps.logger,
          catalog: deps.catalog,
        });
        deps.httpRouter.use(
          await createApplyRouter({
            apply,
            httpAuth: deps.httpAuth,
            permissions: deps.permissions,
            auditor: deps.auditor,
            userInfo: deps.userInfo,
            allowedWriterServices: readAllowedWriterServices(deps.config),
          }),
        );
      },
    });
  },
});

const API = '/api/multicluster-statefulsets';
const MALLORY = 'user:default/mallory';

/** Ownership as the catalog's user/group graph would resolve it. */
const OWNERSHIP: Record<string, string[]> = {
  'user:default/mock': ['user:default/mock', 'group:default/dba'],
  [MALLORY]: [MALLORY, 'group:default/payments'],
};

const userInfoFactory = createServiceFactory({
  service: coreServices.userInfo,
  deps: {},
  factory: () => ({
    async getUserInfo(credentials: BackstageCredentials) {
      const ref = (credentials.principal as { userEntityRef: string })
        .userEntityRef;
      return {
        userEntityRef: ref,
        ownershipEntityRefs: OWNERSHIP[ref] ?? [ref],
      };
    },
  }),
});

/** billing-postgres comes from the catalog's own locations, not from /apply. */
const billingPostgres = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: {
    name: 'billing-postgres',
    namespace: 'default',
    annotations: {
      'backstage.io/managed-by-location': 'file:/examples/databases.yaml',
    },
  },
  spec: {
    type: 'database',
    lifecycle: 'production',
    owner: 'group:default/dba',
  },
};

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

  async function backend() {
    const { server } = await startTestBackend({
      features: [
        applyOnlyPlugin,
        userInfoFactory,
        catalogServiceMock.factory({ entities: [billingPostgres] }),
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
    return server;
  }

  it('applies for a user and serves the registered entity to services', async () => {
    const server = await backend();
    const configMap = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'ledger-db-settings', namespace: 'ledger' },
      data: { mode: 'replica' },
    };

    const applied = await request(server)
      .post(`${API}/apply`)
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
      .get(`${API}/generated-entities`)
      .set('authorization', mockCredentials.service.header());
    expect(feed.status).toBe(200);
    expect(feed.body.items).toEqual([
      expect.objectContaining({
        entityRef: 'component:default/ledger-db',
        createdBy: mockCredentials.user().principal.userEntityRef,
      }),
    ]);
    const unauthenticated = await request(server)
      .post(`${API}/apply`)
      .set('authorization', mockCredentials.none.header())
      .send({});
    expect(unauthenticated.status).toBe(401);
  });

  describe('as a second user who owns nothing', () => {
    const asMallory = mockCredentials.user.header(MALLORY);

    function entity(name: string, owner: string, namespace: string) {
      return {
        apiVersion: 'backstage.io/v1alpha1',
        kind: 'Component',
        metadata: {
          name,
          annotations: {
            'backstage.io/kubernetes-id': name,
            'backstage.io/kubernetes-namespace': namespace,
          },
        },
        spec: { type: 'database', lifecycle: 'production', owner },
      };
    }

    it.each([
      [
        'a ClusterRoleBinding to cluster-admin',
        {
          apiVersion: 'rbac.authorization.k8s.io/v1',
          kind: 'ClusterRoleBinding',
          metadata: { name: 'mallory-admin' },
          roleRef: {
            apiGroup: 'rbac.authorization.k8s.io',
            kind: 'ClusterRole',
            name: 'cluster-admin',
          },
          subjects: [{ kind: 'User', name: 'mallory' }],
        },
        /^manifests refused: ClusterRoleBinding mallory-admin in eu-west: ClusterRoleBinding \(rbac.authorization.k8s.io\/v1\) is not a kind the template generates; accepted: StatefulSet \(apps\/v1\)/,
      ],
      [
        'a Secret in kube-system',
        {
          apiVersion: 'v1',
          kind: 'Secret',
          metadata: { name: 'mallory', namespace: 'kube-system' },
          stringData: { token: 'x' },
        },
        /^manifests refused: Secret kube-system\/mallory in eu-west: Secret \(v1\) is not a kind the template generates.*; Namespace kube-system: kube-system is a system namespace/,
      ],
      [
        'a privileged hostPath Pod',
        {
          apiVersion: 'v1',
          kind: 'Pod',
          metadata: { name: 'mallory', namespace: 'mallory' },
          spec: {
            containers: [
              {
                name: 'sh',
                image: 'busybox',
                securityContext: { privileged: true },
                volumeMounts: [{ name: 'root', mountPath: '/host' }],
              },
            ],
            volumes: [{ name: 'root', hostPath: { path: '/' } }],
          },
        },
        /^manifests refused: Pod mallory\/mallory in eu-west: Pod \(v1\) is not a kind the template generates/,
      ],
      [
        'a hostPath StatefulSet',
        {
          apiVersion: 'apps/v1',
          kind: 'StatefulSet',
          metadata: { name: 'mallory', namespace: 'mallory' },
          spec: {
            template: {
              spec: {
                hostNetwork: true,
                containers: [{ name: 'sh', image: 'busybox' }],
                volumes: [{ name: 'root', hostPath: { path: '/' } }],
              },
            },
          },
        },
        /^manifests refused: StatefulSet mallory\/mallory in eu-west: settings that reach the node are not accepted \(the template never generates them\): spec.template.spec.hostNetwork: true; spec.template.spec.volumes\[0\].hostPath$/,
      ],
    ])(
      'refuses %s with a 400, writing nothing',
      async (_what, object, message) => {
        const server = await backend();
        const res = await request(server)
          .post(`${API}/apply`)
          .set('authorization', asMallory)
          .send({
            entityRef: 'component:default/mallory-db',
            clusters: [{ name: 'eu-west', manifests: [object] }],
          });
        expect({
          status: res.status,
          message: res.body.error?.message,
        }).toEqual({ status: 400, message: expect.stringMatching(message) });
        const written = sim.stores
          .get('eu-west')!
          .dump()
          .filter(o => o.metadata.name.startsWith('mallory'));
        expect(written).toEqual([]);
      },
    );

    it("refuses to apply over another team's StatefulSet, writing nothing in that cluster", async () => {
      const server = await backend();
      const eu = sim.stores.get('eu-west')!;
      const live = structuredClone(
        eu.get('apps/v1', 'StatefulSet', 'databases', 'orders-mysql')!,
      );
      const res = await request(server)
        .post(`${API}/apply`)
        .set('authorization', asMallory)
        .send({
          entityRef: 'component:default/mallory-db',
          clusters: [
            {
              name: 'eu-west',
              manifests: [
                {
                  apiVersion: 'v1',
                  kind: 'ConfigMap',
                  metadata: { name: 'mallory-db', namespace: 'databases' },
                },
                {
                  apiVersion: 'apps/v1',
                  kind: 'StatefulSet',
                  metadata: { name: 'orders-mysql', namespace: 'databases' },
                  spec: { replicas: 0 },
                },
              ],
            },
          ],
        });
      expect(res.status).toBe(200);
      expect(res.body.results[0]).toMatchObject({
        status: 'failed',
        objects: [],
        refused: [
          {
            kind: 'StatefulSet',
            name: 'orders-mysql',
            reason: expect.stringContaining(
              'belongs to component:default/orders-mysql',
            ),
          },
        ],
      });
      const after = eu.get(
        'apps/v1',
        'StatefulSet',
        'databases',
        'orders-mysql',
      )!;
      // The simulator's lag controller keeps annotating the live object, so
      // its resourceVersion moves; what a write would change must not.
      expect(after.spec).toEqual(live.spec);
      expect(after.metadata.labels).toEqual(live.metadata.labels);
      expect(
        ((after.metadata.managedFields as any[] | undefined) ?? []).map(
          f => f.manager,
        ),
      ).not.toContain('multicluster-statefulsets');
      expect(
        eu.get('v1', 'ConfigMap', 'databases', 'mallory-db'),
      ).toBeUndefined();
    });

    it('refuses a re-post that takes over the owner, and lets the owner re-apply', async () => {
      const server = await backend();
      const manifests = [
        {
          apiVersion: 'v1',
          kind: 'ConfigMap',
          metadata: { name: 'audit-db', namespace: 'audit' },
          data: { mode: 'primary' },
        },
      ];
      const post = (auth: string, owner: string) =>
        request(server)
          .post(`${API}/apply`)
          .set('authorization', auth)
          .send({
            entityRef: 'component:default/audit-db',
            clusters: [{ name: 'eu-central', manifests }],
            catalogInfo: entity('audit-db', owner, 'audit'),
          });

      const created = await post(
        mockCredentials.user.header(),
        'group:default/dba',
      );
      expect(created.status).toBe(200);
      expect(created.body.registered).toBe(true);

      const stolen = await post(asMallory, 'group:default/payments');
      expect(stolen.status).toBe(403);
      expect(stolen.body.error.message).toMatch(
        /^component:default\/audit-db is owned by group:default\/dba; only its owners may apply to it or change its owner to group:default\/payments/,
      );

      const feed = await request(server)
        .get(`${API}/generated-entities`)
        .set('authorization', mockCredentials.service.header());
      expect(
        feed.body.items.find(
          (i: any) => i.entityRef === 'component:default/audit-db',
        )?.entity.spec.owner,
      ).toBe('group:default/dba');

      const again = await post(
        mockCredentials.user.header(),
        'group:default/dba',
      );
      expect(again.status).toBe(200);
      expect(again.body.results[0]).toMatchObject({
        status: 'ok',
        objects: [{ kind: 'ConfigMap', name: 'audit-db', action: 'unchanged' }],
      });
    });

    it('refuses to register over a catalog entity registered elsewhere', async () => {
      const server = await backend();
      const res = await request(server)
        .post(`${API}/apply`)
        .set('authorization', asMallory)
        .send({
          entityRef: 'component:default/billing-postgres',
          clusters: [
            {
              name: 'eu-west',
              manifests: [
                {
                  apiVersion: 'v1',
                  kind: 'ConfigMap',
                  metadata: {
                    name: 'billing-postgres-x',
                    namespace: 'billing',
                  },
                },
              ],
            },
          ],
          catalogInfo: entity(
            'billing-postgres',
            'group:default/payments',
            'billing',
          ),
        });
      expect({ status: res.status, message: res.body.error?.message }).toEqual({
        status: 409,
        message:
          'component:default/billing-postgres already exists in the catalog (from file:/examples/databases.yaml) and was not created by this template; choose another name',
      });
      expect(
        sim.stores.get('eu-west')!.get('v1', 'Namespace', undefined, 'billing'),
      ).toBeUndefined();
    });
  });
});
