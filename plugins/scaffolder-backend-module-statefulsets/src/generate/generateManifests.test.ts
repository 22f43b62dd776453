import { demoClusters } from '../__fixtures__/clusters';
import { goldenCases } from './__fixtures__/cases';
import { generateManifests } from './generateManifests';
import { KubeObject } from './types';

// Properties every generated database must have, whatever the combination;
// the golden files pin the exact text, these pin the contract.
describe.each(goldenCases.map(c => [c.id, c] as const))('%s', (_id, c) => {
  const result = generateManifests(c.request, demoClusters);
  const name = c.request.name;
  const ofKind = (kind: string) =>
    result.objects.filter(o => o.object.kind === kind);
  const workloads = result.objects.filter(
    o =>
      o.path.startsWith('clusters/') &&
      ['StatefulSet', 'Cluster'].includes(o.object.kind),
  );

  it('gives every cluster a workload with the entity id and role', () => {
    expect(workloads).toHaveLength(c.request.clusters.length);
    for (const placement of c.request.clusters) {
      const w = workloads.find(o =>
        o.path.startsWith(`clusters/${placement.name}/`),
      )!.object;
      expect(w.metadata.labels?.['backstage.io/kubernetes-id']).toBe(name);
      expect(w.metadata.annotations?.['multicluster-statefulsets/role']).toBe(
        placement.role,
      );
      const activeName = c.request.clusters.find(
        o => o.role === 'active',
      )!.name;
      expect(
        w.metadata.annotations?.[
          'multicluster-statefulsets/replication-source'
        ],
      ).toBe(placement.role === 'passive' ? activeName : undefined);
    }
  });

  // On a shared volume a pod's name is its directory, the same everywhere.
  const shared = c.request.storage.sharedVolume !== undefined;
  it(`keeps StatefulSet ordinals ${
    shared ? 'the same in every cluster' : 'unique across clusters'
  }`, () => {
    const perCluster = workloads
      .filter(o => o.object.kind === 'StatefulSet')
      .map(({ object }) => {
        const spec = object.spec as {
          replicas: number;
          ordinals: { start: number };
          template: { metadata: { labels: Record<string, string> } };
        };
        expect(
          spec.template.metadata.labels['backstage.io/kubernetes-id'],
        ).toBe(name);
        return Array.from(
          { length: spec.replicas },
          (_, i) => spec.ordinals.start + i,
        );
      });
    const ordinals = perCluster.flat();
    const distinct = new Set(ordinals).size;
    expect(distinct).toBe(shared ? perCluster[0].length : ordinals.length);
  });

  it('splits traffic by cluster, weights adding up to 100', () => {
    for (const { object } of ofKind('VirtualService')) {
      const route = (object.spec as any).tcp[0].route as Array<{
        destination: { subset: string };
        weight: number;
      }>;
      expect(route.reduce((sum, r) => sum + r.weight, 0)).toBe(100);
      const rule = ofKind('DestinationRule')[0].object as KubeObject & {
        spec: {
          subsets: Array<{ name: string; labels: Record<string, string> }>;
        };
      };
      for (const r of route) {
        const subset = rule.spec.subsets.find(
          s => s.name === r.destination.subset,
        )!;
        expect(subset.labels['topology.istio.io/cluster']).toBe(
          r.destination.subset,
        );
      }
    }
  });

  it('applies federation objects to the federation host only', () => {
    const federated = c.request.federation !== 'none';
    const fed = result.files.filter(f => f.path.startsWith('federation/'));
    expect(fed.length > 0).toBe(federated);
    const host = demoClusters.find(
      k => federated && k.federationHost === c.request.federation,
    )?.name;
    for (const target of result.targets) {
      const applied = target.manifests.filter(m => m.startsWith('federation/'));
      expect(applied.length > 0).toBe(target.name === host);
      // With federation, members never get their workload directly.
      expect(
        target.manifests.some(
          m =>
            m.startsWith('clusters/') &&
            /\/(statefulset|cluster)\.yaml$/.test(m),
        ),
      ).toBe(!federated);
    }
  });

  it('describes the entity the topology needs', () => {
    const entity = result.files.find(f => f.path === 'catalog-info.yaml')!;
    expect(entity.content).toContain(`backstage.io/kubernetes-id: ${name}`);
    expect(entity.content).toContain(
      `multicluster-statefulsets/engine: ${c.request.engine}`,
    );
    expect(entity.content.includes('multicluster-statefulsets/traffic:')).toBe(
      c.request.routing === 'istio',
    );
  });
});
