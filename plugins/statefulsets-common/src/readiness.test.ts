import { readEntityPolicy } from './entityPolicy';
import { evaluateReadiness, ReadinessInput } from './readiness';
import { TopologyCluster, TopologyWorkload } from './types';

function workload(overrides: Partial<TopologyWorkload> = {}): TopologyWorkload {
  return {
    kind: 'StatefulSet',
    apiVersion: 'apps/v1',
    name: 'orders-db',
    namespace: 'databases',
    role: 'active',
    replicas: { desired: 1, ready: 1, updated: 1 },
    ordinalsStart: 0,
    pods: [
      {
        name: 'orders-db-0',
        ordinal: 0,
        phase: 'Running',
        ready: true,
        restarts: 0,
        role: 'primary',
      },
    ],
    volumes: [
      {
        claimName: 'data-orders-db-0',
        accessModes: ['ReadWriteOnce'],
        bound: true,
        sharedWith: [],
      },
    ],
    ...overrides,
  };
}

function cluster(
  name: string,
  region: string,
  w: TopologyWorkload[],
): TopologyCluster {
  return {
    name,
    region,
    zones: [],
    reachable: true,
    stale: false,
    role: 'active',
    workloads: w,
  };
}

function input(overrides: Partial<ReadinessInput> = {}): ReadinessInput {
  return {
    policy: readEntityPolicy({}),
    clusters: [
      cluster('a', 'eu-1', [workload()]),
      cluster('b', 'eu-2', [workload({ role: 'passive' })]),
    ],
    replication: [
      {
        from: 'a',
        to: 'b',
        workload: 'orders-db',
        lagSeconds: 1,
        healthy: true,
        provider: 'generic',
      },
    ],
    traffic: {
      routing: 'istio',
      weights: { a: 100, b: 0 },
      warnings: [],
    },
    federation: [],
    drift: [],
    ...overrides,
  };
}

const statusOf = (r: ReturnType<typeof evaluateReadiness>, id: string) =>
  r.checks.find(c => c.id === id)?.status;

