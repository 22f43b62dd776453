import { EntityTopology, TopologyCluster, TopologyWorkload } from '../types';
import { gitOpsMarkersOf } from './gitops';
import { planFailover } from './planFailover';
import {
  describeCloudNativePgSteps,
  describeGenericSteps,
  FailoverStepDescriber,
  FailoverStepSides,
} from './stepDescriptions';

const NOW = Date.parse('2026-11-27T12:00:00Z');

function workload(
  kind: TopologyWorkload['kind'],
  ready: number,
  desired = 3,
): TopologyWorkload {
  return {
    kind,
    apiVersion: kind === 'Cluster' ? 'postgresql.cnpg.io/v1' : 'apps/v1',
    name: 'orders',
    namespace: 'db',
    role: 'unknown',
    replicas: { desired, ready, updated: desired },
    ordinalsStart: 0,
    pods: Array.from({ length: desired }, (_, i) => ({
      name: `orders-${i}`,
      phase: 'Running',
      ready: i < ready,
      restarts: 0,
      role: 'unknown' as const,
    })),
    volumes: [],
    ownership: { status: 'owned', owner: 'component:default/orders' },
  };
}

function cluster(
  name: string,
  role: TopologyCluster['role'],
  opts: Partial<TopologyCluster> & {
    ready?: number;
    kind?: 'StatefulSet' | 'Cluster';
  } = {},
): TopologyCluster {
  const { ready = 3, kind = 'StatefulSet', ...rest } = opts;
  return {
    name,
    region: `${name}-1`,
    zones: [],
    reachable: true,
    stale: false,
    role,
    workloads: [workload(kind, ready)],
    ...rest,
  };
}

function topology(over: Partial<EntityTopology> = {}): EntityTopology {
  return {
    entityRef: 'component:default/orders',
    generatedAt: new Date(NOW).toISOString(),
    policy: {
      engine: 'mysql',
      strategy: 'active-passive',
      maxFailoverLagSeconds: 5,
      allowedRegions: ['eu-*'],
    },
    clusters: [cluster('eu-central', 'active'), cluster('eu-west', 'passive')],
    replication: [
      {
        from: 'eu-central',
        to: 'eu-west',
        workload: 'orders',
        lagSeconds: 1.2,
        healthy: true,
        observedAt: new Date(NOW - 2000).toISOString(),
        provider: 'generic',
      },
    ],
    traffic: {
      routing: 'istio',
      weights: { 'eu-central': 100, 'eu-west': 0 },
      object: 'eu-central:db/orders',
      warnings: [],
      objects: [
        {
          cluster: 'eu-central',
          kind: 'VirtualService',
          namespace: 'db',
          name: 'orders',
          ownership: { status: 'owned', owner: 'component:default/orders' },
        },
      ],
    },
    federation: [],
    drift: [],
    readiness: { verdict: 'ready', checks: [] },
    ...over,
  };
}

function statusOf(plan: ReturnType<typeof planFailover>, id: string) {
  return plan.checks.find(c => c.id === id)?.status;
}

