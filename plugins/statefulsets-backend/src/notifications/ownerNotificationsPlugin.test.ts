/*
 * The plugin's wiring of owner notifications, against the cluster simulator:
 * a switchover started over REST ends in one notification to the entity, a
 * cluster that stops answering is told once as unreachable and as a
 * readiness drop, and a backend with notifications turned off starts and
 * sends nothing.
 */
import { createServiceFactory } from '@backstage/backend-plugin-api';
import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import {
  NotificationSendOptions,
  notificationService,
} from '@backstage/plugin-notifications-node';
import { signalsServiceRef } from '@backstage/plugin-signals-node';
import {
  appConfigFor,
  RunningSimulator,
} from '@multicluster/cluster-simulator';
import request from 'supertest';
import {
  DEMO_ENTITIES,
  startDemoWorld,
} from '../failover/__testUtils__/simulatorWorld';
import { multiclusterStatefulsetsPlugin } from '../plugin';
import { databaseEntity } from '../__testUtils__/databaseEntity';
import { waitFor } from '../__testUtils__/waitFor';

jest.setTimeout(60_000);

const BASE =
  '/api/multicluster-statefulsets/entities/component/default/orders-mysql';

const entity = databaseEntity('orders-mysql', DEMO_ENTITIES['orders-mysql']);

const until = <T>(probe: () => Promise<T | undefined>) =>
  waitFor(probe, { timeoutMs: 30_000, intervalMs: 100 });

describe('owner notifications in the plugin', () => {
  let sim: RunningSimulator;
  const sent: NotificationSendOptions[] = [];

  beforeEach(async () => {
    sim = await startDemoWorld();
    sent.length = 0;
  });

  afterEach(async () => {
    await sim.stop();
  });

  function startBackend(notifications?: object) {
    // The clusters' admin tokens: the test's user is no user of their RBAC.
    const config = appConfigFor(
      sim.clusters.map(c => ({
        ...c,
        readOnlyToken: undefined,
        writeToken: undefined,
        rbac: false,
      })),
    ) as any;
    config.multiclusterStatefulsets.notifications = notifications;
    config.multiclusterStatefulsets.failover = { catchUpTimeoutMs: 5000 };
    // Every read computes the topology again, as a change would.
    config.multiclusterStatefulsets.cacheTtlMs = 1;
    return startTestBackend({
      features: [
        multiclusterStatefulsetsPlugin,
        mockServices.rootConfig.factory({ data: config }),
        catalogServiceMock.factory({ entities: [entity] }),
        createServiceFactory({
          service: signalsServiceRef,
          deps: {},
          factory: () => ({ publish: async () => undefined }),
        }),
        createServiceFactory({
          service: notificationService,
          deps: {},
          factory: () => ({
            send: async (options: NotificationSendOptions) => {
              sent.push(options);
            },
          }),
        }),
      ],
    });
  }

  async function switchOver(server: any): Promise<string> {
    // Every pod ready and a fresh lag first, as the plan requires.
    await until(async () => {
      const plan = await request(server)
        .post(`${BASE}/failover/plan`)
        .send({ targetCluster: 'eu-west', mode: 'switchover' });
      return plan.body.allowed ? plan : undefined;
    });
    const started = await request(server).post(`${BASE}/failover/runs`).send({
      targetCluster: 'eu-west',
      mode: 'switchover',
      confirm: 'orders-mysql',
    });
    expect(started.status).toBe(202);
    const id = started.body.id as string;
    await until(async () => {
      const run = await request(server).get(`${BASE}/failover/runs/${id}`);
      return ['pending', 'running'].includes(run.body.status)
        ? undefined
        : run.body;
    });
    return id;
  }

  it('sends one notification to the entity when a switchover ends', async () => {
    const backend = await startBackend();
    try {
      const id = await switchOver(backend.server);
      await until(async () => (sent.length > 0 ? sent : undefined));
      const runs = sent.filter(s =>
        s.payload.scope?.startsWith('failover-run'),
      );
      expect(runs).toEqual([
        {
          recipients: {
            type: 'entity',
            entityRef: 'component:default/orders-mysql',
          },
          payload: expect.objectContaining({
            title: 'Switchover of orders-mysql to eu-west succeeded',
            link: `/catalog/default/component/orders-mysql/multi-cluster?run=${id}`,
            scope: `failover-run:${id}`,
            topic: 'multicluster-statefulsets',
          }),
        },
      ]);
    } finally {
      await backend.stop();
    }
  });

  it('tells once that a cluster stopped answering and that readiness dropped', async () => {
    const backend = await startBackend({
      readinessDebounce: '1ms',
      clusterUnreachableAfter: '1ms',
    });
    try {
      await until(async () => {
        const t = await request(backend.server).get(`${BASE}/topology`);
        return t.body.readiness?.verdict === 'ready' ? t : undefined;
      });
      await sim.admin.setFaults('eu-west', { down: true });
      const titles = await until(async () => {
        await request(backend.server).get(`${BASE}/topology`);
        const all = sent.map(s => s.payload.title).sort();
        return all.length >= 2 ? all : undefined;
      });
      expect(titles).toEqual([
        'Cluster eu-west of orders-mysql unreachable',
        'DR readiness of orders-mysql dropped to degraded',
      ]);
      // Polls of the same episode tell nothing more.
      for (let i = 0; i < 5; i++) {
        await request(backend.server).get(`${BASE}/topology`);
        await new Promise(r => setTimeout(r, 300));
      }
      expect(sent).toHaveLength(2);
    } finally {
      await sim.admin.clearFaults('eu-west');
      await backend.stop();
    }
  });

  it('starts with notifications turned off and sends nothing', async () => {
    const backend = await startBackend({ enabled: false });
    try {
      await switchOver(backend.server);
      await new Promise(r => setTimeout(r, 200));
      expect(sent).toEqual([]);
    } finally {
      await backend.stop();
    }
  });
});
