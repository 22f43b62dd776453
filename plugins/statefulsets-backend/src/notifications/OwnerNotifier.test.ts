import { mockServices } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import { NotificationSendOptions } from '@backstage/plugin-notifications-node';
import {
  ClusterHealth,
  EntityTopology,
  FailoverRun,
} from '@multicluster/backstage-plugin-statefulsets-common';
import { OwnerNotifier } from './OwnerNotifier';
import { multiClusterLink, runEndedNotification } from './ownerNotifications';
import { readNotificationOptions } from './readNotificationOptions';

const REF = 'component:default/orders-mysql';

const run = (over: Partial<FailoverRun> = {}): FailoverRun =>
  ({
    id: 'run-1',
    entityRef: REF,
    mode: 'switchover',
    sourceCluster: 'eu-central',
    targetCluster: 'eu-west',
    status: 'succeeded',
    actor: 'user:default/guest',
    createdAt: '2026-01-01T00:00:00Z',
    rtoMs: 2345,
    ...over,
  } as FailoverRun);

function topology(verdict: 'ready' | 'degraded'): EntityTopology {
  return {
    entityRef: REF,
    clusters: [
      { name: 'eu-central', workloads: [{}] },
      { name: 'eu-west', workloads: [{}] },
    ],
    readiness: {
      verdict,
      checks: [
        {
          id: 'pods-ready',
          title: 'All pods are ready',
          status: verdict === 'ready' ? 'pass' : 'warn',
          evidence: 'not ready: eu-west/orders-mysql-1',
        },
      ],
    },
  } as unknown as EntityTopology;
}

function setup(clusters: ClusterHealth[] = []) {
  const sent: NotificationSendOptions[] = [];
  let now = 0;
  const logger = mockServices.logger.mock();
  const notifier = OwnerNotifier.create({
    notifications: {
      send: async options => {
        sent.push(options);
      },
    },
    logger,
    options: {
      readinessDebounceMs: 60_000,
      clusterUnreachableAfterMs: 300_000,
    },
    clusters: () => clusters,
    now: () => now,
  });
  return { sent, notifier, logger, at: (ms: number) => (now = ms) };
}

describe('run notifications', () => {
  it('links to the run in the Multi-cluster tab', () => {
    expect(multiClusterLink(REF, 'a b')).toBe(
      '/catalog/default/component/orders-mysql/multi-cluster?run=a%20b',
    );
    expect(multiClusterLink('Component:team-a/x')).toBe(
      '/catalog/team-a/component/x/multi-cluster',
    );
  });

  it('words each final status and sends nothing for a run still going', () => {
    expect(runEndedNotification(run())!.payload).toMatchObject({
      title: 'Switchover of orders-mysql to eu-west succeeded',
      severity: 'normal',
      scope: 'failover-run:run-1',
      topic: 'multicluster-statefulsets',
    });
    expect(
      runEndedNotification(
        run({
          status: 'needs-attention',
          attention: 'Fence eu-central by hand',
        }),
      )!.payload,
    ).toMatchObject({
      title: 'Switchover of orders-mysql to eu-west needs attention',
      severity: 'critical',
      description: expect.stringContaining('What to do: Fence eu-central'),
    });
    expect(
      runEndedNotification(run({ status: 'rolled-back' }))!.payload.title,
    ).toMatch(/was rolled back$/);
    expect(runEndedNotification(run({ status: 'running' }))).toBeUndefined();
  });
});

