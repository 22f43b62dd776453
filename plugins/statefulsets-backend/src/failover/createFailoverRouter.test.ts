import {
  mockCredentials,
  mockErrorHandler,
  mockServices,
  TestDatabases,
} from '@backstage/backend-test-utils';
import { ConflictError } from '@backstage/errors';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import {
  EntityTopology,
  failoverExecutePermission,
  planFailover,
  topologyReadPermission,
} from '@multicluster/backstage-plugin-statefulsets-common';
import express from 'express';
import request from 'supertest';
import { createFailoverRouter } from './createFailoverRouter';
import { DatabaseFailoverStore } from './DatabaseFailoverStore';
import {
  RecordedAuditEvent,
  recordingAuditor,
} from './__testUtils__/recordingAuditor';

// Every response of the routes is checked against openapi.yaml: one that
// differs from the document is answered 500 with the difference.
jest.mock('../schema/openapi/generated/router', () =>
  jest
    .requireActual('../schema/openapi/__testUtils__/validateResponses')
    .routerModuleValidatingResponses(),
);

const databases = TestDatabases.create({ ids: ['SQLITE_3'] });
const BASE = '/entities/component/default/orders/failover';
const REF = 'component:default/orders';

function topology(): EntityTopology {
  const workload = (ready: number) => ({
    kind: 'StatefulSet' as const,
    apiVersion: 'apps/v1',
    name: 'orders',
    namespace: 'db',
    role: 'unknown' as const,
    replicas: { desired: 1, ready, updated: 1 },
    ordinalsStart: 0,
    pods: [],
    volumes: [],
    ownership: { status: 'owned' as const, owner: REF },
  });
  return {
    entityRef: REF,
    generatedAt: new Date().toISOString(),
    policy: {
      engine: 'mysql',
      strategy: 'active-passive',
      maxFailoverLagSeconds: 5,
      allowedRegions: [],
    },
    clusters: ['a', 'b'].map((name, i) => ({
      name,
      zones: [],
      reachable: true,
      stale: false,
      role: i === 0 ? 'active' : 'passive',
      workloads: [workload(1)],
    })),
    replication: [
      {
        from: 'a',
        to: 'b',
        workload: 'orders',
        lagSeconds: 0.5,
        healthy: true,
        observedAt: new Date().toISOString(),
        provider: 'generic',
      },
    ],
    traffic: { routing: 'none', weights: {}, warnings: [] },
    federation: [],
    drift: [],
    readiness: { verdict: 'ready', checks: [] },
  };
}

