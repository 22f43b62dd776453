/*
 * The reads of resources: get, and list paged from one snapshot, with the
 * label and field selector matching that watches and collection deletes
 * share.
 */
import type { KubeObject } from '../controllers/types';
import { apiVersionOf } from '../api/resources';
import { resourceVersionParam } from '../api/queryParams';
import {
  matchesFields,
  matchesLabels,
  parseFieldSelector,
  parseLabelSelector,
  unsupportedField,
} from '../api/selectors';
import { badRequest, notFound } from '../api/status';
import { partialObjectMetadata, renderTable } from '../api/tables';
import type { ClusterStore } from '../store/ClusterStore';
import { sendJson } from './http';
import type { ListSnapshots } from './listSnapshots';
import { renderingOf, respondObject, servedAs } from './rendering';
import {
  ResourceCall,
  ResourceContext,
  ResourceRoute,
  storageOf,
} from './resourceRoute';
import { scaleOf } from './scale';

function sortKey(o: KubeObject): string {
  return `${o.metadata.namespace ?? ''}/${o.metadata.name}`;
}

/** Whether an object is in the route's namespace and matches its selectors. */
export function selectorsOf(
  url: URL,
  route: ResourceRoute,
): (o: KubeObject) => boolean {
  const labels = parseLabelSelector(
    url.searchParams.get('labelSelector') ?? undefined,
  );
  const fields = parseFieldSelector(
    url.searchParams.get('fieldSelector') ?? undefined,
  );
  const bad = unsupportedField(route.t.kind, fields);
  if (bad) throw badRequest(`field label not supported: ${bad}`);
  if (route.watchPath && route.name) {
    fields.push({ field: 'metadata.name', negate: false, value: route.name });
  }
  return (o: KubeObject) =>
    (route.namespace === undefined ||
      o.metadata.namespace === route.namespace) &&
    matchesLabels(labels, o.metadata.labels) &&
    matchesFields(fields, o);
}

/** The stored objects a list of the route would return, in list order. */
export function matchingObjects(
  store: ClusterStore,
  route: ResourceRoute,
  url: URL,
): KubeObject[] {
  const match = selectorsOf(url, route);
  const out: KubeObject[] = [];
  const stored = storageOf(route.t);
  for (const o of store.peekAll(stored.group, stored.kind))
    if (match(o)) out.push(o);
  out.sort((a, b) => (sortKey(a) < sortKey(b) ? -1 : 1));
  return out;
}

/** The stored object the route names, or a 404. */
export function loadObject(
  store: ClusterStore,
  route: ResourceRoute,
): KubeObject {
  const t = route.t;
  const stored = storageOf(t);
  const o = store.peek(
    stored.group,
    stored.kind,
    t.namespaced ? route.namespace : undefined,
    route.name!,
  );
  if (!o) throw notFound(t.plural, t.group, route.name!);
  return o;
}

/** GET of a collection. */
export function listResource(
  ctx: ResourceContext,
  snapshots: ListSnapshots,
  call: ResourceCall,
): void {
  const { req, res, url, route } = call;
  const t = route.t;
  resourceVersionParam(url);
  const limit = Number(url.searchParams.get('limit') ?? 0);
  const {
    items,
    resourceVersion: rv,
    next,
    remaining,
  } = snapshots.page(
    () => matchingObjects(ctx.store, route, url),
    String(ctx.store.resourceVersion),
    limit,
    url.searchParams.get('continue'),
    sortKey,
  );
  const rendering = renderingOf(req, url);
  const served = items.map(o => servedAs(o, t));
  if (rendering.table) {
    sendJson(
      res,
      200,
      renderTable(t, served, {
        now: ctx.now(),
        includeObject: rendering.table.includeObject,
        resourceVersion: rv,
        continueToken: next,
        tableVersion: rendering.table.version,
      }),
    );
    return;
  }
  const metadata = {
    resourceVersion: rv,
    ...(next ? { continue: next, remainingItemCount: remaining } : {}),
  };
  if (rendering.partial) {
    sendJson(res, 200, {
      kind: 'PartialObjectMetadataList',
      apiVersion: 'meta.k8s.io/v1',
      metadata,
      items: served.map(partialObjectMetadata),
    });
    return;
  }
  sendJson(res, 200, {
    kind: t.listKind,
    apiVersion: apiVersionOf(t),
    metadata,
    items: served,
  });
}

/** GET of one object or its scale. */
export function getResource(ctx: ResourceContext, call: ResourceCall): void {
  const { res, route } = call;
  const o = servedAs(loadObject(ctx.store, route), route.t);
  if (route.sub === 'scale') {
    sendJson(res, 200, scaleOf(o, route.t));
    return;
  }
  respondObject(ctx, call, o);
}
