import { demoClusters } from '../../__fixtures__/clusters';
import { goldenCases } from '../__fixtures__/cases';
import { generateManifests } from '../generateManifests';
import { GenerateResult } from '../types';

const karmadaCases = goldenCases.filter(
  c => c.request.federation === 'karmada',
);

/** The paths of the Karmada objects: policies and resource templates. */
function karmadaFiles(result: GenerateResult): string[] {
  return result.objects
    .filter(
      o =>
        o.object.apiVersion.startsWith('policy.karmada.io/') ||
        o.path.startsWith('federation/'),
    )
    .map(o => o.path);
}

describe.each(karmadaCases.map(c => [c.id, c] as const))(
  'Karmada apply plan of %s',
  (_id, c) => {
    const result = generateManifests(c.request, demoClusters);
    const members = c.request.clusters.map(p => p.name);

    it('sends policies and templates only to the Karmada API server', () => {
      const files = karmadaFiles(result);
      expect(files).toContain('federation/propagationpolicy.yaml');
      const receivers = result.targets.filter(t =>
        t.manifests.some(m => files.includes(m)),
      );
      expect(receivers.map(t => t.name)).toEqual(['karmada']);
      const [controlPlane] = receivers;
      expect(controlPlane.federationHost).toBe(true);
      expect(controlPlane.role).toBeUndefined();
      expect([...controlPlane.manifests].sort()).toEqual([...files].sort());
    });

    it('gives the members no workload and no Karmada object directly', () => {
      for (const t of result.targets.filter(x => members.includes(x.name))) {
        expect(t.federationHost).toBeUndefined();
        expect(t.manifests.filter(m => m.startsWith('federation/'))).toEqual(
          [],
        );
        expect(
          t.manifests.filter(m => /\/(statefulset|cluster)\.yaml$/.test(m)),
        ).toEqual([]);
      }
    });

    it('places the template on exactly the database clusters', () => {
      const policy = result.objects.find(
        o => o.object.kind === 'PropagationPolicy',
      )!.object as any;
      expect(policy.spec.placement.clusterAffinity.clusterNames).toEqual(
        members,
      );
    });
  },
);

describe('Karmada configuration rules', () => {
  const request = () => ({
    ...karmadaCases[0].request,
    clusters: karmadaCases[0].request.clusters.map(p => ({ ...p })),
  });

  it('refuses Karmada without a configured Karmada API server', () => {
    const clusters = demoClusters.filter(c => c.federationHost !== 'karmada');
    expect(() => generateManifests(request(), clusters)).toThrow(
      /^federation: no configured cluster is marked as a karmada host; add the Karmada API server .*\.federationHost: karmada, or choose federation none$/,
    );
  });

  it('refuses to place the database on the Karmada API server', () => {
    const req = request();
    req.clusters[1].name = 'karmada';
    for (const federation of ['karmada', 'none'] as const) {
      expect(() =>
        generateManifests({ ...req, federation }, demoClusters),
      ).toThrow(
        /^clusters\[1\]\.name: "karmada" is the Karmada API server .* runs no pods; place the database on member clusters only$/,
      );
    }
  });
});