describe('createFailoverRouter', () => {
  let store: DatabaseFailoverStore;
  let auditor: ReturnType<typeof mockServices.auditor.mock>;
  let events: RecordedAuditEvent[];
  const engine = {
    plan: jest.fn(async (input: any) =>
      planFailover({ ...input, now: Date.now() }),
    ),
    start: jest.fn(),
  };

  async function app(
    result = AuthorizeResult.ALLOW as any,
    authorize?: any,
    allowedWriterServices?: string[],
  ) {
    const permissions = mockServices.permissions.mock({
      authorize:
        authorize ?? (async (reqs: any[]) => reqs.map(() => ({ result }))),
    });
    const router = await createFailoverRouter({
      engine: engine as any,
      store,
      topology: { getTopology: async () => ({ topology: topology() }) },
      httpAuth: mockServices.httpAuth(),
      permissions,
      auditor,
      allowedWriterServices,
    });
    return {
      server: express().use(router).use(mockErrorHandler()),
      permissions,
    };
  }

  beforeEach(async () => {
    store = await DatabaseFailoverStore.create({
      database: await databases.init('SQLITE_3'),
    });
    events = [];
    auditor = recordingAuditor(events);
    engine.plan.mockClear();
    engine.start.mockReset();
  });

  it('plans with the execute permission and audits it', async () => {
    const { server, permissions } = await app();
    const res = await request(server)
      .post(`${BASE}/plan`)
      .send({ targetCluster: 'b', mode: 'switchover' });
    expect(res.status).toBe(200);
    expect(res.body.sourceCluster).toBe('a');
    expect(res.body.allowed).toBe(true);
    expect(permissions.authorize).toHaveBeenCalledWith(
      [{ permission: failoverExecutePermission, resourceRef: REF }],
      expect.anything(),
    );
    expect(events).toEqual([
      expect.objectContaining({ eventId: 'failover-plan', outcome: 'success' }),
    ]);
  });

  it('answers 401 without credentials and 403 when denied', async () => {
    const { server } = await app(AuthorizeResult.DENY);
    const anonymous = await request(server)
      .post(`${BASE}/plan`)
      .set('authorization', mockCredentials.none.header())
      .send({ targetCluster: 'b', mode: 'switchover' });
    expect(anonymous.status).toBe(401);
    const denied = await request(server)
      .post(`${BASE}/runs`)
      .send({ targetCluster: 'b', mode: 'switchover', confirm: 'orders' });
    expect(denied.status).toBe(403);
    expect(engine.start).not.toHaveBeenCalled();
    expect(events).toEqual([
      expect.objectContaining({ eventId: 'failover-execute', outcome: 'fail' }),
    ]);
  });

  it('plans and runs for users; a service only when allow-listed', async () => {
    // The mock service token authenticates as external:test-service.
    const ci = mockCredentials.service();
    const plan = { targetCluster: 'b', mode: 'switchover' };
    const run = { ...plan, confirm: 'orders' };
    engine.start.mockResolvedValue({ id: 'run-1' });

    const refused = await app();
    for (const [path, body] of [
      [`${BASE}/plan`, plan],
      [`${BASE}/runs`, run],
    ] as const) {
      const res = await request(refused.server)
        .post(path)
        .set('authorization', mockCredentials.service.header())
        .send(body);
      expect(res.status).toBe(403);
      expect(res.body.error.message).toMatch(
        /the service "external:test-service" is not allowed to write.*multiclusterStatefulsets\.writers\.allowedServices/,
      );
    }
    expect(refused.permissions.authorize).not.toHaveBeenCalled();
    expect(engine.plan).not.toHaveBeenCalled();
    expect(engine.start).not.toHaveBeenCalled();

    const allowed = await app(AuthorizeResult.ALLOW, undefined, [
      ci.principal.subject,
    ]);
    const planned = await request(allowed.server)
      .post(`${BASE}/plan`)
      .set('authorization', mockCredentials.service.header())
      .send(plan);
    expect(planned.status).toBe(200);
    const started = await request(allowed.server)
      .post(`${BASE}/runs`)
      .set('authorization', mockCredentials.service.header())
      .send(run);
    expect(started.status).toBe(202);
    expect(engine.start).toHaveBeenCalledWith(
      expect.objectContaining({ actor: 'external:test-service' }),
    );

    const asUser = await request(refused.server)
      .post(`${BASE}/runs`)
      .set('authorization', mockCredentials.user.header('user:default/dba'))
      .send(run);
    expect(asUser.status).toBe(202);
    expect(engine.start).toHaveBeenLastCalledWith(
      expect.objectContaining({ actor: 'user:default/dba' }),
    );
  });

  it('refuses a 9 MB body 413 and an anonymous one 401, neither parsed', async () => {
    const { server, permissions } = await app();
    const huge = JSON.stringify({
      targetCluster: 'b',
      mode: 'switchover',
      confirm: 'orders',
      reason: 'x'.repeat(9 * 1024 * 1024),
    });
    const parse = jest.spyOn(JSON, 'parse');
    const started = Date.now();
    const tooBig = await request(server)
      .post(`${BASE}/runs`)
      .set('content-type', 'application/json')
      .send(huge);
    const anonymous = await request(server)
      .post(`${BASE}/runs`)
      .set('content-type', 'application/json')
      .set('authorization', mockCredentials.none.header())
      .send(huge);
    const elapsed = Date.now() - started;
    const parsedHuge = parse.mock.calls.some(
      ([text]) => typeof text === 'string' && text.length > 1024 * 1024,
    );
    parse.mockRestore();
    expect(tooBig.status).toBe(413);
    expect(tooBig.body.error).toEqual(
      expect.objectContaining({
        name: 'PayloadTooLargeError',
        message: 'request body larger than 16kb',
      }),
    );
    expect(anonymous.status).toBe(401);
    expect(parsedHuge).toBe(false);
    expect(elapsed).toBeLessThan(3000);
    expect(permissions.authorize).not.toHaveBeenCalled();
    expect(engine.start).not.toHaveBeenCalled();
  });

  it('names the bad field in a 400', async () => {
    const { server } = await app();
    const cases: Array<[object, RegExp]> = [
      [{ targetCluster: 'b', mode: 'switchover', confirm: 'nope' }, /^confirm/],
      [
        { targetCluster: 'mars', mode: 'switchover', confirm: 'orders' },
        /^targetCluster: unknown cluster "mars"/,
      ],
      [{ mode: 'switchover', confirm: 'orders' }, /^targetCluster/],
      [{ targetCluster: 'b', mode: 'teleport', confirm: 'orders' }, /^mode/],
      [{ targetCluster: 'b', mode: 'failover', confirm: 'orders' }, /^force/],
    ];
    for (const [body, pattern] of cases) {
      const res = await request(server).post(`${BASE}/runs`).send(body);
      expect(res.status).toBe(400);
      expect(res.body.error.message).toMatch(pattern);
    }
    expect(engine.start).not.toHaveBeenCalled();
  });

  it('rejects malformed requests before any handler runs, naming the field', async () => {
    const { server, permissions } = await app();
    const cases: Array<[string, object, string]> = [
      [
        `${BASE}/runs`,
        { mode: 'switchover', confirm: 'orders' },
        'targetCluster: required',
      ],
      [
        `${BASE}/runs`,
        { targetCluster: 'b', mode: 'teleport', confirm: 'orders' },
        'mode: must be one of switchover, failover, drain',
      ],
      [
        `${BASE}/runs`,
        { targetCluster: 'b', mode: 'failover', confirm: 'orders', force: 1 },
        'force: must be a boolean',
      ],
      [
        `${BASE}/runs`,
        { targetCluster: 'b', mode: 'switchover' },
        'confirm: required',
      ],
      [
        `${BASE}/plan`,
        { targetCluster: '', mode: 'switchover' },
        'targetCluster: required, a non-empty string',
      ],
      [`${BASE}/plan`, [], 'body: expected a JSON object'],
      [
        `${BASE}/plan`,
        { targetCluster: 'b'.repeat(254), mode: 'switchover' },
        'targetCluster: at most 253 characters, shorten it',
      ],
      [
        `${BASE}/runs`,
        { targetCluster: 'b', mode: 'switchover', confirm: 'o'.repeat(254) },
        'confirm: at most 253 characters, shorten it',
      ],
      [
        '/entities/component/default/-orders/failover/plan',
        { targetCluster: 'b', mode: 'switchover' },
        'name: must be an entity name',
      ],
    ];
    for (const [path, body, message] of cases) {
      const res = await request(server).post(path).send(body);
      expect({ status: res.status, message: res.body.error?.message }).toEqual({
        status: 400,
        message: expect.stringContaining(message),
      });
    }
    expect(permissions.authorize).not.toHaveBeenCalled();
    expect(events).toEqual([]);
    expect(engine.plan).not.toHaveBeenCalled();
    expect(engine.start).not.toHaveBeenCalled();
  });

  it('starts a run with 202, and answers 409 while one is in progress', async () => {
    const { server } = await app();
    engine.start.mockResolvedValueOnce({ id: 'run-1' });
    const ok = await request(server)
      .post(`${BASE}/runs`)
      .send({ targetCluster: 'b', mode: 'switchover', confirm: 'orders' });
    expect(ok.status).toBe(202);
    expect(ok.body).toEqual({ id: 'run-1' });
    expect(engine.start).toHaveBeenCalledWith(
      expect.objectContaining({
        targetCluster: 'b',
        mode: 'switchover',
        force: false,
        actor: 'user:default/mock',
      }),
    );
    engine.start.mockRejectedValueOnce(new ConflictError('run-1 in progress'));
    const busy = await request(server)
      .post(`${BASE}/runs`)
      .send({ targetCluster: 'b', mode: 'switchover', confirm: 'orders' });
    expect(busy.status).toBe(409);
    expect(events.map(e => e.outcome)).toEqual(['success', 'fail']);
  });

  it('lists runs and reads one with its steps under the read permission', async () => {
    const plan = planFailover({
      topology: topology(),
      targetCluster: 'b',
      mode: 'switchover',
      now: Date.now(),
    });
    const run = await store.createRun({
      entityRef: REF,
      mode: 'switchover',
      sourceCluster: 'a',
      targetCluster: 'b',
      actor: 'user:default/mock',
      plan,
      createdAt: new Date().toISOString(),
    });
    const { server, permissions } = await app();
    const list = await request(server).get(`${BASE}/runs`);
    expect(list.status).toBe(200);
    expect(list.body.items.map((r: any) => r.id)).toEqual([run.id]);
    expect(permissions.authorize).toHaveBeenCalledWith(
      [{ permission: topologyReadPermission, resourceRef: REF }],
      expect.anything(),
    );
    const one = await request(server).get(`${BASE}/runs/${run.id}`);
    expect(one.status).toBe(200);
    expect(one.body.steps.map((s: any) => s.kind)).toEqual(
      plan.steps.map(s => s.kind),
    );
    const other = await request(server).get(
      `/entities/component/default/billing/failover/runs/${run.id}`,
    );
    expect(other.status).toBe(404);
    const missing = await request(server).get(`${BASE}/runs/nope`);
    expect(missing.status).toBe(404);
  });
});
