import { demoCluster, DEMO_ENTITY_REF, stampOf } from './__fixtures__/objects';
import { buildTopology, ClusterSnapshot } from './buildTopology';
import { readEntityPolicy } from './entityPolicy';
import { replicationFromAnnotations } from './replication';
import { readIstioTraffic } from './traffic';
import { ClusterObjects } from './kube';

const now = Date.parse('2026-11-27T12:00:00Z');
const fresh = new Date(now - 2000).toISOString();
const policy = readEntityPolicy({
  'multicluster-statefulsets/allowed-regions': 'eu-*',
  'multicluster-statefulsets/traffic': 'databases/orders-db',
});

function withTraffic(
  objects: ClusterObjects,
  owner?: string | null,
): ClusterObjects {
  objects.virtualServices.push({
    metadata: {
      name: 'orders-db',
      namespace: 'databases',
      annotations: stampOf({ owner }),
    },
    spec: {
      tcp: [
        {
          route: [
            {
              destination: { host: 'orders-db', subset: 'central' },
              weight: 100,
            },
            { destination: { host: 'orders-db', subset: 'west' }, weight: 0 },
          ],
        },
      ],
    },
  });
  objects.destinationRules.push({
    metadata: {
      name: 'orders-db',
      namespace: 'databases',
      annotations: stampOf({ owner }),
    },
    spec: {
      host: 'orders-db',
      subsets: [
        {
          name: 'central',
          labels: { 'topology.istio.io/cluster': 'eu-central' },
        },
        { name: 'west', labels: { 'topology.istio.io/cluster': 'eu-west' } },
      ],
    },
  });
  return objects;
}

function snapshots(): ClusterSnapshot[] {
  return [
    {
      info: { name: 'eu-central', region: 'eu-central-1', zones: ['a'] },
      objects: withTraffic(
        demoCluster({
          cluster: 'eu-central',
          role: 'active',
          sharedCephfs: 'csi',
        }),
      ),
    },
    {
      info: { name: 'eu-west', region: 'eu-west-1', zones: ['a'] },
      objects: demoCluster({
        cluster: 'eu-west',
        role: 'passive',
        source: 'eu-central',
        lag: '0.4',
        observedAt: fresh,
        ordinalsStart: 10,
        sharedCephfs: 'csi',
      }),
    },
    {
      info: { name: 'us-east', region: 'us-east-1', zones: [] },
      error: { reason: 'timeout', message: 'no answer within 5000 ms' },
    },
  ];
}

function build(s: ClusterSnapshot[]) {
  const vsCluster = s.find(x => x.objects?.virtualServices.length)!;
  return buildTopology({
    entityRef: DEMO_ENTITY_REF,
    policy,
    snapshots: s,
    replication: replicationFromAnnotations(
      Object.fromEntries(
        s
          .filter(x => x.objects)
          .map(x => [x.info.name, x.objects!.statefulSets]),
      ),
      { now, maxLagSeconds: policy.maxFailoverLagSeconds },
    ),
    traffic: readIstioTraffic(
      vsCluster.objects!.virtualServices[0],
      vsCluster.objects!.destinationRules,
      vsCluster.info.name,
    ),
    now,
  });
}

