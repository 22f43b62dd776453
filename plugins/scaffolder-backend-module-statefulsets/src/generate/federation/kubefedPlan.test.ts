import { demoClusters } from '../../__fixtures__/clusters';
import { goldenCases } from '../__fixtures__/cases';
import { generateManifests } from '../generateManifests';

const kubefedCases = goldenCases.filter(
  c => c.request.federation === 'kubefed',
);

describe.each(kubefedCases.map(c => [c.id, c] as const))(
  'KubeFed objects of %s',
  (_id, c) => {
    const result = generateManifests(c.request, demoClusters);
    const members = c.request.clusters.map(p => ({ name: p.name }));
    const host = result.targets.find(t => t.federationHost)!;

    it('federates the namespace on exactly the database clusters', () => {
      const fns = result.objects.find(
        o => o.object.kind === 'FederatedNamespace',
      )!;
      expect(fns.object).toMatchObject({
        apiVersion: 'types.kubefed.io/v1beta1',
        metadata: { name: 'data', namespace: 'data' },
        spec: { placement: { clusters: members } },
      });
      expect(host.name).toBe('us-east');
      // Before the FederatedStatefulSet, so the namespace is federated first.
      const applied = host.manifests.filter(m => m.startsWith('federation/'));
      expect(applied).toEqual([
        'federation/federatednamespace.yaml',
        'federation/federatedstatefulset.yaml',
      ]);
    });

    it('warns that KubeFed is archived and what the platform must enable', () => {
      expect(result.warnings).toContainEqual(
        expect.stringMatching(
          /^kubefed: KubeFed is archived upstream \(kubernetes-retired\/kubefed\).* prefer Karmada .* on us-east \(kubefedctl enable statefulsets\.apps; kubefedctl enable namespaces\), or the apply is refused$/,
        ),
      );
    });

    it('places the workload where the namespace is placed', () => {
      const fss = result.objects.find(
        o => o.object.kind === 'FederatedStatefulSet',
      )!.object as any;
      expect(fss.spec.placement.clusters).toEqual(members);
    });
  },
);