describe('planFailover', () => {
  it('plans a healthy switchover with ordered steps and no data loss', () => {
    const plan = planFailover({
      topology: topology(),
      targetCluster: 'eu-west',
      mode: 'switchover',
      now: NOW,
    });
    expect(plan.allowed).toBe(true);
    expect(plan.sourceCluster).toBe('eu-central');
    expect(plan.steps.map(s => s.kind)).toEqual([
      'fence-traffic',
      'fence',
      'wait-catch-up',
      'promote',
      'move-traffic',
      'reattach',
      'verify',
    ]);
    expect(plan.steps.map(s => s.index)).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(plan.steps.find(s => s.kind === 'fence')!.cluster).toBe(
      'eu-central',
    );
    expect(plan.steps.filter(s => s.beforePromotion).map(s => s.kind)).toEqual([
      'fence-traffic',
      'fence',
      'wait-catch-up',
    ]);
    expect(plan.fenceMethod).toMatch(/scaled to zero replicas \(was 3\)/);
    expect(plan.dataLossWindowSeconds).toBe(0);
    // The source answers: an emergency failover is not offered.
    expect(plan.offeredModes).toEqual(['switchover']);
    expect(plan.requiresForce).toBe(false);
  });

  it('fails a switchover when the lag is over the bound, unknown or missing', () => {
    const base = topology();
    const over = planFailover({
      topology: topology({
        replication: [{ ...base.replication[0], lagSeconds: 7 }],
      }),
      targetCluster: 'eu-west',
      mode: 'switchover',
      now: NOW,
    });
    expect(statusOf(over, 'replication-lag')).toBe('fail');
    expect(over.allowed).toBe(false);

    const stale = planFailover({
      topology: topology({
        replication: [
          {
            ...base.replication[0],
            lagSeconds: null,
            reason: 'lag last observed 90s ago',
          },
        ],
      }),
      targetCluster: 'eu-west',
      mode: 'switchover',
      now: NOW,
    });
    expect(statusOf(stale, 'replication-lag')).toBe('fail');
    expect(
      stale.checks.find(c => c.id === 'replication-lag')!.evidence,
    ).toMatch(/90s ago/);

    const none = planFailover({
      topology: topology({ replication: [] }),
      targetCluster: 'eu-west',
      mode: 'switchover',
      now: NOW,
    });
    expect(statusOf(none, 'replication-lag')).toBe('fail');
  });

  it('offers only an emergency failover while the source is unreachable', () => {
    const t = topology({
      clusters: [
        cluster('eu-central', 'unknown', {
          reachable: false,
          workloads: [],
          error: { reason: 'unreachable', message: 'connection refused' },
        }),
        cluster('eu-west', 'passive'),
      ],
    });
    const switchover = planFailover({
      topology: t,
      targetCluster: 'eu-west',
      mode: 'switchover',
      now: NOW,
    });
    expect(switchover.sourceCluster).toBe('eu-central');
    expect(statusOf(switchover, 'source-reachable')).toBe('fail');
    expect(switchover.offeredModes).toEqual(['failover']);

    const failover = planFailover({
      topology: t,
      targetCluster: 'eu-west',
      mode: 'failover',
      now: NOW,
    });
    expect(failover.allowed).toBe(true);
    expect(failover.requiresForce).toBe(true);
    expect(failover.dataLossWindowSeconds).toBe(1.2);
    // The unreachable source shows no workload; its twin's name is used.
    expect(failover.workloads).toEqual({
      'eu-west': {
        apiVersion: 'apps/v1',
        kind: 'StatefulSet',
        namespace: 'db',
        name: 'orders',
      },
      'eu-central': {
        apiVersion: 'apps/v1',
        kind: 'StatefulSet',
        namespace: 'db',
        name: 'orders',
      },
    });
    expect(statusOf(failover, 'source-reachable')).toBe('pass');
    // Traffic and the source are fenced before anything is promoted.
    expect(failover.steps.map(s => [s.kind, s.cluster])).toEqual([
      ['fence-traffic', '*'],
      ['fence-old-source', 'eu-central'],
      ['promote', 'eu-west'],
      ['move-traffic', '*'],
      ['verify', 'eu-west'],
    ]);
    expect(
      failover.steps.filter(s => s.beforePromotion).map(s => s.kind),
    ).toEqual(['fence-traffic', 'fence-old-source']);
    expect(
      failover.steps.find(s => s.kind === 'fence-old-source')!.changes,
    ).toContainEqual(expect.stringMatching(/deferred fence/));

    const noRoute = planFailover({
      topology: {
        ...t,
        traffic: { routing: 'none', weights: {}, warnings: [] },
      },
      targetCluster: 'eu-west',
      mode: 'failover',
      now: NOW,
    });
    expect(noRoute.steps.map(s => s.kind)).toEqual([
      'fence-old-source',
      'promote',
      'move-traffic',
      'verify',
    ]);
  });

  it('refuses an emergency failover against a source that still answers unless a reason forces it', () => {
    const refused = planFailover({
      topology: topology(),
      targetCluster: 'eu-west',
      mode: 'failover',
      now: NOW,
    });
    expect(refused.allowed).toBe(false);
    expect(statusOf(refused, 'source-reachable')).toBe('fail');
    expect(
      refused.checks.find(c => c.id === 'source-reachable')!.evidence,
    ).toMatch(/^the source eu-central still answers: use a switchover/);

    const blank = planFailover({
      topology: topology(),
      targetCluster: 'eu-west',
      mode: 'failover',
      now: NOW,
      reason: '   ',
    });
    expect(statusOf(blank, 'source-reachable')).toBe('fail');

    const forced = planFailover({
      topology: topology(),
      targetCluster: 'eu-west',
      mode: 'failover',
      now: NOW,
      reason: 'eu-central takes writes but its disks are failing',
    });
    expect(forced.allowed).toBe(true);
    expect(forced.requiresForce).toBe(true);
    expect(statusOf(forced, 'source-reachable')).toBe('warn');
    expect(
      forced.checks.find(c => c.id === 'source-reachable')!.evidence,
    ).toMatch(/forced with the reason: eu-central takes writes/);
    expect(forced.steps.map(s => s.kind)).toEqual([
      'fence-traffic',
      'fence-old-source',
      'promote',
      'move-traffic',
      'verify',
    ]);
  });

  it('fails when the target is not ready, unreachable, unknown or outside the allowed regions', () => {
    const notReady = planFailover({
      topology: topology({
        clusters: [
          cluster('eu-central', 'active'),
          cluster('eu-west', 'passive', { ready: 2 }),
        ],
      }),
      targetCluster: 'eu-west',
      mode: 'switchover',
      now: NOW,
    });
    expect(statusOf(notReady, 'target-ready')).toBe('fail');
    expect(
      notReady.checks.find(c => c.id === 'target-ready')!.evidence,
    ).toMatch(/2\/3 ready \(not ready: orders-2\)/);

    const down = planFailover({
      topology: topology({
        clusters: [
          cluster('eu-central', 'active'),
          cluster('eu-west', 'passive', { reachable: false }),
        ],
      }),
      targetCluster: 'eu-west',
      mode: 'switchover',
      now: NOW,
    });
    expect(statusOf(down, 'target-reachable')).toBe('fail');

    const unknown = planFailover({
      topology: topology(),
      targetCluster: 'mars',
      mode: 'switchover',
      now: NOW,
    });
    expect(statusOf(unknown, 'target-known')).toBe('fail');

    const us = planFailover({
      topology: topology({
        clusters: [
          cluster('eu-central', 'active'),
          cluster('us-east', 'passive'),
        ],
        replication: [{ ...topology().replication[0], to: 'us-east' }],
      }),
      targetCluster: 'us-east',
      mode: 'switchover',
      now: NOW,
    });
    expect(statusOf(us, 'allowed-regions')).toBe('fail');
    expect(us.allowed).toBe(false);
  });

  it('refuses every target while the residency annotation cannot be read', () => {
    const problem =
      'annotation multicluster-statefulsets/allowed-regions is 5000 characters; at most 1024 are read — shorten it';
    const plan = planFailover({
      topology: topology({
        policy: {
          ...topology().policy,
          allowedRegions: [],
          problems: [problem],
        },
      }),
      targetCluster: 'eu-west',
      mode: 'switchover',
      now: NOW,
    });
    const residency = plan.checks.find(c => c.id === 'allowed-regions');
    expect(residency?.status).toBe('fail');
    expect(residency?.evidence).toBe(problem);
    expect(plan.allowed).toBe(false);

    const otherProblem = planFailover({
      topology: topology({
        policy: {
          ...topology().policy,
          problems: [
            'annotation multicluster-statefulsets/engine is 300 characters; at most 253 are read — shorten it',
          ],
        },
      }),
      targetCluster: 'eu-west',
      mode: 'switchover',
      now: NOW,
    });
    expect(statusOf(otherProblem, 'allowed-regions')).toBe('pass');
  });

  it('refuses a target that is already active and a second run', () => {
    const active = planFailover({
      topology: topology(),
      targetCluster: 'eu-central',
      mode: 'switchover',
      now: NOW,
    });
    expect(statusOf(active, 'distinct-sides')).toBe('fail');

    const busy = planFailover({
      topology: topology(),
      targetCluster: 'eu-west',
      mode: 'switchover',
      now: NOW,
      runInProgress: { id: 'run-1' },
    });
    expect(statusOf(busy, 'no-run-in-progress')).toBe('fail');
    expect(
      busy.checks.find(c => c.id === 'no-run-in-progress')!.evidence,
    ).toMatch(/run-1/);
  });

  it('says plainly when no traffic route exists', () => {
    const plan = planFailover({
      topology: topology({
        traffic: { routing: 'none', weights: {}, warnings: [] },
      }),
      targetCluster: 'eu-west',
      mode: 'switchover',
      now: NOW,
    });
    expect(plan.allowed).toBe(true);
    expect(statusOf(plan, 'traffic-route')).toBe('warn');
    expect(plan.routing).toBe('none');
    expect(plan.warnings.join(' ')).toMatch(/redirected .* by hand/);
    expect(plan.steps.map(s => s.kind)).not.toContain('fence-traffic');
  });

  it('warns about objects managed by GitOps', () => {
    const markers = [
      ...gitOpsMarkersOf('eu-central', {
        kind: 'StatefulSet',
        metadata: {
          name: 'orders',
          namespace: 'db',
          labels: { 'argocd.argoproj.io/instance': 'orders' },
        },
      }),
      ...gitOpsMarkersOf('eu-west', {
        kind: 'VirtualService',
        metadata: {
          name: 'orders',
          namespace: 'db',
          annotations: { 'kustomize.toolkit.fluxcd.io/name': 'db' },
        },
      }),
      ...gitOpsMarkersOf('eu-west', {
        kind: 'StatefulSet',
        metadata: { name: 'plain', labels: { app: 'x' } },
      }),
    ];
    expect(markers.map(m => m.tool)).toEqual(['argocd', 'flux']);
    const plan = planFailover({
      topology: topology(),
      targetCluster: 'eu-west',
      mode: 'switchover',
      now: NOW,
      gitOps: markers,
    });
    expect(statusOf(plan, 'gitops')).toBe('warn');
    expect(plan.allowed).toBe(true);
    expect(plan.warnings.join(' ')).toMatch(/revert/);
  });

  it('warns that a federation control plane puts the propagated roles back', () => {
    const markers = [
      ...gitOpsMarkersOf('us-east', {
        kind: 'StatefulSet',
        metadata: {
          name: 'inventory',
          namespace: 'db',
          labels: { 'kubefed.io/managed': 'true' },
        },
      }),
      ...gitOpsMarkersOf('eu-west', {
        kind: 'StatefulSet',
        metadata: {
          name: 'inventory',
          namespace: 'db',
          labels: { 'karmada.io/managed': 'true' },
          annotations: { 'propagationpolicy.karmada.io/name': 'inventory' },
        },
      }),
    ];
    expect(markers.map(m => m.tool)).toEqual(['kubefed', 'karmada']);
    const plan = planFailover({
      topology: topology(),
      targetCluster: 'eu-west',
      mode: 'switchover',
      now: NOW,
      gitOps: markers,
    });
    expect(statusOf(plan, 'gitops')).toBe('warn');
    expect(plan.allowed).toBe(true);
    expect(plan.warnings).toEqual([
      expect.stringMatching(
        /^Some objects are propagated by a federation control plane .* per-cluster overrides are updated/,
      ),
    ]);
  });

  it('plans a CloudNativePG switchover as demotion and promotion tokens', () => {
    const plan = planFailover({
      topology: topology({
        clusters: [
          cluster('eu-central', 'active', { kind: 'Cluster' }),
          cluster('eu-west', 'passive', { kind: 'Cluster' }),
        ],
      }),
      targetCluster: 'eu-west',
      mode: 'switchover',
      now: NOW,
    });
    expect(plan.fenceMethod).toMatch(/demotion/);
    expect(plan.steps.map(s => s.kind)).not.toContain('reattach');
    expect(
      plan.steps.find(s => s.kind === 'promote')!.changes.join(' '),
    ).toMatch(/promotionToken/);
  });

  it('plans a drain only for active-active entities', () => {
    const aa = topology({
      policy: { ...topology().policy, strategy: 'active-active' },
      clusters: [cluster('eu-central', 'active'), cluster('eu-west', 'active')],
      traffic: {
        routing: 'istio',
        weights: { 'eu-central': 50, 'eu-west': 50 },
        warnings: [],
        objects: topology().traffic.objects,
      },
    });
    const plan = planFailover({
      topology: aa,
      targetCluster: 'eu-west',
      mode: 'drain',
      now: NOW,
    });
    expect(plan.allowed).toBe(true);
    expect(plan.offeredModes).toEqual(['drain']);
    expect(plan.steps.map(s => s.kind)).toEqual(['drain-traffic', 'verify']);
    expect(plan.steps[0].changes[0]).toMatch(/spread over eu-central/);

    const ap = planFailover({
      topology: topology(),
      targetCluster: 'eu-west',
      mode: 'drain',
      now: NOW,
    });
    expect(statusOf(ap, 'strategy')).toBe('fail');
  });

  it('offers a switchover beside the drain when the engine of an active-active entity reports one primary', () => {
    const fromEngine = (name: string, role: 'active' | 'passive') => {
      const c = cluster(name, role);
      c.workloads = c.workloads.map(w => ({
        ...w,
        roleSource: 'mongodb-exporter' as const,
      }));
      return c;
    };
    const replicaSet = topology({
      policy: { ...topology().policy, strategy: 'active-active' },
      clusters: [
        fromEngine('eu-central', 'active'),
        fromEngine('eu-west', 'passive'),
      ],
    });
    const plan = planFailover({
      topology: replicaSet,
      targetCluster: 'eu-west',
      mode: 'switchover',
      now: NOW,
    });
    expect(plan.offeredModes).toEqual(['switchover', 'drain']);
    expect(plan.sourceCluster).toBe('eu-central');

    // Roles from annotations cannot tell a primary: a drain only.
    const declared = topology({
      policy: { ...topology().policy, strategy: 'active-active' },
      clusters: [
        cluster('eu-central', 'active'),
        cluster('eu-west', 'passive'),
      ],
    });
    expect(
      planFailover({
        topology: declared,
        targetCluster: 'eu-west',
        mode: 'drain',
        now: NOW,
      }).offeredModes,
    ).toEqual(['drain']);
  });

  describe('with the words of the provider that runs the failover', () => {
    const calls: FailoverStepSides[] = [];
    const custom: FailoverStepDescriber = sides => {
      calls.push(sides);
      return {
        fenceMethod: `custom: ${sides.sourceCluster} set read-only`,
        fence: ['SET GLOBAL read_only = ON'],
        promote: ['STOP REPLICA; SET GLOBAL read_only = OFF'],
        fenceOldSource: ['SET GLOBAL super_read_only = ON'],
        promoteWithoutSource: ['RESET REPLICA ALL'],
      };
    };

    const switchover = (describeSteps: FailoverStepDescriber) =>
      planFailover({
        topology: topology(),
        targetCluster: 'eu-west',
        mode: 'switchover',
        now: NOW,
        describeSteps,
      });

    beforeEach(() => {
      calls.length = 0;
    });

    it('shows them in the fence and promote steps of a switchover', () => {
      const plan = switchover(custom);
      expect(calls).toEqual([
        expect.objectContaining({
          sourceCluster: 'eu-central',
          targetCluster: 'eu-west',
          sourceWorkload: expect.objectContaining({ kind: 'StatefulSet' }),
          targetWorkload: expect.objectContaining({ kind: 'StatefulSet' }),
        }),
      ]);
      expect(plan.fenceMethod).toBe('custom: eu-central set read-only');
      const step = (kind: string) => plan.steps.find(s => s.kind === kind)!;
      expect(step('fence')).toMatchObject({
        title: 'Fence eu-central',
        cluster: 'eu-central',
        changes: ['SET GLOBAL read_only = ON'],
      });
      expect(step('promote').changes).toEqual([
        'STOP REPLICA; SET GLOBAL read_only = OFF',
      ]);
      // No reattach words: the provider does not make the old side a replica.
      expect(plan.steps.map(s => s.kind)).toEqual([
        'fence-traffic',
        'fence',
        'wait-catch-up',
        'promote',
        'move-traffic',
        'verify',
      ]);
    });

    it('shows them in an emergency failover, with the deferred fence said by the planner', () => {
      const base = topology();
      const plan = planFailover({
        topology: topology({
          clusters: [
            cluster('eu-central', 'unknown', {
              reachable: false,
              error: { reason: 'unreachable', message: 'connection refused' },
            }),
            base.clusters[1],
          ],
        }),
        targetCluster: 'eu-west',
        mode: 'failover',
        now: NOW,
        describeSteps: custom,
      });
      const step = (kind: string) => plan.steps.find(s => s.kind === kind)!;
      expect(step('fence-old-source').changes).toEqual([
        'SET GLOBAL super_read_only = ON',
        expect.stringMatching(/deferred fence/),
      ]);
      expect(step('promote').changes).toEqual(['RESET REPLICA ALL']);
    });

    it('adds the reattach step only when the provider describes one', () => {
      const plan = switchover(sides => ({
        ...custom(sides),
        reattach: [`CHANGE REPLICATION SOURCE TO ${sides.targetCluster}`],
      }));
      expect(plan.steps.find(s => s.kind === 'reattach')).toMatchObject({
        title: 'Make eu-central a replica of eu-west',
        cluster: 'eu-central',
        changes: ['CHANGE REPLICATION SOURCE TO eu-west'],
        beforePromotion: false,
      });
    });

    it('gives the built-in words when none are passed, by the target workload kind', () => {
      for (const kind of ['StatefulSet', 'Cluster'] as const) {
        const input = {
          topology: topology({
            clusters: [
              cluster('eu-central', 'active', { kind }),
              cluster('eu-west', 'passive', { kind }),
            ],
          }),
          targetCluster: 'eu-west',
          mode: 'switchover' as const,
          now: NOW,
        };
        expect(planFailover(input)).toEqual(
          planFailover({
            ...input,
            describeSteps:
              kind === 'Cluster'
                ? describeCloudNativePgSteps
                : describeGenericSteps,
          }),
        );
      }
    });
  });
});
