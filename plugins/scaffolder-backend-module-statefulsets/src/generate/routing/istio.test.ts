import { demoClusters } from '../../__fixtures__/clusters';
import { goldenCases } from '../__fixtures__/cases';
import { generateManifests } from '../generateManifests';
import { KubeObject } from '../types';

const CLUSTER_LABEL = 'topology.istio.io/cluster';

describe.each(
  goldenCases
    .filter(c => c.request.routing === 'istio')
    .map(c => [c.id, c] as const),
)('%s', (_id, c) => {
  const result = generateManifests(c.request, demoClusters);
  const one = (kind: string) =>
    result.objects.find(o => o.object.kind === kind)!.object as any;
  // Clusters where a Service of that name is applied.
  const servedBy = (name: string) =>
    result.files
      .filter(f => f.cluster)
      .filter(f =>
        result.objects.some(
          o =>
            o.path === f.path &&
            o.object.kind === 'Service' &&
            (o.object as KubeObject).metadata.name === name,
        ),
      )
      .map(f => f.cluster);

  it('gives the ServiceEntry one endpoint per cluster that only reaches that cluster', () => {
    const endpoints: any[] = one('ServiceEntry').spec.endpoints;
    expect(endpoints.map(e => e.labels[CLUSTER_LABEL])).toEqual(
      c.request.clusters.map(p => p.name),
    );
    expect(new Set(endpoints.map(e => e.address)).size).toBe(endpoints.length);
    for (const e of endpoints) {
      const service = e.address.split('.')[0];
      expect({ address: e.address, clusters: servedBy(service) }).toEqual({
        address: e.address,
        clusters: [e.labels[CLUSTER_LABEL]],
      });
      const region = demoClusters.find(
        k => k.name === e.labels[CLUSTER_LABEL],
      )!.region;
      expect(e.locality).toBe(region);
    }
  });

  it('routes by weight to per-cluster subsets, writes only to active clusters', () => {
    const vs = one('VirtualService');
    const dr = one('DestinationRule');
    const route: any[] = vs.spec.tcp[0].route;
    // A Service Istio discovers in every cluster, not the global host,
    // whose only endpoints are the ServiceEntry's.
    expect(dr.spec.host).toBe(
      `${c.request.name}.${c.request.namespace}.svc.cluster.local`,
    );
    expect(vs.spec.hosts).toContain(dr.spec.host);
    for (const { destination, weight } of route) {
      expect(destination.host).toBe(dr.spec.host);
      const subset = dr.spec.subsets.find(
        (s: any) => s.name === destination.subset,
      );
      const cluster = subset.labels[CLUSTER_LABEL];
      const placement = c.request.clusters.find(p => p.name === cluster)!;
      expect(weight).toBe(placement.weight);
      expect({
        cluster,
        takesWrites: weight > 0 && placement.role,
      }).not.toEqual({ cluster, takesWrites: 'passive' });
    }
    // The subsets split a Service every cluster has, so each subset has
    // the endpoints Istio discovers in its cluster.
    const service = dr.spec.host.split('.')[0];
    expect(servedBy(service).sort()).toEqual(
      c.request.clusters.map(p => p.name).sort(),
    );
  });
});
