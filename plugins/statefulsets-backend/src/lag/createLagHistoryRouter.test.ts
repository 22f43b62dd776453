import {
  mockCredentials,
  mockErrorHandler,
  mockServices,
} from '@backstage/backend-test-utils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import {
  EntityTopology,
  FailoverRun,
  ReplicationLink,
  topologyReadPermission,
} from '@multicluster/backstage-plugin-statefulsets-common';
import express from 'express';
import request from 'supertest';
import { createLagHistoryRouter } from './createLagHistoryRouter';
import { LagHistory } from './LagHistory';
import { PrometheusLagSource } from './PrometheusLagSource';

// Every answer is checked against openapi.yaml.
jest.mock('../schema/openapi/generated/router', () =>
  jest
    .requireActual('../schema/openapi/__testUtils__/validateResponses')
    .routerModuleValidatingResponses(),
);

const NOW = Date.parse('2026-12-01T12:00:00Z');
const REF = 'component:default/orders';
const URL_1H = '/entities/component/default/orders/lag-history';
const MINUTE = 60_000;

const link = (
  to: string,
  lagSeconds: number | null,
  lagSource?: string,
): ReplicationLink => ({
  from: 'eu-central',
  to,
  workload: 'orders-db',
  lagSeconds,
  healthy: true,
  provider: 'annotation',
  lagSource,
});

function topology(links: ReplicationLink[]): EntityTopology {
  return {
    entityRef: REF,
    generatedAt: new Date(NOW).toISOString(),
    policy: {
      engine: 'mysql',
      strategy: 'active-passive',
      maxFailoverLagSeconds: 5,
      allowedRegions: [],
    },
    clusters: ['eu-central', 'eu-west', 'us-east'].map(name => ({
      name,
      zones: [],
      reachable: true,
      stale: false,
      role: 'unknown',
      workloads: [
        {
          kind: 'StatefulSet',
          apiVersion: 'apps/v1',
          name: 'orders-db',
          namespace: 'databases',
          role: 'unknown',
          replicas: { desired: 1, ready: 1, updated: 1 },
          ordinalsStart: 0,
          pods: [],
          volumes: [],
        },
      ],
    })),
    replication: links,
    traffic: { routing: 'none', weights: {}, warnings: [] },
    federation: [],
    drift: [],
    readiness: { verdict: 'ready', checks: [] },
  };
}

function run(
  id: string,
  startedMinutesAgo: number,
  finishedMinutesAgo?: number,
): FailoverRun {
  const at = (m: number) => new Date(NOW - m * MINUTE).toISOString();
  return {
    id,
    entityRef: REF,
    mode: 'switchover',
    sourceCluster: 'eu-central',
    targetCluster: 'eu-west',
    status: finishedMinutesAgo === undefined ? 'running' : 'succeeded',
    actor: 'user:default/guest',
    createdAt: at(startedMinutesAgo),
    startedAt: at(startedMinutesAgo),
    finishedAt:
      finishedMinutesAgo === undefined ? undefined : at(finishedMinutesAgo),
    plan: {} as any,
  };
}

/** A Prometheus answering every range query with two points, or failing. */
function prometheusFetch(up: boolean) {
  return jest.fn(async (_url: URL | RequestInfo, _init?: RequestInit) => {
    if (!up) {
      throw new TypeError('fetch failed', {
        cause: Object.assign(new Error('refused'), { code: 'ECONNREFUSED' }),
      });
    }
    return Response.json({
      status: 'success',
      data: {
        resultType: 'matrix',
        result: [
          {
            metric: {},
            values: [
              [(NOW - 30 * MINUTE) / 1000, '1.5'],
              [(NOW - 15 * MINUTE) / 1000, '7'],
            ],
          },
        ],
      },
    });
  });
}

async function app(options: {
  links: ReplicationLink[];
  /** The links this replica sampled (default: `links`). */
  sampled?: ReplicationLink[];
  result?: AuthorizeResult;
  prometheusUp?: boolean;
  runs?: FailoverRun[];
}) {
  let now = NOW - 3 * MINUTE;
  const history = LagHistory.create({ now: () => now });
  // Three samples of every link, ten seconds apart: 0.5 s, 9 s, unknown.
  for (const lagSeconds of [0.5, 9, null]) {
    history.record(
      REF,
      (options.sampled ?? options.links).map(l => ({ ...l, lagSeconds })),
    );
    now += 10_000;
  }
  const fetchImpl = prometheusFetch(options.prometheusUp ?? true);
  const permissions = mockServices.permissions.mock({
    authorize: async (reqs: any[]) =>
      reqs.map(() => ({
        result: (options.result ?? AuthorizeResult.ALLOW) as any,
      })),
  });
  const getTopology = jest.fn(async () => ({
    topology: topology(options.links),
  }));
  const router = await createLagHistoryRouter({
    topology: { getTopology },
    runs: { listRuns: async () => options.runs ?? [] },
    history,
    sampleIntervalSeconds: 10,
    rangeSources: [
      PrometheusLagSource.create({
        url: 'http://prometheus:9090',
        fetch: fetchImpl,
      }),
    ],
    httpAuth: mockServices.httpAuth(),
    permissions,
    now: () => NOW,
  });
  return {
    server: express().use(router).use(mockErrorHandler()),
    permissions,
    getTopology,
    fetchImpl,
  };
}

