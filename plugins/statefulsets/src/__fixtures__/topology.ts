/*
 * A hand-written topology for component tests: MySQL active in eu-central,
 * passive in eu-west, us-east unreachable.
 */
import { EntityTopology } from '@multicluster/backstage-plugin-statefulsets-common';

const ENTITY_REF = 'component:default/orders-mysql';

/** Builds a fresh copy so tests may mutate it. */
export function mysqlTopology(): EntityTopology {
  const pods = (cluster: string, start: number, primary: boolean) =>
    [0, 1, 2].map(i => ({
      name: `orders-mysql-${start + i}`,
      ordinal: start + i,
      phase: 'Running',
      ready: true,
      restarts: i === 2 ? 3 : 0,
      node: `${cluster}-node-${i}`,
      zone: `${cluster}-1a`,
      role: (primary && i === 0 ? 'primary' : 'replica') as
        | 'primary'
        | 'replica',
    }));
  const workload = (
    cluster: string,
    start: number,
    role: 'active' | 'passive',
    image: string,
  ) => ({
    kind: 'StatefulSet' as const,
    apiVersion: 'apps/v1',
    name: 'orders-mysql',
    namespace: 'databases',
    role,
    replicas: { desired: 3, ready: 3, updated: 3 },
    revision: 'orders-mysql-7c9f',
    image,
    ordinalsStart: start,
    updateStrategy: 'RollingUpdate',
    serviceName: 'orders-mysql-headless',
    pods: pods(cluster, start, role === 'active'),
    volumes: [0, 1, 2].map(i => ({
      claimName: `data-orders-mysql-${start + i}`,
      size: '50Gi',
      capacity: '50Gi',
      storageClass: 'gp3',
      accessModes: ['ReadWriteOnce'],
      bound: true,
      volumeName: `pv-${cluster}-${i}`,
      sharedWith: [],
    })),
    ownership: { status: 'owned' as const, owner: ENTITY_REF },
  });
  return {
    entityRef: ENTITY_REF,
    generatedAt: '2026-11-27T10:00:00.000Z',
    policy: {
      engine: 'mysql',
      strategy: 'active-passive',
      traffic: { namespace: 'databases', name: 'orders-mysql' },
      maxFailoverLagSeconds: 5,
      allowedRegions: ['eu-*'],
    },
    clusters: [
      {
        name: 'eu-central',
        region: 'eu-central-1',
        zones: ['eu-central-1a', 'eu-central-1b'],
        federationHost: 'karmada',
        reachable: true,
        stale: false,
        latencyMs: 12,
        role: 'active',
        trafficWeight: 100,
        workloads: [workload('eu-central', 0, 'active', 'mysql:8.4.3')],
      },
      {
        name: 'eu-west',
        region: 'eu-west-1',
        zones: ['eu-west-1a'],
        reachable: true,
        stale: false,
        latencyMs: 15,
        role: 'passive',
        trafficWeight: 0,
        workloads: [workload('eu-west', 10, 'passive', 'mysql:8.4.2')],
      },
      {
        name: 'us-east',
        region: 'us-east-1',
        zones: [],
        reachable: false,
        stale: false,
        role: 'unknown',
        error: { reason: 'timeout', message: 'no answer within 5000 ms' },
        workloads: [],
      },
    ],
    replication: [
      {
        from: 'eu-central',
        to: 'eu-west',
        workload: 'orders-mysql',
        lagSeconds: 0.8,
        healthy: true,
        observedAt: '2026-11-27T09:59:58.000Z',
        provider: 'generic',
      },
    ],
    traffic: {
      routing: 'istio',
      weights: { 'eu-central': 100, 'eu-west': 0 },
      object: 'eu-central:databases/orders-mysql',
      warnings: [],
      objects: ['eu-central', 'eu-west'].map(cluster => ({
        cluster,
        kind: 'VirtualService',
        namespace: 'databases',
        name: 'orders-mysql',
        ownership: { status: 'owned' as const, owner: ENTITY_REF },
      })),
    },
    federation: [],
    drift: [
      {
        workload: 'orders-mysql',
        field: 'image',
        values: {
          'eu-central': 'mysql:8.4.3',
          'eu-west': 'mysql:8.4.2',
          'us-east': null,
        },
      },
    ],
    readiness: {
      verdict: 'degraded',
      checks: [
        {
          id: 'multi-cluster',
          title: 'Runs in at least two clusters',
          status: 'pass',
          evidence: 'running in 2 cluster(s): eu-central, eu-west',
        },
        {
          id: 'no-image-drift',
          title: 'Same image everywhere',
          status: 'warn',
          evidence:
            'orders-mysql image: eu-central mysql:8.4.3, eu-west mysql:8.4.2',
        },
      ],
    },
    ownership: { status: 'owned', conflicts: [], unstamped: [] },
  };
}
