import {
  mockCredentials,
  mockErrorHandler,
  mockServices,
} from '@backstage/backend-test-utils';
import { ConflictError, NotAllowedError } from '@backstage/errors';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { deployPermission } from '@multicluster/backstage-plugin-statefulsets-common';
import express from 'express';
import request from 'supertest';
import { ApplyRouterService, createApplyRouter } from './createApplyRouter';
import { ManifestsRefusedError } from './manifestRules';
import { ApplyRequest, ApplyResponse } from './types';

// Every response of the routes is checked against openapi.yaml: one that
// differs from the document is answered 500 with the difference.
jest.mock('../schema/openapi/generated/router', () =>
  jest
    .requireActual('../schema/openapi/__testUtils__/validateResponses')
    .routerModuleValidatingResponses(),
);

const REF = 'component:default/orders-db';

const configMap = {
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name: 'orders-db', namespace: 'orders' },
  data: { a: '1' },
};

const catalogInfo = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { name: 'orders-db' },
  spec: {
    type: 'database',
    lifecycle: 'production',
    owner: 'group:default/dba',
  },
};

function body(overrides: Record<string, unknown> = {}) {
  return {
    entityRef: REF,
    clusters: [
      { name: 'eu-central', manifests: [configMap] },
      { name: 'eu-west', manifests: [configMap] },
    ],
    catalogInfo,
    ...overrides,
  };
}