describe('createLagHistoryRouter', () => {
  it('answers the memory samples, the threshold and the runs in the window', async () => {
    const links = [link('eu-west', 0.5)];
    const { server, permissions } = await app({
      links,
      runs: [run('old', 120, 100), run('done', 40, 38), run('now', 2)],
    });
    const res = await request(server).get(URL_1H);
    expect(res.status).toBe(200);
    expect(permissions.authorize).toHaveBeenCalledWith(
      [{ permission: topologyReadPermission, resourceRef: REF }],
      expect.anything(),
    );
    expect(res.body).toMatchObject({
      entityRef: REF,
      window: '1h',
      from: NOW - 60 * MINUTE,
      to: NOW,
      thresholdSeconds: 5,
      links: [
        {
          from: 'eu-central',
          to: 'eu-west',
          workload: 'orders-db',
          source: 'memory',
          stepSeconds: 10,
          samples: [
            { t: NOW - 3 * MINUTE, lagSeconds: 0.5 },
            { t: NOW - 3 * MINUTE + 10_000, lagSeconds: 9 },
            { t: NOW - 3 * MINUTE + 20_000, lagSeconds: null },
          ],
        },
      ],
    });
    expect(res.body.links[0].reason).toBeUndefined();
    expect(res.body.runs.map((r: { id: string }) => r.id)).toEqual([
      'done',
      'now',
    ]);
    expect(res.body.runs[0]).toEqual({
      id: 'done',
      mode: 'switchover',
      status: 'succeeded',
      sourceCluster: 'eu-central',
      targetCluster: 'eu-west',
      createdAt: new Date(NOW - 40 * MINUTE).toISOString(),
      startedAt: new Date(NOW - 40 * MINUTE).toISOString(),
      finishedAt: new Date(NOW - 38 * MINUTE).toISOString(),
    });
  });

  it('asks Prometheus for a link it measures, with a step of 6 minutes over a day', async () => {
    const { server, fetchImpl } = await app({
      links: [link('eu-west', 1, 'prometheus'), link('us-east', 2)],
    });
    const res = await request(server).get(`${URL_1H}?window=1d`);
    expect(res.status).toBe(200);
    expect(res.body.links[0]).toEqual({
      from: 'eu-central',
      to: 'eu-west',
      workload: 'orders-db',
      source: 'prometheus',
      stepSeconds: 360,
      samples: [
        { t: NOW - 30 * MINUTE, lagSeconds: 1.5 },
        { t: NOW - 15 * MINUTE, lagSeconds: 7 },
      ],
    });
    const params = new URLSearchParams(
      String(fetchImpl.mock.calls[0][1]!.body),
    );
    expect(params.get('step')).toBe('360');
    expect(Number(params.get('start'))).toBe((NOW - 1440 * MINUTE) / 1000);
    expect(params.get('query')).toContain('cluster="eu-west"');
    // The other link's lag is the provider's: its samples are in memory,
    // bucketed to the day's step, keeping the peak.
    expect(res.body.links[1]).toMatchObject({
      to: 'us-east',
      source: 'memory',
      stepSeconds: 360,
      samples: [{ t: NOW - 3 * MINUTE + 10_000, lagSeconds: 9 }],
    });
  });

  it("falls back to the replica's own samples when Prometheus fails, saying why", async () => {
    const { server } = await app({
      links: [link('eu-west', 3, 'prometheus')],
      prometheusUp: false,
    });
    const res = await request(server).get(URL_1H);
    expect(res.status).toBe(200);
    expect(res.body.links[0].source).toBe('memory');
    expect(res.body.links[0].samples).toHaveLength(3);
    expect(res.body.links[0].reason).toBe(
      "prometheus gave no history (Prometheus unreachable: ECONNREFUSED); these are this backend replica's own samples",
    );
  });

  it('says why a link has no samples yet', async () => {
    // Another replica sampled it, or the entity was just opened.
    const { server } = await app({
      links: [link('eu-west', 1)],
      sampled: [],
    });
    const res = await request(server).get(URL_1H);
    expect(res.body.links[0]).toMatchObject({
      source: 'memory',
      samples: [],
      reason:
        "no samples yet: this backend replica samples the lag every 10 s while it computes the entity's topology",
    });
  });

  it('answers 403 when the topology may not be read, and 401 without credentials', async () => {
    const { server, getTopology } = await app({
      links: [link('eu-west', 1)],
      result: AuthorizeResult.DENY,
    });
    const denied = await request(server).get(URL_1H);
    expect(denied.status).toBe(403);
    expect(denied.body.error.message).toBe(
      'Not allowed to read the lag history of component:default/orders',
    );
    const anonymous = await request(server)
      .get(URL_1H)
      .set('authorization', mockCredentials.none.header());
    expect(anonymous.status).toBe(401);
    expect(getTopology).not.toHaveBeenCalled();
  });

  it('refuses a window it does not offer', async () => {
    const { server } = await app({ links: [link('eu-west', 1)] });
    const res = await request(server).get(`${URL_1H}?window=1w`);
    expect(res.status).toBe(400);
    expect(res.body.error.message).toContain('window');
  });
});
