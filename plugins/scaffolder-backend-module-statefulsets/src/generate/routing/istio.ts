/*
 * Istio routing: one global host for the database, a ServiceEntry with an
 * endpoint per cluster, weighted routes per cluster, and locality failover
 * between the clusters' regions.
 */
import { LABEL_ISTIO_CLUSTER } from '@multicluster/backstage-plugin-statefulsets-common';
import { ENGINE_PROFILES } from '../engines';
import { commonLabels } from '../labels';
import { primaryCluster } from '../naming';
import { KubeObject } from '../types';
import { NormalizedRequest } from '../validateRequest';

// Istio's locality failover is declared region to region, not cluster to
// cluster, so the pairs are built from the clusters' distinct regions.
function failoverPairs(
  r: NormalizedRequest,
): Array<{ from: string; to: string }> {
  const regions = [
    ...new Set(r.clusters.map(c => c.region).filter((x): x is string => !!x)),
  ];
  if (regions.length < 2) {
    return [];
  }
  if (r.strategy === 'active-active') {
    return regions.map((from, i) => ({
      from,
      to: regions[(i + 1) % regions.length],
    }));
  }
  // The active region fails over to the nearest passive one (the first
  // listed); every passive region falls back to the active region.
  const home = primaryCluster(r).region ?? regions[0];
  const others = regions.filter(x => x !== home);
  return [
    { from: home, to: others[0] },
    ...others.map(from => ({ from, to: home })),
  ];
}

/** The ServiceEntry, VirtualService and DestinationRule every member cluster gets. */
export function istioObjects(
  r: NormalizedRequest,
): Array<{ file: string; object: KubeObject }> {
  const labels = commonLabels(r);
  const profile = ENGINE_PROFILES[r.engine];
  const trafficPolicy: Record<string, unknown> = {};
  const failover = failoverPairs(r);
  if (failover.length > 0) {
    trafficPolicy.loadBalancer = {
      localityLbSetting: { enabled: true, failover },
    };
  }
  // Locality failover only acts on endpoints that outlier detection ejects.
  trafficPolicy.outlierDetection = {
    consecutive5xxErrors: 3,
    interval: '10s',
    baseEjectionTime: '30s',
    maxEjectionPercent: 100,
  };
  return [
    {
      file: 'routing/serviceentry.yaml',
      object: {
        apiVersion: 'networking.istio.io/v1',
        kind: 'ServiceEntry',
        metadata: { name: `${r.name}-global`, namespace: r.namespace, labels },
        spec: {
          hosts: [r.globalHost],
          location: 'MESH_INTERNAL',
          resolution: 'DNS',
          ports: [{ number: r.port, name: profile.portName, protocol: 'TCP' }],
          // One endpoint per cluster: each cluster is its own Istio network,
          // reached through its east-west gateway.
          endpoints: r.clusters.map(c => ({
            address: `${r.name}.${r.namespace}.svc.cluster.local`,
            network: c.name,
            ...(c.region ? { locality: c.region } : {}),
            labels: { [LABEL_ISTIO_CLUSTER]: c.name },
          })),
        },
      },
    },
    {
      file: 'routing/virtualservice.yaml',
      object: {
        apiVersion: 'networking.istio.io/v1',
        kind: 'VirtualService',
        metadata: { name: r.name, namespace: r.namespace, labels },
        spec: {
          hosts: [r.globalHost],
          tcp: [
            {
              match: [{ port: r.port }],
              route: r.clusters.map(c => ({
                destination: {
                  host: r.globalHost,
                  subset: c.name,
                  port: { number: r.port },
                },
                weight: c.weight,
              })),
            },
          ],
        },
      },
    },
    {
      file: 'routing/destinationrule.yaml',
      object: {
        apiVersion: 'networking.istio.io/v1',
        kind: 'DestinationRule',
        metadata: { name: r.name, namespace: r.namespace, labels },
        spec: {
          host: r.globalHost,
          trafficPolicy,
          subsets: r.clusters.map(c => ({
            name: c.name,
            labels: { [LABEL_ISTIO_CLUSTER]: c.name },
          })),
        },
      },
    },
  ];
}
