/*
 * metrics.k8s.io: pod and node usage for `kubectl top`. The numbers are
 * made up but stable per object, so output is reproducible.
 */
import type { KubeObject } from '../controllers/types';
import { matchesLabels, parseLabelSelector } from '../api/selectors';
import { notFound } from '../api/status';
import { isoSeconds } from '../api/timestamp';
import { sendJson } from './http';
import type { ResourceCall, ResourceContext } from './resourceRoute';

/** GET of PodMetrics or NodeMetrics, one or a list. */
export function serveMetrics(ctx: ResourceContext, call: ResourceCall): void {
  const { res, route, url } = call;
  const now = isoSeconds(ctx.now());
  const items: KubeObject[] = [];
  if (route.t.kind === 'PodMetrics') {
    const labels = parseLabelSelector(
      url.searchParams.get('labelSelector') ?? undefined,
    );
    for (const p of ctx.store.peekAll('', 'Pod')) {
      if (
        route.namespace !== undefined &&
        p.metadata.namespace !== route.namespace
      )
        continue;
      if (route.name !== undefined && p.metadata.name !== route.name) continue;
      if (
        !matchesLabels(labels, p.metadata.labels) ||
        p.status?.phase !== 'Running'
      )
        continue;
      items.push({
        kind: 'PodMetrics',
        apiVersion: 'metrics.k8s.io/v1beta1',
        metadata: {
          name: p.metadata.name,
          namespace: p.metadata.namespace,
          labels: p.metadata.labels,
          creationTimestamp: now,
        },
        timestamp: now,
        window: '30s',
        containers: (p.spec?.containers ?? []).map((c: any) => ({
          name: c.name,
          usage: {
            cpu: `${5 + (p.metadata.name.length % 7)}m`,
            memory: `${64 + (p.metadata.name.length % 5) * 16}Mi`,
          },
        })),
      });
    }
  } else {
    for (const n of ctx.store.peekAll('', 'Node')) {
      if (route.name !== undefined && n.metadata.name !== route.name) continue;
      items.push({
        kind: 'NodeMetrics',
        apiVersion: 'metrics.k8s.io/v1beta1',
        metadata: {
          name: n.metadata.name,
          labels: n.metadata.labels,
          creationTimestamp: now,
        },
        timestamp: now,
        window: '30s',
        usage: { cpu: '250m', memory: '2Gi' },
      });
    }
  }
  if (route.name !== undefined) {
    if (!items[0]) throw notFound(route.t.plural, route.t.group, route.name);
    sendJson(res, 200, items[0]);
    return;
  }
  sendJson(res, 200, {
    kind: `${route.t.kind}List`,
    apiVersion: 'metrics.k8s.io/v1beta1',
    metadata: {},
    items,
  });
}
