// The Karmada API server runs no workload controllers: an operator's
// resource template held there starts nothing, while its member copies run.
import { operatorControllers } from './operators';
import { FakeWorld } from './testing';

const NS = 'databases';

it('starts no operator workload on the Karmada API server, only in members', () => {
  const world = FakeWorld.demo({ 'eu-central': 'karmada' });
  world.ensureNamespace(NS);
  for (const cluster of world.clusters.values()) {
    cluster.create({
      apiVersion: 'v1',
      kind: 'Node',
      metadata: {
        name: `${cluster.name}-1`,
        labels: { 'topology.kubernetes.io/zone': cluster.zones[0] },
      },
    });
  }
  const apiServer = world.cluster('eu-central');
  apiServer.create({
    apiVersion: 'postgresql.cnpg.io/v1',
    kind: 'Cluster',
    metadata: { name: 'billing-postgres', namespace: NS },
    spec: { instances: 2, storage: { size: '1Gi' } },
  });
  apiServer.create({
    apiVersion: 'policy.karmada.io/v1alpha1',
    kind: 'PropagationPolicy',
    metadata: { name: 'billing-postgres', namespace: NS },
    spec: {
      resourceSelectors: [
        {
          apiVersion: 'postgresql.cnpg.io/v1',
          kind: 'Cluster',
          name: 'billing-postgres',
        },
      ],
      placement: { clusterAffinity: { clusterNames: ['eu-west'] } },
    },
  });
  for (let i = 0; i < 3; i++) world.reconcile(operatorControllers());
  expect(apiServer.list('v1', 'Pod', NS)).toEqual([]);
  expect(world.cluster('eu-west').list('v1', 'Pod', NS).length).toBe(2);
});
