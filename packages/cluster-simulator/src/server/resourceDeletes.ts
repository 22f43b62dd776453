/*
 * DELETE of one object (with preconditions and propagation policy) and of a
 * collection, answered as kube-apiserver answers each kind.
 */
import { apiVersionOf } from '../api/resources';
import { methodNotAllowed } from './apiErrors';
import { sendJson } from './http';
import { servedAs } from './rendering';
import { dryRunOf, readDeleteOptions } from './requestOptions';
import { matchingObjects } from './resourceReads';
import type { ResourceCall, ResourceContext } from './resourceRoute';

/** DELETE of the object the route names. */
export async function deleteResource(
  ctx: ResourceContext,
  call: ResourceCall,
): Promise<void> {
  const { req, res, url, route } = call;
  const t = route.t;
  if (route.sub || t.readOnly) throw methodNotAllowed();
  const opts = await readDeleteOptions(req);
  const dryRun = dryRunOf(url, opts);
  const policy =
    url.searchParams.get('propagationPolicy') ?? opts.propagationPolicy;
  const gone = ctx.store.remove(
    apiVersionOf(t),
    t.kind,
    route.namespace,
    route.name!,
    {
      dryRun,
      orphan: policy === 'Orphan',
      preconditionRv: opts.preconditions?.resourceVersion,
      preconditionUid: opts.preconditions?.uid,
    },
  );
  if (t.kind === 'Pod' || !t.builtin) {
    sendJson(res, 200, servedAs(gone, t));
    return;
  }
  sendJson(res, 200, {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Success',
    details: {
      name: route.name,
      ...(t.group ? { group: t.group } : {}),
      kind: t.plural,
      uid: gone.metadata.uid,
    },
  });
}

/** DELETE of every object of the collection that matches the selectors. */
export async function deleteCollection(
  ctx: ResourceContext,
  call: ResourceCall,
): Promise<void> {
  const { req, res, url, route } = call;
  const t = route.t;
  if (t.readOnly) throw methodNotAllowed();
  const opts = await readDeleteOptions(req);
  const dryRun = dryRunOf(url, opts);
  const items = matchingObjects(ctx.store, route, url).map(o =>
    structuredClone(o),
  );
  const gone = items.map(o =>
    ctx.store.remove(
      o.apiVersion,
      o.kind,
      o.metadata.namespace,
      o.metadata.name,
      { dryRun },
    ),
  );
  sendJson(res, 200, {
    kind: t.listKind,
    apiVersion: apiVersionOf(t),
    metadata: { resourceVersion: String(ctx.store.resourceVersion) },
    items: gone.map(o => servedAs(o, t)),
  });
}