describe('OwnerNotifier', () => {
  it('sends a run that ended to the entity, which the notifications backend resolves to its owners', async () => {
    const { sent, notifier } = setup();
    await notifier.runEnded(run());
    expect(sent).toEqual([
      {
        recipients: { type: 'entity', entityRef: REF },
        payload: expect.objectContaining({
          title: 'Switchover of orders-mysql to eu-west succeeded',
          link: '/catalog/default/component/orders-mysql/multi-cluster?run=run-1',
          description: expect.stringContaining('RTO 2.3 s'),
        }),
      },
    ]);
  });

  it('sends a readiness drop after the debounce, once, from topologies and checks', async () => {
    const { sent, notifier, at } = setup();
    await notifier.topologyComputed(topology('ready'));
    at(1000);
    await notifier.topologyComputed(topology('degraded'));
    at(30_000);
    await notifier.check();
    expect(sent).toEqual([]);
    at(61_000);
    await notifier.check();
    await notifier.topologyComputed(topology('degraded'));
    await notifier.check();
    expect(sent).toHaveLength(1);
    expect(sent[0].payload).toMatchObject({
      title: 'DR readiness of orders-mysql dropped to degraded',
      description:
        'All pods are ready (warn): not ready: eu-west/orders-mysql-1',
      link: '/catalog/default/component/orders-mysql/multi-cluster',
      scope: `readiness:${REF}`,
    });
  });

  it('sends a cluster unreachable past the threshold, from the clusters the topology service lists', async () => {
    const health: ClusterHealth[] = [
      { name: 'eu-central', zones: [], synced: true, servedKinds: [] },
      {
        name: 'eu-west',
        zones: [],
        synced: false,
        servedKinds: [],
        lastError: {
          reason: 'timeout',
          message: 'no answer in 5000 ms',
          at: '',
        },
      },
    ];
    const { sent, notifier, at } = setup(health);
    await notifier.topologyComputed(topology('ready'));
    at(10_000);
    await notifier.check();
    at(299_000);
    await notifier.check();
    expect(sent).toEqual([]);
    at(400_000);
    await notifier.check();
    await notifier.check();
    expect(sent.map(s => s.payload)).toEqual([
      expect.objectContaining({
        title: 'Cluster eu-west of orders-mysql unreachable',
        description: expect.stringContaining('for 6 min or more (timeout'),
        scope: `cluster-unreachable:${REF}:eu-west`,
      }),
    ]);
  });

  it('logs a failed send, saying how to fix it, instead of throwing', async () => {
    const logger = mockServices.logger.mock();
    const notifier = OwnerNotifier.create({
      notifications: {
        send: async () => {
          throw new Error('404 Not Found');
        },
      },
      logger,
      options: { readinessDebounceMs: 1, clusterUnreachableAfterMs: 1 },
      clusters: () => [],
    });
    await expect(notifier.runEnded(run())).resolves.toBeUndefined();
    expect(logger.warn).toHaveBeenCalledWith(
      expect.stringMatching(/404 Not Found.*plugin-notifications-backend/),
    );
  });

  it('is off when configured so, and reads durations with defaults', () => {
    const notifications = { send: jest.fn() };
    const deps = {
      notifications,
      logger: mockServices.logger.mock(),
      clusters: () => [],
    };
    const off = new ConfigReader({
      multiclusterStatefulsets: { notifications: { enabled: false } },
    });
    expect(OwnerNotifier.fromConfig(off, deps)).toBeUndefined();
    expect(readNotificationOptions(new ConfigReader({}))).toEqual({
      enabled: true,
      clusterUnreachableAfterMs: 300_000,
      readinessDebounceMs: 60_000,
    });
    const short = new ConfigReader({
      multiclusterStatefulsets: {
        notifications: {
          clusterUnreachableAfter: '20s',
          readinessDebounce: { seconds: 8 },
        },
      },
    });
    expect(readNotificationOptions(short)).toMatchObject({
      clusterUnreachableAfterMs: 20_000,
      readinessDebounceMs: 8000,
    });
    expect(OwnerNotifier.fromConfig(short, deps)!.checkIntervalMs).toBe(2000);
    expect(() =>
      readNotificationOptions(
        new ConfigReader({
          multiclusterStatefulsets: {
            notifications: { readinessDebounce: 'soon' },
          },
        }),
      ),
    ).toThrow(/readinessDebounce is not a duration/);
  });
});
