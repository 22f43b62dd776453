import {
  mockCredentials,
  mockErrorHandler,
  mockServices,
} from '@backstage/backend-test-utils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import express from 'express';
import request from 'supertest';
import { createDiscoveryRouter } from './createDiscoveryRouter';
import { DiscoveredDatabases } from './DatabaseDiscovery';

// Responses are checked against openapi.yaml too.
jest.mock('../schema/openapi/generated/router', () =>
  jest
    .requireActual('../schema/openapi/__testUtils__/validateResponses')
    .routerModuleValidatingResponses(),
);

const answer: DiscoveredDatabases = {
  enabled: true,
  providerEnabled: true,
  refreshedAt: '2026-12-06T05:00:00.000Z',
  clusters: [
    { name: 'a', objects: 2 },
    { name: 'b', objects: 1, error: 'no answer within 5000 ms' },
  ],
  items: [
    {
      id: 'operator/databases/strimzi/Kafka/events',
      name: 'events',
      namespace: 'databases',
      engine: 'kafka',
      grouping: 'operator',
      groupedBy: 'same Strimzi Kafka name',
      clusters: ['a', 'b'],
      objects: [
        { cluster: 'a', kind: 'Kafka', namespace: 'databases', name: 'events' },
      ],
      entityRef: 'component:default/events',
      annotations: { 'multicluster-statefulsets/engine': 'kafka' },
      reason: 'no owner',
    },
  ],
};

async function app(
  options: {
    result?: AuthorizeResult;
    defaultCredentials?: ReturnType<typeof mockCredentials.none>;
    current?: DiscoveredDatabases;
  } = {},
) {
  const permissions = mockServices.permissions.mock({
    authorize: async (reqs: any[]) =>
      reqs.map(() => ({
        result: options.result ?? AuthorizeResult.ALLOW,
      })) as any,
  });
  const router = await createDiscoveryRouter({
    discovery: { current: () => options.current ?? answer },
    httpAuth: mockServices.httpAuth({
      defaultCredentials: options.defaultCredentials ?? mockCredentials.none(),
    }),
    permissions,
  });
  return {
    server: express().use(router).use(mockErrorHandler()),
    permissions,
  };
}

describe('GET /discovery/databases', () => {
  it('refuses a call without credentials', async () => {
    const { server, permissions } = await app();
    const res = await request(server).get('/discovery/databases');
    expect(res.status).toBe(401);
    expect(permissions.authorize).not.toHaveBeenCalled();
  });

  it('answers a user holding the discovery read permission', async () => {
    const { server, permissions } = await app();
    const res = await request(server)
      .get('/discovery/databases')
      .set('authorization', mockCredentials.user.header());
    expect(res.status).toBe(200);
    expect(res.body).toEqual(answer);
    expect(permissions.authorize).toHaveBeenCalledWith(
      [
        {
          permission: expect.objectContaining({
            name: 'multicluster-statefulsets.discovery.read',
          }),
        },
      ],
      expect.anything(),
    );
  });

  it('refuses a user the policy denies', async () => {
    const { server } = await app({ result: AuthorizeResult.DENY });
    const res = await request(server)
      .get('/discovery/databases')
      .set('authorization', mockCredentials.user.header());
    expect(res.status).toBe(403);
  });

  it('answers the catalog provider, a service principal', async () => {
    const { server } = await app();
    const res = await request(server)
      .get('/discovery/databases')
      .set('authorization', mockCredentials.service.header());
    expect(res.status).toBe(200);
    expect(res.body.items).toHaveLength(1);
  });

  it('says when discovery is off', async () => {
    const { server } = await app({
      current: {
        enabled: false,
        providerEnabled: false,
        clusters: [],
        items: [],
      },
    });
    const res = await request(server)
      .get('/discovery/databases')
      .set('authorization', mockCredentials.user.header());
    expect(res.body).toEqual({
      enabled: false,
      providerEnabled: false,
      clusters: [],
      items: [],
    });
  });
});