describe('buildTopology', () => {
  it('assembles clusters, roles, weights, links and shared volumes', () => {
    const topology = build(snapshots());
    expect(
      topology.clusters.map(c => [
        c.name,
        c.role,
        c.trafficWeight,
        c.reachable,
      ]),
    ).toEqual([
      ['eu-central', 'active', 100, true],
      ['eu-west', 'passive', 0, true],
      ['us-east', 'unknown', 0, false],
    ]);
    expect(topology.clusters[2].error?.reason).toBe('timeout');
    expect(topology.replication).toHaveLength(1);
    const shared = topology.clusters[0].workloads[0].volumes.find(
      v => v.sharedSource,
    )!;
    expect(shared.sharedWith).toEqual(['eu-west']);
    expect(topology.drift).toEqual([]);
    expect(topology.generatedAt).toBe('2026-11-27T12:00:00.000Z');
  });

  it('is degraded, not failed, when only an unrelated cluster is unreachable', () => {
    const topology = build(snapshots());
    expect(topology.readiness.verdict).toBe('degraded');
    const failing = topology.readiness.checks.filter(c => c.status !== 'pass');
    expect(failing.map(c => c.id)).toEqual(['clusters-reachable']);
  });

  it('is ready when every check passes', () => {
    const topology = build(snapshots().slice(0, 2));
    expect(topology.readiness.verdict).toBe('ready');
  });

  it('is not ready when data sits outside the allowed regions', () => {
    const s = snapshots().slice(0, 2);
    s[1].info = { ...s[1].info, region: 'us-east-1' };
    const topology = build(s);
    expect(topology.readiness.verdict).toBe('not-ready');
    const residency = topology.readiness.checks.find(
      c => c.id === 'data-residency',
    )!;
    expect(residency.status).toBe('fail');
    expect(residency.evidence).toContain('eu-west (us-east-1)');
  });

  it('compares federation placement with what runs', () => {
    const s = snapshots().slice(0, 2);
    s[0].objects!.propagationPolicies.push({
      metadata: { name: 'orders-db', namespace: 'databases' },
      spec: {
        resourceSelectors: [
          { apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'orders-db' },
        ],
        placement: { clusterAffinity: { clusterNames: ['eu-central'] } },
      },
    });
    const topology = build(s);
    expect(topology.federation).toEqual([
      {
        kind: 'karmada',
        hostCluster: 'eu-central',
        workload: 'orders-db',
        clusters: ['eu-central'],
      },
    ]);
    const placement = topology.readiness.checks.find(
      c => c.id === 'federation-placement',
    )!;
    expect(placement.status).toBe('warn');
    expect(placement.evidence).toContain('runs eu-central, eu-west');
  });

  it('reads placements only from configured hosts, of their control plane', () => {
    const s = snapshots().slice(0, 2);
    // The Karmada API server: the template and its policy, no database.
    s.push({
      info: {
        name: 'karmada',
        region: 'eu-central-1',
        zones: [],
        federationHost: 'karmada',
      },
      objects: demoCluster({ cluster: 'karmada', role: 'active' }),
    });
    const propagation = (clusterNames: string[]) => ({
      metadata: { name: 'orders-db', namespace: 'databases' },
      spec: {
        resourceSelectors: [
          { apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'orders-db' },
        ],
        placement: { clusterAffinity: { clusterNames } },
      },
    });
    // A copy left in a member, and a KubeFed object on the Karmada API server.
    s[1].objects!.propagationPolicies.push(propagation(['eu-west']));
    s[2].objects!.federatedStatefulSets.push({
      metadata: { name: 'orders-db', namespace: 'databases' },
      spec: { placement: { clusters: [{ name: 'eu-west' }] } },
    });
    s[2].objects!.propagationPolicies.push(
      propagation(['eu-central', 'eu-west']),
    );
    const topology = build(s);
    expect(topology.federation).toEqual([
      {
        kind: 'karmada',
        hostCluster: 'karmada',
        workload: 'orders-db',
        clusters: ['eu-central', 'eu-west'],
      },
    ]);
    // The API server is no database cluster, and its template no drift.
    expect(topology.clusters.map(c => c.name)).toEqual([
      'eu-central',
      'eu-west',
    ]);
    expect(JSON.stringify(topology.drift)).not.toContain('karmada');
    // Without any configured host, every cluster holding them counts.
    delete s[2].info.federationHost;
    expect(
      build(s)
        .federation.map(f => f.hostCluster)
        .sort(),
    ).toEqual(['eu-west', 'karmada', 'karmada']);
  });

  it('shows cached workloads of a failing cluster beside its error', () => {
    const s = snapshots().slice(0, 2);
    s[1] = {
      ...s[1],
      stale: true,
      error: {
        reason: 'unreachable',
        message: 'connection failed (ECONNREFUSED)',
      },
    };
    const west = build(s).clusters[1];
    expect(west).toEqual(
      expect.objectContaining({
        reachable: false,
        stale: true,
        role: 'passive',
      }),
    );
    expect(west.workloads).toHaveLength(1);
  });

  describe('ownership', () => {
    it('is owned when every workload and route object is stamped for the entity', () => {
      const topology = build(snapshots().slice(0, 2));
      expect(topology.ownership).toEqual({
        status: 'owned',
        conflicts: [],
        unstamped: [],
      });
      expect(topology.clusters[0].workloads[0].ownership).toEqual({
        status: 'owned',
        owner: DEMO_ENTITY_REF,
      });
      expect(
        topology.traffic.objects?.map(o => [o.cluster, o.kind, o.name]),
      ).toEqual([
        ['eu-central', 'VirtualService', 'orders-db'],
        ['eu-central', 'DestinationRule', 'orders-db'],
      ]);
    });

    it('names the other entity when a workload is stamped for it', () => {
      const s = snapshots().slice(0, 2);
      s[1].objects = demoCluster({
        cluster: 'eu-west',
        role: 'passive',
        owner: 'component:default/payments-db',
      });
      const topology = build(s);
      expect(topology.clusters[1].workloads[0].ownership).toEqual({
        status: 'conflict',
        owner: 'component:default/payments-db',
      });
      expect(topology.ownership?.status).toBe('conflict');
      expect(topology.ownership?.conflicts).toEqual([
        {
          cluster: 'eu-west',
          kind: 'StatefulSet',
          namespace: 'databases',
          name: 'orders-db',
          ownership: {
            status: 'conflict',
            owner: 'component:default/payments-db',
          },
        },
      ]);
    });

    it('lists unstamped route objects, and a conflict outranks them', () => {
      const s = snapshots().slice(0, 2);
      s[0].objects = withTraffic(
        demoCluster({ cluster: 'eu-central', role: 'active' }),
        null,
      );
      const unstamped = build(s);
      expect(unstamped.ownership?.status).toBe('unstamped');
      expect(unstamped.ownership?.unstamped.map(o => o.kind)).toEqual([
        'VirtualService',
        'DestinationRule',
      ]);
      s[1].objects = demoCluster({
        cluster: 'eu-west',
        owner: 'component:default/payments-db',
      });
      expect(build(s).ownership?.status).toBe('conflict');
    });

    it('compares entity refs without regard to case', () => {
      const s = snapshots().slice(0, 2);
      s[1].objects = demoCluster({
        cluster: 'eu-west',
        role: 'passive',
        owner: 'Component:default/orders-db',
      });
      expect(build(s).ownership?.status).toBe('owned');
    });
  });
});
