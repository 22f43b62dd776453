import { demoClusters } from '../../__fixtures__/clusters';
import { GenerateRequest } from '../types';
import { validateRequest } from '../validateRequest';

function request(overrides: Partial<GenerateRequest> = {}): GenerateRequest {
  return {
    name: 'orders-db',
    namespace: 'orders',
    engine: 'mysql',
    strategy: 'active-passive',
    clusters: [
      { name: 'eu-central', role: 'active', weight: 100, replicas: 3 },
      { name: 'eu-west', role: 'passive', weight: 0, replicas: 2 },
    ],
    storage: { size: '20Gi' },
    owner: 'group:default/dba',
    ...overrides,
  };
}

describe('checkRouting', () => {
  it('refuses routing none when replication crosses clusters', () => {
    expect(() => validateRequest(request(), demoClusters)).toThrow(
      /^routing: with routing none no cluster resolves the names of another cluster's pods, so mysql replication between eu-central, eu-west could never connect; choose mcs .* or istio /,
    );
  });

  it('keeps routing none for one cluster or an engine without replication', () => {
    const single = request({
      clusters: [
        { name: 'eu-central', role: 'active', weight: 100, replicas: 3 },
      ],
    });
    expect(validateRequest(single, demoClusters).routing).toBe('none');
    const generic = request({ engine: 'generic', image: 'ghcr.io/x/y' });
    expect(validateRequest(generic, demoClusters).routing).toBe('none');
  });

  it('refuses an MCS cluster id that is no DNS label', () => {
    const req = request({ routing: 'mcs' });
    req.clusters[1].mcsClusterId = 'EU_West';
    expect(() => validateRequest(req, demoClusters)).toThrow(
      /^clusters\[1\]\.mcsClusterId: "EU_West" is not a DNS-1123 label/,
    );
  });

  it('refuses two clusters with one MCS cluster id', () => {
    const req = request({ routing: 'mcs' });
    req.clusters[1].mcsClusterId = 'eu-central';
    expect(() => validateRequest(req, demoClusters)).toThrow(
      /^clusters\[1\]\.mcsClusterId: cluster "eu-west" has the MCS cluster id "eu-central" of cluster "eu-central"; give each cluster the id its cluster\.clusterset\.k8s\.io ClusterProperty holds/,
    );
  });

  it('refuses a per-cluster Service name longer than a DNS label', () => {
    const req = request({ routing: 'istio', name: `d${'b'.repeat(53)}` });
    expect(() => validateRequest(req, demoClusters)).toThrow(
      /^clusters\[0\]\.name: the per-cluster Service "dbb+-eu-central" would be longer than 63 characters; choose a shorter database name$/,
    );
  });
});
