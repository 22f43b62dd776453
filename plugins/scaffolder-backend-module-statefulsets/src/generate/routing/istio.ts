/*
 * Istio routing in a multi-cluster mesh: one global host for the database,
 * weighted routes per cluster and locality failover between the clusters'
 * regions. Every route goes to endpoints Istio's own multi-cluster discovery
 * knows (never to a name a remote cluster's DNS would resolve to its own
 * copy): the client Service's endpoints split into per-cluster subsets by
 * the `topology.istio.io/cluster` label Istio puts on each endpoint, and,
 * for peers, Services that exist in one cluster only.
 */
import { LABEL_ISTIO_CLUSTER } from '@multicluster/backstage-plugin-statefulsets-common';
import { ENGINE_PROFILES } from '../engines';
import { commonLabels } from '../labels';
import {
  clientServiceHost,
  clusterServiceAddress,
  primaryCluster,
} from '../naming';
import { KubeObject } from '../types';
import { NormalizedRequest } from '../validateRequest';
import {
  ClusterRoutingObject,
  perClusterServices,
  podServices,
} from './clusterServices';

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
          // One endpoint per cluster, each a Service that exists in that
          // cluster alone. The VirtualService sends the traffic itself to
          // the client Service's per-cluster subsets; these say where the
          // host lives and what its locality is.
          endpoints: r.clusters.map(c => ({
            address: clusterServiceAddress(r, c),
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
          // The client Service's own name too: without this route Istio
          // would balance it over every cluster's copy, the read-only ones
          // included.
          hosts: [r.globalHost, clientServiceHost(r)],
          tcp: [
            {
              match: [{ port: r.port }],
              route: r.clusters.map(c => ({
                destination: {
                  host: clientServiceHost(r),
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
          host: clientServiceHost(r),
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

/** The Services only one member cluster gets: its per-cluster Service and one per pod. */
export function istioClusterObjects(
  r: NormalizedRequest,
): ClusterRoutingObject[] {
  return [...perClusterServices(r), ...podServices(r)];
}