describe('createApplyRouter', () => {
  let events: Array<{ eventId: string; outcome?: string; meta?: any }>;
  let service: jest.Mocked<ApplyRouterService>;

  async function app(
    result: AuthorizeResult = AuthorizeResult.ALLOW,
    allowedWriterServices: string[] = [],
  ) {
    const permissions = mockServices.permissions.mock({
      authorize: async (reqs: any[]) => reqs.map(() => ({ result })) as any,
    });
    const auditor = mockServices.auditor.mock({
      createEvent: async (opts: any) => {
        const entry = { eventId: opts.eventId, meta: opts.meta } as any;
        events.push(entry);
        return {
          success: async (o?: any) => {
            entry.outcome = 'success';
            entry.meta = o?.meta ?? entry.meta;
          },
          fail: async (o?: any) => {
            entry.outcome = 'fail';
            entry.meta = o?.meta ?? entry.meta;
          },
        };
      },
    });
    const router = await createApplyRouter({
      apply: service,
      httpAuth: mockServices.httpAuth(),
      permissions,
      auditor,
      userInfo: mockServices.userInfo({
        ownershipEntityRefs: ['user:default/mock', 'group:default/dba'],
      }),
      allowedWriterServices,
    });
    return {
      server: express().use(router).use(mockErrorHandler()),
      permissions,
    };
  }

  beforeEach(() => {
    events = [];
    service = {
      clusterNames: jest.fn(() => ['eu-central', 'eu-west']),
      apply: jest.fn(
        async (
          req: ApplyRequest,
          _options: Parameters<ApplyRouterService['apply']>[1],
        ): Promise<ApplyResponse> => ({
          entityRef: req.entityRef,
          dryRun: req.dryRun,
          registered: !req.dryRun,
          results: req.clusters.map(c => ({
            cluster: c.name,
            status: 'ok' as const,
            objects: c.manifests.map(m => ({
              kind: m.kind,
              name: m.metadata.name,
              namespace: m.metadata.namespace,
              action: 'created' as const,
            })),
          })),
        }),
      ),
      listGeneratedEntities: jest.fn(async () => [
        {
          entityRef: REF,
          entity: catalogInfo as any,
          createdBy: 'user:default/mock',
          createdAt: '2026-11-27T10:00:00.000Z',
          updatedAt: '2026-11-27T10:00:00.000Z',
        },
      ]),
    };
  });

  it('applies with the deploy permission, as the caller, and audits it', async () => {
    const { server, permissions } = await app();
    const res = await request(server).post('/apply').send(body());

    expect(res.status).toBe(200);
    expect(res.body.results.map((r: any) => r.status)).toEqual(['ok', 'ok']);
    expect(permissions.authorize).toHaveBeenCalledWith(
      [{ permission: deployPermission }],
      expect.anything(),
    );
    expect(service.apply).toHaveBeenCalledWith(
      expect.objectContaining({ entityRef: REF, dryRun: false }),
      {
        actor: mockCredentials.user().principal.userEntityRef,
        caller: { refs: ['user:default/mock', 'group:default/dba'] },
        credentials: expect.objectContaining({
          principal: expect.objectContaining({ type: 'user' }),
        }),
      },
    );
    expect(events).toEqual([
      expect.objectContaining({ eventId: 'deploy', outcome: 'success' }),
    ]);
    // The audit record names every object written.
    expect(events[0].meta.objects).toEqual(
      ['eu-central', 'eu-west'].map(cluster => ({
        cluster,
        kind: 'ConfigMap',
        namespace: 'orders',
        name: 'orders-db',
        action: 'created',
      })),
    );
  });

  it('passes dryRun through and answers a partial failure per cluster, audited as failed', async () => {
    service.apply.mockImplementationOnce(async req => ({
      entityRef: req.entityRef,
      dryRun: req.dryRun,
      registered: false,
      results: [
        { cluster: 'eu-central', status: 'ok', objects: [] },
        { cluster: 'eu-west', status: 'failed', objects: [], error: 'down' },
      ],
    }));
    const { server } = await app();
    const res = await request(server)
      .post('/apply')
      .send(body({ dryRun: true }));

    expect(res.status).toBe(200);
    expect(service.apply.mock.calls[0][0].dryRun).toBe(true);
    expect(res.body.results[1]).toEqual({
      cluster: 'eu-west',
      status: 'failed',
      objects: [],
      error: 'down',
    });
    expect(events[0].outcome).toBe('fail');
    expect(events[0].meta.clusters).toEqual([
      { cluster: 'eu-central', status: 'ok', objects: 0 },
      { cluster: 'eu-west', status: 'failed', objects: 0 },
    ]);
  });

  it('answers 401 without credentials and 403 when denied', async () => {
    const { server } = await app(AuthorizeResult.DENY);
    const anonymous = await request(server)
      .post('/apply')
      .set('authorization', mockCredentials.none.header())
      .send(body());
    expect(anonymous.status).toBe(401);

    const denied = await request(server).post('/apply').send(body());
    expect(denied.status).toBe(403);
    expect(service.apply).not.toHaveBeenCalled();
    expect(events).toEqual([
      expect.objectContaining({ eventId: 'deploy', outcome: 'fail' }),
    ]);
  });

  it('names the bad field in a 400', async () => {
    const { server } = await app();
    const cases: Array<[object, RegExp]> = [
      [body({ entityRef: undefined }), /^entityRef: required/],
      [body({ entityRef: 'a:b:c/d/e' }), /^entityRef: /],
      [body({ dryRun: 'yes' }), /^dryRun: must be a boolean/],
      [body({ clusters: [] }), /^clusters: required/],
      [
        body({ clusters: [{ name: 'ap-south', manifests: [] }] }),
        /^clusters\[0\]\.name: unknown cluster "ap-south"; configured clusters: eu-central, eu-west/,
      ],
      [
        body({
          clusters: [
            { name: 'eu-west', manifests: [] },
            { name: 'eu-west', manifests: [] },
          ],
        }),
        /^clusters\[1\]\.name: cluster "eu-west" is listed twice/,
      ],
      [
        body({ clusters: [{ name: 'eu-west', manifests: [{ kind: 'X' }] }] }),
        /^clusters\[0\]\.manifests\[0\]\.apiVersion: required/,
      ],
      [
        body({
          clusters: [
            {
              name: 'eu-west',
              manifests: [{ apiVersion: 'v1', kind: 'X', metadata: {} }],
            },
          ],
        }),
        /^clusters\[0\]\.manifests\[0\]\.metadata\.name: required/,
      ],
      [body({ catalogInfo: 'nope' }), /^catalogInfo: expected/],
      [
        body({ catalogInfo: { ...catalogInfo, kind: undefined } }),
        /^catalogInfo: not a valid catalog entity/,
      ],
      [
        body({
          entityRef: 'group:default/admins',
          catalogInfo: {
            apiVersion: 'backstage.io/v1alpha1',
            kind: 'Group',
            metadata: { name: 'admins' },
            spec: { type: 'team', children: [] },
          },
        }),
        /^catalogInfo\.kind: must be one of Component, Resource, not Group/,
      ],
      [
        body({
          catalogInfo: {
            ...catalogInfo,
            metadata: { name: 'other-db' },
          },
        }),
        /^catalogInfo: the entity is component:default\/other-db, but entityRef is component:default\/orders-db/,
      ],
    ];
    for (const [payload, message] of cases) {
      const res = await request(server).post('/apply').send(payload);
      expect({ status: res.status, message: res.body.error?.message }).toEqual({
        status: 400,
        message: expect.stringMatching(message),
      });
    }
    expect(service.apply).not.toHaveBeenCalled();
  });

  it('rejects malformed bodies before any handler runs, naming the field', async () => {
    const { server, permissions } = await app();
    const cases: Array<[object, string]> = [
      [body({ dryRun: 'yes' }), 'dryRun: must be a boolean'],
      [body({ clusters: 'eu-west' }), 'clusters: expected an array'],
      [
        body({ clusters: [{ name: 'eu-west' }] }),
        'clusters[0].manifests: required',
      ],
      [
        body({
          clusters: [
            { name: 'eu-west', manifests: [{ ...configMap, kind: 7 }] },
          ],
        }),
        'clusters[0].manifests[0].kind: must be a string',
      ],
      [body({ catalogInfo: [] }), 'catalogInfo: expected an object'],
    ];
    for (const [payload, message] of cases) {
      const res = await request(server).post('/apply').send(payload);
      expect({ status: res.status, message: res.body.error?.message }).toEqual({
        status: 400,
        message,
      });
    }
    expect(permissions.authorize).not.toHaveBeenCalled();
    expect(events).toEqual([]);
    expect(service.apply).not.toHaveBeenCalled();
  });

  it("takes manifest sets beyond express' default body limit", async () => {
    const { server } = await app();
    const big = { ...configMap, data: { blob: 'x'.repeat(2_000_000) } };
    const res = await request(server)
      .post('/apply')
      .send(body({ clusters: [{ name: 'eu-west', manifests: [big] }] }));
    expect(res.status).toBe(200);
    expect(service.apply).toHaveBeenCalledTimes(1);
  });

  it('serves the generated entities to services only', async () => {
    const { server } = await app();
    const asService = await request(server)
      .get('/generated-entities')
      .set('authorization', mockCredentials.service.header());
    expect(asService.status).toBe(200);
    expect(asService.body.items.map((i: any) => i.entityRef)).toEqual([REF]);

    const asUser = await request(server).get('/generated-entities');
    expect(asUser.status).toBe(403);
    const anonymous = await request(server)
      .get('/generated-entities')
      .set('authorization', mockCredentials.none.header());
    expect(anonymous.status).toBe(401);
  });

  it('audits refused objects by name, whether refused up front or per cluster', async () => {
    service.apply.mockRejectedValueOnce(
      new ManifestsRefusedError([
        {
          cluster: 'eu-west',
          kind: 'ClusterRoleBinding',
          name: 'pwn',
          reason: 'ClusterRoleBinding is not a kind the template generates',
        },
      ]),
    );
    const { server } = await app();
    const refused = await request(server).post('/apply').send(body());
    expect(refused.status).toBe(400);
    expect(refused.body.error.message).toBe(
      'manifests refused: ClusterRoleBinding pwn in eu-west: ClusterRoleBinding is not a kind the template generates',
    );
    expect(events[0]).toMatchObject({
      outcome: 'fail',
      meta: {
        objects: [
          {
            cluster: 'eu-west',
            kind: 'ClusterRoleBinding',
            name: 'pwn',
            action: 'refused',
          },
        ],
      },
    });

    service.apply.mockImplementationOnce(async req => ({
      entityRef: req.entityRef,
      dryRun: false,
      registered: false,
      results: [
        {
          cluster: 'eu-west',
          status: 'failed',
          objects: [],
          refused: [
            {
              kind: 'StatefulSet',
              namespace: 'databases',
              name: 'orders-mysql',
              reason: 'exists and belongs to component:default/orders-mysql',
            },
          ],
          error: 'nothing was applied in eu-west',
        },
      ],
    }));
    const perCluster = await request(server).post('/apply').send(body());
    expect(perCluster.status).toBe(200);
    expect(perCluster.body.results[0].refused).toHaveLength(1);
    expect(events[1]).toMatchObject({
      outcome: 'fail',
      meta: {
        objects: [
          {
            cluster: 'eu-west',
            kind: 'StatefulSet',
            namespace: 'databases',
            name: 'orders-mysql',
            action: 'refused',
            reason: 'exists and belongs to component:default/orders-mysql',
          },
        ],
      },
    });
  });

  it('answers the 403 and 409 of entity ownership as they are', async () => {
    const { server } = await app();
    service.apply.mockRejectedValueOnce(
      new NotAllowedError(`${REF} is owned by group:default/dba`),
    );
    const notOwner = await request(server).post('/apply').send(body());
    expect(notOwner.status).toBe(403);
    service.apply.mockRejectedValueOnce(
      new ConflictError(`${REF} already exists in the catalog`),
    );
    const taken = await request(server).post('/apply').send(body());
    expect(taken.status).toBe(409);
    expect(taken.body.error.message).toBe(
      `${REF} already exists in the catalog`,
    );
  });

  it('lets a service write only when the configuration names it, trusted for ownership', async () => {
    // The mock auth service reads a service token as external:test-service.
    const ci = 'external:test-service';
    const { server: closed } = await app();
    const refused = await request(closed)
      .post('/apply')
      .set('authorization', mockCredentials.service.header())
      .send(body());
    expect(refused.status).toBe(403);
    expect(refused.body.error.message).toMatch(
      /the service "external:test-service" is not allowed to write.*multiclusterStatefulsets\.writers\.allowedServices/,
    );
    expect(service.apply).not.toHaveBeenCalled();

    const { server: open } = await app(AuthorizeResult.ALLOW, [ci]);
    const allowed = await request(open)
      .post('/apply')
      .set('authorization', mockCredentials.service.header())
      .send(body());
    expect(allowed.status).toBe(200);
    expect(service.apply).toHaveBeenCalledWith(expect.anything(), {
      actor: ci,
      caller: 'trusted',
      credentials: expect.anything(),
    });
  });
});
