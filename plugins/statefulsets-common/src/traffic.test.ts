import { KubeObject } from './kube';
import { readIstioTraffic, readServiceExportTraffic } from './traffic';

const destinationRule: KubeObject = {
  metadata: { name: 'orders-db', namespace: 'databases' },
  spec: {
    host: 'orders-db.databases.svc.cluster.local',
    subsets: [
      {
        name: 'central',
        labels: { 'topology.istio.io/cluster': 'eu-central' },
      },
      { name: 'west', labels: { 'topology.istio.io/cluster': 'eu-west' } },
    ],
  },
};

function virtualService(routes: any[]): KubeObject {
  return {
    metadata: { name: 'orders-db', namespace: 'databases' },
    spec: { tcp: [{ route: routes }] },
  };
}

describe('readIstioTraffic', () => {
  it('maps subsets to clusters with their weights', () => {
    const split = readIstioTraffic(
      virtualService([
        { destination: { host: 'orders-db', subset: 'central' }, weight: 90 },
        { destination: { host: 'orders-db', subset: 'west' }, weight: 10 },
      ]),
      [destinationRule],
      'eu-central',
    );
    expect(split).toEqual({
      routing: 'istio',
      weights: { 'eu-central': 90, 'eu-west': 10 },
      object: 'eu-central:databases/orders-db',
      warnings: [],
    });
  });

  it('gives a lone destination all traffic', () => {
    const split = readIstioTraffic(
      virtualService([{ destination: { host: 'orders-db', subset: 'west' } }]),
      [destinationRule],
      'eu-west',
    );
    expect(split.weights).toEqual({ 'eu-west': 100 });
  });

  it('warns about subsets without a cluster label and bad sums', () => {
    const split = readIstioTraffic(
      virtualService([
        { destination: { host: 'orders-db', subset: 'central' }, weight: 50 },
        { destination: { host: 'orders-db', subset: 'ghost' }, weight: 50 },
      ]),
      [destinationRule],
      'eu-central',
    );
    expect(split.weights).toEqual({ 'eu-central': 50 });
    expect(split.warnings).toHaveLength(2);
  });
});

describe('readServiceExportTraffic', () => {
  it('splits evenly between exporting clusters', () => {
    const exp = (name: string): KubeObject => ({ metadata: { name } });
    expect(
      readServiceExportTraffic(
        { a: [exp('orders-db')], b: [exp('orders-db')], c: [exp('other')] },
        'orders-db',
      ).weights,
    ).toEqual({ a: 50, b: 50 });
    expect(readServiceExportTraffic({ a: [], b: [] }).routing).toBe('none');
    const three = readServiceExportTraffic({
      a: [exp('s')],
      b: [exp('s')],
      c: [exp('s')],
    });
    expect(Object.values(three.weights).reduce((x, y) => x + y, 0)).toBe(100);
  });
});
