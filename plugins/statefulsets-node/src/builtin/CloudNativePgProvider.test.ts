import {
  EntityTopology,
  failoverWorkloadOf,
  planFailover,
  TopologyCluster,
} from '@multicluster/backstage-plugin-statefulsets-common';
import {
  CloudNativePgProvider,
  failoverStepDescriber,
  GenericStatefulSetProvider,
} from '..';

const NOW = Date.parse('2026-12-05T12:00:00Z');

function cluster(
  name: string,
  role: TopologyCluster['role'],
  kind: 'StatefulSet' | 'Cluster',
): TopologyCluster {
  return {
    name,
    region: 'eu-1',
    zones: [],
    reachable: true,
    stale: false,
    role,
    workloads: [
      {
        kind,
        apiVersion: kind === 'Cluster' ? 'postgresql.cnpg.io/v1' : 'apps/v1',
        namespace: 'db',
        name: 'orders',
        role,
        replicas: { desired: 2, ready: 2, updated: 2 },
        ordinalsStart: 0,
        pods: [],
        volumes: [],
      },
    ],
  };
}

function topology(kind: 'StatefulSet' | 'Cluster'): EntityTopology {
  return {
    entityRef: 'component:default/orders',
    generatedAt: new Date(NOW).toISOString(),
    policy: {
      engine: 'postgresql',
      strategy: 'active-passive',
      maxFailoverLagSeconds: 5,
      allowedRegions: [],
    },
    clusters: [cluster('a', 'active', kind), cluster('b', 'passive', kind)],
    replication: [
      {
        from: 'a',
        to: 'b',
        workload: 'orders',
        lagSeconds: 0,
        healthy: true,
        provider: 'generic',
      },
    ],
    traffic: { routing: 'none', weights: {}, warnings: [] },
    federation: [],
    drift: [],
    readiness: { verdict: 'ready', checks: [] },
  };
}

describe('CloudNativePgProvider', () => {
  it('describes its steps as demotion and promotion tokens', () => {
    const t = topology('Cluster');
    const described = new CloudNativePgProvider().describeSteps({
      sourceCluster: 'a',
      targetCluster: 'b',
      sourceWorkload: failoverWorkloadOf(t.clusters[0]),
      targetWorkload: failoverWorkloadOf(t.clusters[1]),
    });
    expect(described.fenceMethod).toMatch(/^CloudNativePG demotion/);
    expect(described.fence).toEqual([
      'Cluster db/orders: spec.replica.primary = b (demotion)',
      'wait for status.demotionToken',
    ]);
    expect(described.promote.join(' ')).toMatch(/promotionToken/);
    // The operator rejoins the old primary itself: no reattach step.
    expect(described.reattach).toBeUndefined();
  });

  it.each(['StatefulSet', 'Cluster'] as const)(
    'plans a %s failover in the same words through the built-in providers as without them',
    kind => {
      const t = topology(kind);
      const providers = [
        new CloudNativePgProvider(),
        new GenericStatefulSetProvider(),
      ];
      for (const mode of ['switchover', 'failover'] as const) {
        const input = { topology: t, targetCluster: 'b', mode, now: NOW };
        const describeSteps = failoverStepDescriber(
          providers,
          failoverWorkloadOf(t.clusters[1]),
        );
        expect(describeSteps).toBeDefined();
        expect(planFailover({ ...input, describeSteps })).toEqual(
          planFailover(input),
        );
      }
    },
  );
});
