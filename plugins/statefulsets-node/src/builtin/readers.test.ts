import {
  emptyClusterObjects,
  readEntityPolicy,
} from '@multicluster/backstage-plugin-statefulsets-common';
import {
  GenericStatefulSetProvider,
  CloudNativePgProvider,
  IstioTrafficRouter,
  ServiceExportTrafficRouter,
} from '.';
import { ClusterView, EntityContext } from '../types';

const now = Date.parse('2026-11-27T12:00:00Z');

function view(
  name: string,
  fill?: (o: ReturnType<typeof emptyClusterObjects>) => void,
): ClusterView {
  const objects = emptyClusterObjects();
  fill?.(objects);
  return { cluster: { name, zones: [] }, objects };
}

function context(
  clusters: ClusterView[],
  annotations: Record<string, string> = {},
): EntityContext {
  return {
    entityRef: 'component:default/db',
    annotations,
    policy: readEntityPolicy(annotations),
    clusters,
    now,
  };
}

describe('GenericStatefulSetProvider', () => {
  it('reports the passive side of each StatefulSet', async () => {
    const links = await new GenericStatefulSetProvider().readReplication(
      context([
        view('a', o =>
          o.statefulSets.push({
            metadata: {
              name: 'db',
              annotations: {
                'multicluster-statefulsets/role': 'passive',
                'multicluster-statefulsets/replication-source': 'b',
                'multicluster-statefulsets/replication-lag-seconds': '2',
                'multicluster-statefulsets/replication-lag-observed-at':
                  new Date(now - 1000).toISOString(),
              },
            },
          }),
        ),
        {
          cluster: { name: 'down', zones: [] },
          error: { reason: 'timeout', message: 'slow' },
        },
      ]),
    );
    expect(links).toEqual([
      expect.objectContaining({
        from: 'b',
        to: 'a',
        lagSeconds: 2,
        healthy: true,
      }),
    ]);
  });
});

describe('CloudNativePgProvider', () => {
  it('only supports entities with CloudNativePG clusters', () => {
    const provider = new CloudNativePgProvider();
    expect(provider.supports(context([view('a')]))).toBe(false);
    expect(
      provider.supports(
        context([
          view('a', o => o.cnpgClusters.push({ metadata: { name: 'pg' } })),
        ]),
      ),
    ).toBe(true);
  });
});

describe('IstioTrafficRouter', () => {
  const annotations = { 'multicluster-statefulsets/traffic': 'databases/db' };

  it('finds the VirtualService in any readable cluster', async () => {
    const split = await new IstioTrafficRouter().readTraffic(
      context(
        [
          {
            cluster: { name: 'down', zones: [] },
            error: { reason: 'unreachable', message: 'refused' },
          },
          view('b', o => {
            o.virtualServices.push({
              metadata: { name: 'db', namespace: 'databases' },
              spec: {
                tcp: [
                  { route: [{ destination: { host: 'db', subset: 's' } }] },
                ],
              },
            });
            o.destinationRules.push({
              metadata: { name: 'db', namespace: 'databases' },
              spec: {
                host: 'db',
                subsets: [
                  { name: 's', labels: { 'topology.istio.io/cluster': 'b' } },
                ],
              },
            });
          }),
        ],
        annotations,
      ),
    );
    expect(split?.weights).toEqual({ b: 100 });
  });

  it('says why no route was found and ignores entities without the annotation', async () => {
    const router = new IstioTrafficRouter();
    expect(await router.readTraffic(context([view('a')]))).toBeUndefined();
    const split = await router.readTraffic(context([view('a')], annotations));
    expect(split?.routing).toBe('none');
    expect(split?.warnings[0]).toContain('databases/db not found');
  });
});

describe('ServiceExportTrafficRouter', () => {
  it('splits across exporting clusters', async () => {
    const split = await new ServiceExportTrafficRouter().readTraffic(
      context([
        view('a', o => o.serviceExports.push({ metadata: { name: 'db' } })),
        view('b'),
      ]),
    );
    expect(split?.weights).toEqual({ a: 100 });
  });
});
