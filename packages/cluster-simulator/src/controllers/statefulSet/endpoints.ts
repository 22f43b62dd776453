// The endpoints controller's part: an Endpoints object per Service with a
// selector, listing the selected pods that have an IP.
import { fromSelectorObject, matchesLabels } from '../../api/selectors';
import { isReady } from './pods';
import type { ControllerContext, KubeObject } from '../types';

/** Keeps an Endpoints object per selector Service, listing its ready pods. */
export function reconcileEndpoints(
  ctx: ControllerContext,
  pods: readonly KubeObject[],
): void {
  const { cluster } = ctx;
  for (const svc of cluster.listShared?.('v1', 'Service') ??
    cluster.list('v1', 'Service')) {
    const selector = svc.spec?.selector;
    if (!selector || Object.keys(selector).length === 0) continue;
    const sel = fromSelectorObject({ matchLabels: selector });
    const members = pods
      .filter(
        p =>
          p.metadata.namespace === svc.metadata.namespace &&
          matchesLabels(sel, p.metadata.labels),
      )
      .filter(p => p.status?.podIP)
      .sort((a, b) => (a.metadata.name < b.metadata.name ? -1 : 1));
    const address = (p: KubeObject) => ({
      ip: p.status.podIP,
      ...(svc.spec?.clusterIP === 'None' ? { hostname: p.spec?.hostname } : {}),
      nodeName: p.spec?.nodeName,
      targetRef: {
        kind: 'Pod',
        namespace: p.metadata.namespace,
        name: p.metadata.name,
        uid: p.metadata.uid,
      },
    });
    const ready = members.filter(isReady).map(address);
    const notReady = members.filter(p => !isReady(p)).map(address);
    const ports = (svc.spec?.ports ?? []).map((p: any) => ({
      ...(p.name ? { name: p.name } : {}),
      port: typeof p.targetPort === 'number' ? p.targetPort : p.port,
      protocol: p.protocol ?? 'TCP',
    }));
    const subsets =
      ready.length + notReady.length
        ? [
            {
              ...(ready.length ? { addresses: ready } : {}),
              ...(notReady.length ? { notReadyAddresses: notReady } : {}),
              ports,
            },
          ]
        : [];
    const existing = cluster.get(
      'v1',
      'Endpoints',
      svc.metadata.namespace,
      svc.metadata.name,
    );
    if (!existing) {
      cluster.create({
        apiVersion: 'v1',
        kind: 'Endpoints',
        metadata: {
          name: svc.metadata.name,
          namespace: svc.metadata.namespace,
          labels: svc.metadata.labels,
        },
        subsets,
      });
    } else if (
      JSON.stringify(existing.subsets ?? []) !== JSON.stringify(subsets)
    ) {
      cluster.update({ ...existing, subsets });
    }
  }
}
