/*
 * Storing what a client writes: a new object (POST, or an apply that finds
 * none) and a new version of an existing one, whichever verb produced it
 * (PUT, PATCH, apply) and whichever part it may change (the object, its
 * status or its scale).
 */
import type { KubeObject } from '../controllers/types';
import { eventsV1Problems, fromEventsV1 } from '../api/eventsV1';
import { fieldsV1Of } from '../api/fieldOwnership';
import { badRequest, conflict, invalid } from '../api/status';
import { admit } from './admission';
import { methodNotAllowed } from './apiErrors';
import { sendJson } from './http';
import { ManagerWrite, recordManager } from './managedFields';
import { respondObject, servedAs, warningHeaders } from './rendering';
import { dryRunOf, fieldManagerOf, readObjectBody } from './requestOptions';
import type { ResourceCall, ResourceContext } from './resourceRoute';
import { scaleOf, withScaledReplicas } from './scale';

/** How a write to an existing object is stored and recorded. */
export interface WriteOptions extends ManagerWrite {
  dryRun: boolean;
}

/** POST of a new object. */
export async function createResource(
  ctx: ResourceContext,
  call: ResourceCall,
): Promise<void> {
  const { req, url, route } = call;
  const t = route.t;
  if (t.readOnly) throw methodNotAllowed();
  let obj = await readObjectBody(req);
  const dryRun = dryRunOf(url);
  const warnings = admit(obj, route, url);
  if (obj.metadata.resourceVersion)
    throw badRequest(
      'resourceVersion should not be set on objects to be created',
    );
  if (t.storedAs) {
    const problems = eventsV1Problems(obj);
    if (problems.length)
      throw invalid(t.kind, t.group, obj.metadata.name ?? '', problems);
    obj = fromEventsV1(obj);
  }
  if (
    t.statusSubresource &&
    t.kind !== 'PersistentVolumeClaim' &&
    t.kind !== 'PersistentVolume'
  )
    delete obj.status;
  storeNewObject(
    ctx,
    call,
    obj,
    {
      manager: fieldManagerOf(req, url),
      operation: 'Update',
      fields: fieldsV1Of(obj, t.builtin),
    },
    dryRun,
    warnings,
  );
}

/** Stores an admitted new object and answers it with 201. */
export function storeNewObject(
  ctx: ResourceContext,
  call: ResourceCall,
  obj: KubeObject,
  write: ManagerWrite,
  dryRun: boolean,
  warnings: string[],
): void {
  recordManager(obj, write, ctx.now());
  const created = ctx.store.create(obj, { dryRun });
  respondObject(
    ctx,
    call,
    servedAs(created, call.route.t),
    201,
    warningHeaders(warnings),
  );
}

/** Stores a full new version of an existing object after admission. */
export function writeExisting(
  ctx: ResourceContext,
  call: ResourceCall,
  existing: KubeObject,
  next: any,
  opts: WriteOptions,
): void {
  const { res, url, route } = call;
  const t = route.t;
  if (next?.metadata?.name !== undefined && next.metadata.name !== route.name) {
    throw badRequest(
      `the name of the object (${next.metadata.name}) does not match the name on the URL (${route.name})`,
    );
  }
  const rv = next?.metadata?.resourceVersion;
  if (rv && rv !== existing.metadata.resourceVersion)
    throw conflict(t.plural, t.group, route.name!);
  if (route.sub === 'scale') {
    const target = withScaledReplicas(existing, t, route.name!, next);
    recordManager(
      target,
      { ...opts, fields: { 'f:spec': { 'f:replicas': {} } }, sub: 'scale' },
      ctx.now(),
    );
    const stored = ctx.store.replace(target, 'main', {
      dryRun: opts.dryRun,
    });
    sendJson(res, 200, scaleOf(stored, t));
    return;
  }
  next.metadata ??= {};
  next.metadata.name = route.name;
  if (route.sub === 'status') {
    const target = { ...structuredClone(existing), status: next.status };
    recordManager(
      target,
      { ...opts, fields: { 'f:status': {} }, sub: 'status' },
      ctx.now(),
    );
    const stored = ctx.store.replace(target, 'status', {
      dryRun: opts.dryRun,
    });
    respondObject(ctx, call, servedAs(stored, t));
    return;
  }
  const warnings = admit(next, route, url, existing);
  next.metadata.managedFields ??= existing.metadata.managedFields;
  recordManager(next, opts, ctx.now());
  const stored = ctx.store.replace(next, 'main', { dryRun: opts.dryRun });
  respondObject(ctx, call, servedAs(stored, t), 200, warningHeaders(warnings));
}
