import fs from 'node:fs';
import { crdFiles } from './index';

describe('crdFiles', () => {
  it('lists every CRD the plugins validate against, each a CustomResourceDefinition', () => {
    const names = crdFiles().map(f => f.split('/').pop());
    expect(names).toEqual(
      expect.arrayContaining([
        'multicluster.x-k8s.io_serviceexports.yaml',
        'networking.istio.io_virtualservices.yaml',
        'policy.karmada.io_propagationpolicies.yaml',
        'postgresql.cnpg.io_clusters.yaml',
        'types.kubefed.io_federatedstatefulsets.yaml',
      ]),
    );
    for (const file of crdFiles()) {
      expect(fs.readFileSync(file, 'utf8')).toMatch(
        /kind: CustomResourceDefinition/,
      );
    }
  });
});
