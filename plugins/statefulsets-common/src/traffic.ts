/*
 * Reads how traffic is split across clusters from routing objects: an Istio
 * VirtualService whose destinations are DestinationRule subsets labelled with
 * `topology.istio.io/cluster`, or MCS ServiceExports.
 */
import { LABEL_ISTIO_CLUSTER } from './annotations';
import { KubeObject } from './kube';
import { TrafficSplit } from './types';

/** No route was found. */
export function noTraffic(warning?: string): TrafficSplit {
  return { routing: 'none', weights: {}, warnings: warning ? [warning] : [] };
}

function shortHost(host: string | undefined): string {
  return (host ?? '').split('.')[0];
}

/**
 * Weights per cluster from a VirtualService and the DestinationRules beside it.
 * Uses the first tcp route (databases) or, failing that, the first http route.
 */
export function readIstioTraffic(
  virtualService: KubeObject,
  destinationRules: KubeObject[],
  foundIn: string,
): TrafficSplit {
  const warnings: string[] = [];
  const routes: any[] =
    virtualService.spec?.tcp?.[0]?.route ??
    virtualService.spec?.http?.[0]?.route ??
    [];
  const object = `${foundIn}:${virtualService.metadata.namespace}/${virtualService.metadata.name}`;
  if (routes.length === 0) {
    return { ...noTraffic('VirtualService has no routes'), object };
  }
  const weights: Record<string, number> = {};
  for (const route of routes) {
    const host: string | undefined = route?.destination?.host;
    const subset: string | undefined = route?.destination?.subset;
    const defaultWeight = routes.length === 1 ? 100 : 0;
    const weight =
      route?.weight === undefined ? defaultWeight : Number(route.weight);
    const rule = destinationRules.find(
      dr =>
        dr.spec?.host === host || shortHost(dr.spec?.host) === shortHost(host),
    );
    const subsetSpec = (rule?.spec?.subsets ?? []).find(
      (s: any) => s?.name === subset,
    );
    const cluster: string | undefined =
      subsetSpec?.labels?.[LABEL_ISTIO_CLUSTER];
    if (!cluster) {
      warnings.push(
        `destination ${host ?? '?'}${
          subset ? `/${subset}` : ''
        } has no subset labelled ${LABEL_ISTIO_CLUSTER}`,
      );
      continue;
    }
    weights[cluster] =
      (weights[cluster] ?? 0) + (Number.isFinite(weight) ? weight : 0);
  }
  const total = Object.values(weights).reduce((a, b) => a + b, 0);
  if (Object.keys(weights).length > 0 && total !== 100) {
    warnings.push(`route weights sum to ${total}, not 100`);
  }
  return { routing: 'istio', weights, object, warnings };
}

/**
 * Weights from MCS ServiceExports: the clusters exporting the service share
 * its traffic evenly (the clusterset DNS name load-balances across them).
 */
export function readServiceExportTraffic(
  exportsByCluster: Record<string, KubeObject[]>,
  serviceName?: string,
): TrafficSplit {
  const exporting = Object.entries(exportsByCluster)
    .filter(([, exports]) =>
      exports.some(e => !serviceName || e.metadata.name === serviceName),
    )
    .map(([cluster]) => cluster)
    .sort();
  if (exporting.length === 0) return noTraffic();
  const share = Math.floor(100 / exporting.length);
  const weights: Record<string, number> = {};
  exporting.forEach((cluster, i) => {
    weights[cluster] = share + (i === 0 ? 100 - share * exporting.length : 0);
  });
  return { routing: 'mcs', weights, warnings: [] };
}
