import {
  EntityTopology,
  ReadinessCheck,
  TopologyCluster,
} from '@multicluster/backstage-plugin-statefulsets-common';
import { EpisodeTracker } from './EpisodeTracker';

const REF = 'component:default/orders-mysql';
const DOWN = {
  reason: 'unreachable' as const,
  message: 'connect ECONNREFUSED',
};

function cluster(
  name: string,
  running: boolean,
  error?: TopologyCluster['error'],
): TopologyCluster {
  return {
    name,
    zones: [],
    reachable: !error,
    stale: false,
    error,
    role: 'unknown',
    workloads: running ? [{ name: 'orders-mysql' } as any] : [],
  };
}

const lagging: ReadinessCheck = {
  id: 'passive-in-sync',
  title: 'A passive side is within 5s of the active',
  status: 'warn',
  evidence: 'eu-central → eu-west: lag unknown',
};

function topology(
  verdict: EntityTopology['readiness']['verdict'],
  clusters = [cluster('eu-central', true), cluster('eu-west', true)],
): EntityTopology {
  const checks: ReadinessCheck[] = [
    {
      id: 'multi-cluster',
      title: 'Two clusters',
      status: 'pass',
      evidence: '',
    },
    ...(verdict === 'ready' ? [] : [lagging]),
  ];
  return {
    entityRef: REF,
    clusters,
    readiness: { verdict, checks },
  } as unknown as EntityTopology;
}

describe('EpisodeTracker', () => {
  const tracker = () =>
    new EpisodeTracker({
      readinessDebounceMs: 60_000,
      clusterUnreachableAfterMs: 300_000,
    });

  it('tells a drop from ready once the debounce passed, with the failing checks, and only once', () => {
    const t = tracker();
    t.observeTopology(topology('ready'), 0);
    t.observeTopology(topology('degraded'), 1000);
    expect(t.due(30_000)).toEqual([]);
    expect(t.due(61_000)).toEqual([
      {
        kind: 'readiness-dropped',
        entityRef: REF,
        verdict: 'degraded',
        failing: [lagging],
        since: 1000,
      },
    ]);
    // Polls and recomputes of the same state tell nothing more.
    t.observeTopology(topology('degraded'), 70_000);
    t.observeTopology(topology('not-ready'), 80_000);
    expect(t.due(500_000)).toEqual([]);
  });

  it('tells nothing when readiness flaps back to ready within the debounce', () => {
    const t = tracker();
    t.observeTopology(topology('ready'), 0);
    t.observeTopology(topology('degraded'), 1000);
    t.observeTopology(topology('ready'), 20_000);
    t.observeTopology(topology('not-ready'), 30_000);
    t.observeTopology(topology('ready'), 50_000);
    expect(t.due(200_000)).toEqual([]);
  });

  it('reports the verdict last seen when the debounce ends', () => {
    const t = tracker();
    t.observeTopology(topology('ready'), 0);
    t.observeTopology(topology('degraded'), 1000);
    t.observeTopology(topology('not-ready'), 2000);
    expect(t.due(61_000)).toMatchObject([
      { verdict: 'not-ready', since: 1000 },
    ]);
  });

  it('closes the episode on ready, so a later drop is told again', () => {
    const t = tracker();
    t.observeTopology(topology('ready'), 0);
    t.observeTopology(topology('degraded'), 1000);
    expect(t.due(61_000)).toHaveLength(1);
    t.observeTopology(topology('ready'), 100_000);
    t.observeTopology(topology('degraded'), 200_000);
    expect(t.due(230_000)).toEqual([]);
    expect(t.due(260_000)).toMatchObject([
      { kind: 'readiness-dropped', since: 200_000 },
    ]);
  });

  it('tells nothing for an entity never seen ready', () => {
    const t = tracker();
    t.observeTopology(topology('degraded'), 0);
    expect(t.due(1_000_000)).toEqual([]);
  });

  it('tells a cluster the database runs in that stays unreachable past the threshold, once per episode', () => {
    const t = tracker();
    t.observeTopology(topology('ready'), 0);
    t.observeClusters(
      [{ name: 'eu-central' }, { name: 'eu-west', unreachable: DOWN }],
      10_000,
    );
    // The cluster's cache is gone: it reports no workloads, but the
    // database still runs there as far as anyone knows.
    t.observeTopology(
      topology('ready', [
        cluster('eu-central', true),
        cluster('eu-west', false, DOWN),
      ]),
      20_000,
    );
    t.observeClusters(
      [{ name: 'eu-central' }, { name: 'eu-west', unreachable: DOWN }],
      200_000,
    );
    expect(t.due(200_000)).toEqual([]);
    expect(t.due(310_000)).toEqual([
      {
        kind: 'cluster-unreachable',
        entityRef: REF,
        cluster: 'eu-west',
        error: DOWN,
        since: 10_000,
      },
    ]);
    t.observeClusters([{ name: 'eu-west', unreachable: DOWN }], 320_000);
    expect(t.due(900_000)).toEqual([]);

    // Back, then down again: a new episode.
    t.observeClusters([{ name: 'eu-west' }], 1_000_000);
    t.observeClusters([{ name: 'eu-west', unreachable: DOWN }], 1_100_000);
    expect(t.due(1_300_000)).toEqual([]);
    expect(t.due(1_400_000)).toMatchObject([
      { cluster: 'eu-west', since: 1_100_000 },
    ]);
  });

  it('tells nothing for a short outage or a cluster the database does not run in', () => {
    const t = tracker();
    t.observeTopology(
      topology('ready', [
        cluster('eu-central', true),
        cluster('us-east', false),
      ]),
      0,
    );
    t.observeClusters(
      [
        { name: 'eu-central', unreachable: DOWN },
        { name: 'us-east', unreachable: DOWN },
      ],
      1000,
    );
    t.observeClusters(
      [{ name: 'eu-central' }, { name: 'us-east', unreachable: DOWN }],
      100_000,
    );
    expect(t.due(1_000_000)).toEqual([]);
  });

  it('forgets an entity not observed for a day', () => {
    const t = tracker();
    t.observeTopology(topology('ready'), 0);
    t.observeTopology(topology('degraded'), 1000);
    expect(t.due(25 * 60 * 60 * 1000)).toEqual([]);
  });
});
