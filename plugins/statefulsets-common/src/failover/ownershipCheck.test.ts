import { demoCluster, DEMO_ENTITY_REF } from '../__fixtures__/objects';
import { buildTopology, ClusterSnapshot } from '../buildTopology';
import { readEntityPolicy } from '../entityPolicy';
import { replicationFromAnnotations } from '../replication';
import { readServiceExportTraffic } from '../traffic';
import { planFailover } from './planFailover';

const NOW = Date.parse('2026-11-27T12:00:00Z');
const OTHER = 'component:default/payments-db';
const policy = readEntityPolicy({});

/**
 * A two-cluster entity routed through MCS ServiceExports, built with the same
 * pure functions the backend uses, so the stamps come from the objects.
 */
function world(
  owners: {
    central?: string | null;
    west?: string | null;
    exports?: string | null;
  } = {},
  entityRef = DEMO_ENTITY_REF,
) {
  const central = demoCluster({
    cluster: 'eu-central',
    role: 'active',
    owner: owners.central,
  });
  const west = demoCluster({
    cluster: 'eu-west',
    role: 'passive',
    source: 'eu-central',
    lag: '0',
    observedAt: new Date(NOW - 1000).toISOString(),
    owner: owners.west,
  });
  const exportOwner =
    owners.exports === undefined ? DEMO_ENTITY_REF : owners.exports;
  central.serviceExports.push({
    metadata: {
      name: 'orders-db',
      namespace: 'databases',
      annotations: exportOwner
        ? { 'multicluster-statefulsets/owner-entity': exportOwner }
        : {},
    },
  });
  const snapshots: ClusterSnapshot[] = [
    {
      info: { name: 'eu-central', region: 'eu-central-1', zones: [] },
      objects: central,
    },
    {
      info: { name: 'eu-west', region: 'eu-west-1', zones: [] },
      objects: west,
    },
  ];
  return buildTopology({
    entityRef,
    policy,
    snapshots,
    replication: replicationFromAnnotations(
      { 'eu-central': central.statefulSets, 'eu-west': west.statefulSets },
      { now: NOW, maxLagSeconds: 5 },
    ),
    traffic: readServiceExportTraffic({
      'eu-central': central.serviceExports,
      'eu-west': west.serviceExports,
    }),
    now: NOW,
  });
}

function ownership(
  topology: ReturnType<typeof world>,
  mode: 'switchover' | 'failover' = 'switchover',
) {
  const plan = planFailover({
    topology,
    targetCluster: 'eu-west',
    mode,
    now: NOW,
  });
  return { plan, check: plan.checks.find(c => c.id === 'ownership')! };
}

describe('ownership precondition', () => {
  it('passes when both workloads and the route are stamped for the entity', () => {
    const { plan, check } = ownership(world());
    expect(check.status).toBe('pass');
    expect(check.evidence).toBe(`3 object(s) stamped for ${DEMO_ENTITY_REF}`);
    expect(plan.allowed).toBe(true);
  });

  it('fails for a decoy entity pointing at another entity’s objects', () => {
    const { plan, check } = ownership(
      world({ central: OTHER, west: OTHER, exports: OTHER }),
    );
    expect(check.status).toBe('fail');
    expect(check.evidence).toBe(
      `objects stamped for ${OTHER}: eu-central/databases/StatefulSet/orders-db, eu-west/databases/StatefulSet/orders-db, eu-central/databases/ServiceExport/orders-db — this entity cannot act on them`,
    );
    expect(plan.allowed).toBe(false);
  });

  it('fails when one side is another entity’s, even if the rest is stamped', () => {
    const { check } = ownership(world({ west: OTHER }));
    expect(check.status).toBe('fail');
    expect(check.evidence).toContain(
      `stamped for ${OTHER}: eu-west/databases/StatefulSet/orders-db`,
    );
  });

  it('fails for unstamped objects and says how to stamp them', () => {
    const { check } = ownership(world({ central: null, exports: null }));
    expect(check.status).toBe('fail');
    expect(check.evidence).toContain(
      'objects without an owner stamp: eu-central/databases/StatefulSet/orders-db, eu-central/databases/ServiceExport/orders-db',
    );
    expect(check.evidence).toContain(
      `kubectl --context eu-central annotate statefulset orders-db -n databases multicluster-statefulsets/owner-entity=${DEMO_ENTITY_REF}`,
    );
    expect(check.evidence).toContain(
      `kubectl --context eu-central annotate serviceexport.multicluster.x-k8s.io orders-db -n databases multicluster-statefulsets/owner-entity=${DEMO_ENTITY_REF}`,
    );
  });

  it('is not lifted for an emergency failover, which is the mode that needs force', () => {
    const { plan, check } = ownership(world({ central: OTHER }), 'failover');
    expect(plan.requiresForce).toBe(true);
    expect(check.status).toBe('fail');
    expect(plan.allowed).toBe(false);
  });

  it('fails closed on a topology whose route stamps were not read', () => {
    const topology = world();
    const { objects: _unread, ...traffic } = topology.traffic;
    const { check } = ownership({ ...topology, traffic });
    expect(check.status).toBe('fail');
    expect(check.evidence).toMatch(/stamps of the traffic route were not read/);
  });

  it('counts a workload whose stamp was not read as unstamped', () => {
    const topology = world();
    delete topology.clusters[1].workloads[0].ownership;
    const { check } = ownership(topology);
    expect(check.status).toBe('fail');
    expect(check.evidence).toContain(
      'objects without an owner stamp: eu-west/databases/StatefulSet/orders-db',
    );
  });
});