describe('evaluateReadiness', () => {
  it('is not ready when a replica runs an older engine than its primary', () => {
    const r = evaluateReadiness(
      input({
        clusters: [
          cluster('a', 'eu-1', [workload({ image: 'mysql:8.4.2' })]),
          cluster('b', 'eu-2', [
            workload({ role: 'passive', image: 'mysql:8.0.36' }),
          ]),
        ],
      }),
    );
    expect(r.verdict).toBe('not-ready');
    expect(statusOf(r, 'engine-version')).toBe('fail');
  });

  it('is ready when everything holds', () => {
    const r = evaluateReadiness(input());
    expect(r.verdict).toBe('ready');
    expect(r.checks.every(c => c.status === 'pass')).toBe(true);
  });

  it('fails with a single cluster', () => {
    const r = evaluateReadiness(
      input({ clusters: [cluster('a', 'eu-1', [workload()])] }),
    );
    expect(r.verdict).toBe('not-ready');
    expect(statusOf(r, 'multi-cluster')).toBe('fail');
  });

  it('fails without a passive in sync and warns when the lag is unknown', () => {
    const late = evaluateReadiness(
      input({
        replication: [
          {
            from: 'a',
            to: 'b',
            workload: 'w',
            lagSeconds: 30,
            healthy: false,
            provider: 'generic',
          },
        ],
      }),
    );
    expect(statusOf(late, 'passive-in-sync')).toBe('fail');
    const unknown = evaluateReadiness(
      input({
        replication: [
          {
            from: 'a',
            to: 'b',
            workload: 'w',
            lagSeconds: null,
            healthy: false,
            provider: 'generic',
          },
        ],
      }),
    );
    expect(statusOf(unknown, 'passive-in-sync')).toBe('warn');
    expect(unknown.verdict).toBe('degraded');
  });

  it('fails when the only link is broken, as its exporter reports, rather than merely unmeasured', () => {
    const link = {
      from: 'a',
      to: 'b',
      workload: 'w',
      lagSeconds: null,
      healthy: false,
      provider: 'generic',
      reason:
        'broken: IO thread not running: w-0.w-headless.db.svc.cluster.local does not resolve in b',
    };
    const passive = evaluateReadiness(input({ replication: [link] }));
    expect(statusOf(passive, 'passive-in-sync')).toBe('fail');
    expect(passive.verdict).toBe('not-ready');
    const both = evaluateReadiness(
      input({
        policy: { ...input({}).policy, strategy: 'active-active' },
        replication: [link],
      }),
    );
    expect(statusOf(both, 'replication-healthy')).toBe('fail');
  });

  it('fails without a traffic route', () => {
    const r = evaluateReadiness(
      input({ traffic: { routing: 'none', weights: {}, warnings: [] } }),
    );
    expect(statusOf(r, 'traffic-route')).toBe('fail');
  });

  it('warns about unready pods, unbound claims and image drift', () => {
    const r = evaluateReadiness(
      input({
        clusters: [
          cluster('a', 'eu-1', [
            workload({
              replicas: { desired: 2, ready: 1, updated: 2 },
              volumes: [
                {
                  claimName: 'c',
                  accessModes: [],
                  bound: false,
                  sharedWith: [],
                },
              ],
            }),
          ]),
          cluster('b', 'eu-2', [workload()]),
        ],
        drift: [
          {
            workload: 'orders-db',
            field: 'image[mysql]',
            values: { a: '1', b: '2' },
          },
        ],
      }),
    );
    expect(r.verdict).toBe('degraded');
    expect(statusOf(r, 'pods-ready')).toBe('warn');
    expect(statusOf(r, 'claims-bound')).toBe('warn');
    expect(statusOf(r, 'no-critical-drift')).toBe('warn');
    expect(
      r.checks.find(c => c.id === 'no-critical-drift')?.evidence,
    ).toContain('a=1 b=2');
  });

  it('checks active-active links instead of a passive side', () => {
    const r = evaluateReadiness(
      input({
        policy: readEntityPolicy({
          'multicluster-statefulsets/strategy': 'active-active',
        }),
      }),
    );
    expect(statusOf(r, 'replication-healthy')).toBe('pass');
    expect(statusOf(r, 'passive-in-sync')).toBeUndefined();
  });

  it('accepts shared storage instead of replication for active-active', () => {
    const shared = (name: string, other: string) =>
      cluster(name, 'eu-1', [
        workload({
          volumes: [
            {
              claimName: 'media',
              accessModes: ['ReadWriteMany'],
              bound: true,
              sharedSource: 'cephfs:x',
              sharedWith: [other],
            },
          ],
        }),
      ]);
    const policy = readEntityPolicy({
      'multicluster-statefulsets/strategy': 'active-active',
    });
    const r = evaluateReadiness(
      input({
        policy,
        replication: [],
        clusters: [shared('a', 'b'), shared('b', 'a')],
      }),
    );
    expect(statusOf(r, 'replication-healthy')).toBe('pass');
    const alone = evaluateReadiness(input({ policy, replication: [] }));
    expect(statusOf(alone, 'replication-healthy')).toBe('warn');
  });

  it('is not ready while an annotation is too long to read', () => {
    const policy = readEntityPolicy({
      'multicluster-statefulsets/allowed-regions': `${'eu-*,'.repeat(1000)}`,
    });
    const r = evaluateReadiness(input({ policy }));
    expect(r.verdict).toBe('not-ready');
    const annotations = r.checks.find(c => c.id === 'entity-annotations');
    expect(annotations?.status).toBe('fail');
    expect(annotations?.evidence).toBe(
      'annotation multicluster-statefulsets/allowed-regions is 5000 characters; at most 1024 are read — shorten it',
    );
    expect(statusOf(r, 'data-residency')).toBeUndefined();
  });
});
