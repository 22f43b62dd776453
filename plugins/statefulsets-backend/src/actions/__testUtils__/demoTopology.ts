/*
 * A small two-cluster topology of `component:default/orders` for the
 * actions' tests: an active side with a primary pod, a passive side that
 * stopped answering, a lagging link measured by Prometheus, and a readiness
 * verdict with a failing and a warning check.
 */
import {
  EntityTopology,
  TopologyWorkload,
} from '@multicluster/backstage-plugin-statefulsets-common';

const REF = 'component:default/orders';

function workload(
  role: 'active' | 'passive',
  ready: number,
  primary: boolean,
): TopologyWorkload {
  return {
    kind: 'StatefulSet',
    apiVersion: 'apps/v1',
    name: 'orders',
    namespace: 'databases',
    role,
    replicas: { desired: 2, ready, updated: 2 },
    ordinalsStart: 0,
    pods: [0, 1].map(ordinal => ({
      name: `orders-${ordinal}`,
      ordinal,
      phase: 'Running',
      ready: ordinal < ready,
      restarts: 0,
      node: 'node-a',
      role: primary && ordinal === 0 ? 'primary' : 'replica',
    })),
    volumes: [
      {
        claimName: 'data-orders-0',
        accessModes: ['ReadWriteOnce'],
        bound: true,
        sharedWith: [],
      },
    ],
    ownership: { status: 'owned', owner: REF },
  };
}

/** The topology; see the module comment. */
export function demoTopology(): EntityTopology {
  return {
    entityRef: REF,
    generatedAt: '2026-01-01T00:00:00.000Z',
    policy: {
      engine: 'mysql',
      strategy: 'active-passive',
      maxFailoverLagSeconds: 5,
      allowedRegions: [],
    },
    clusters: [
      {
        name: 'eu-central',
        region: 'eu-central-1',
        zones: [],
        reachable: true,
        stale: false,
        role: 'active',
        trafficWeight: 100,
        workloads: [workload('active', 2, true)],
      },
      {
        name: 'eu-west',
        zones: [],
        reachable: false,
        stale: true,
        error: { reason: 'timeout', message: 'no answer within 3000 ms' },
        role: 'passive',
        workloads: [workload('passive', 1, false)],
      },
    ],
    replication: [
      {
        from: 'eu-central',
        to: 'eu-west',
        workload: 'orders',
        lagSeconds: 7.5,
        healthy: false,
        provider: 'generic',
        lagSource: 'prometheus',
        reason: 'lag 7.5 s over the bound of 5 s',
      },
      {
        from: 'eu-central',
        to: 'us-east',
        workload: 'orders',
        lagSeconds: null,
        healthy: false,
        provider: 'generic',
      },
    ],
    traffic: { routing: 'none', weights: {}, warnings: [] },
    federation: [],
    drift: [
      {
        workload: 'orders',
        field: 'image',
        values: { 'eu-central': 'mysql:8.0', 'eu-west': 'mysql:8.4' },
      },
    ],
    readiness: {
      verdict: 'degraded',
      checks: [
        {
          id: 'replicas',
          title: 'Replicas ready',
          status: 'pass',
          evidence: 'all ready',
        },
        {
          id: 'lag',
          title: 'Replication lag within bound',
          status: 'fail',
          evidence: 'eu-west is 7.5 s behind (bound 5 s)',
        },
        {
          id: 'traffic',
          title: 'Traffic can move',
          status: 'warn',
          evidence: 'no route found',
        },
      ],
    },
  };
}
