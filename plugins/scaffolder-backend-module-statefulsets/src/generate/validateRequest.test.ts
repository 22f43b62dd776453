import { demoClusters } from '../__fixtures__/clusters';
import { GenerateRequest } from './types';
import { validateRequest } from './validateRequest';

function request(overrides: Partial<GenerateRequest> = {}): GenerateRequest {
  return {
    name: 'orders-db',
    namespace: 'orders',
    engine: 'mongodb',
    strategy: 'active-passive',
    clusters: [
      { name: 'eu-central', role: 'active', weight: 100, replicas: 3 },
      { name: 'eu-west', role: 'passive', weight: 0, replicas: 2 },
      { name: 'us-east', role: 'passive', weight: 0, replicas: 2 },
    ],
    storage: { size: '20Gi' },
    owner: 'group:default/dba',
    routing: 'mcs',
    ...overrides,
  };
}

describe('validateRequest', () => {
  it('fills in engine and routing defaults', () => {
    const r = validateRequest(request(), demoClusters);
    expect(r).toMatchObject({
      image: 'docker.io/library/mongo',
      version: '8.0',
      port: 27017,
      federation: 'none',
      globalHost: 'orders-db.orders.global',
      lifecycle: 'production',
      maxFailoverLagSeconds: 5,
      storage: { accessMode: 'ReadWriteOnce' },
    });
    expect(r.clusters.map(c => c.region)).toEqual([
      'eu-central-1',
      'eu-west-1',
      'us-east-1',
    ]);
  });

  it('assigns ordinal ranges after the explicit ones, without overlap', () => {
    const req = request();
    req.clusters[1].ordinalsStart = 10;
    const r = validateRequest(req, demoClusters);
    expect(r.clusters.map(c => [c.name, c.ordinalsStart])).toEqual([
      ['eu-central', 12],
      ['eu-west', 10],
      ['us-east', 15],
    ]);
  });

  it('accepts clusters matching an allowed-region pattern', () => {
    const req = request({ allowedRegions: [' eu-* ', 'us-east-1'] });
    expect(validateRequest(req, demoClusters).allowedRegions).toEqual([
      'eu-*',
      'us-east-1',
    ]);
  });

  it('refuses a cluster of unknown region while residency is enforced', () => {
    const clusters = demoClusters.map(c =>
      c.name === 'eu-west' ? { ...c, region: undefined } : c,
    );
    expect(() =>
      validateRequest(request({ allowedRegions: ['eu-*'] }), clusters),
    ).toThrow(/^clusters\[1\]\.name: cluster "eu-west" has no known region/);
  });

  it('picks the federation host of the requested kind', () => {
    expect(
      validateRequest(request({ federation: 'kubefed' }), demoClusters)
        .federationHost?.name,
    ).toBe('us-east');
  });

  it('lets active-active keep a passive replica', () => {
    const req = request({ strategy: 'active-active' });
    req.clusters[1] = { ...req.clusters[1], role: 'active', weight: 50 };
    req.clusters[0].weight = 50;
    const r = validateRequest(req, demoClusters);
    expect(r.clusters.map(c => c.role)).toEqual([
      'active',
      'active',
      'passive',
    ]);
  });
});
