/*
 * Changes to an existing object: PUT of a whole new version, and PATCH in
 * the JSON, merge and strategic merge formats (apply patches go to
 * server-side apply).
 */
import { fieldsV1Of } from '../api/fieldOwnership';
import { applyJsonPatch } from '../api/jsonPatch';
import { applyMergePatch } from '../api/mergePatch';
import { ApiError, badRequest, invalid } from '../api/status';
import { applyStrategicMergePatch } from '../api/strategicMergePatch';
import { methodNotAllowed } from './apiErrors';
import { writeExisting } from './objectWrites';
import { dryRunOf, fieldManagerOf, readObjectBody } from './requestOptions';
import { loadObject } from './resourceReads';
import type { ResourceCall, ResourceContext } from './resourceRoute';
import { scaleOf } from './scale';
import { applyResource } from './serverSideApply';

/** PUT of an object, its status or its scale. */
export async function updateResource(
  ctx: ResourceContext,
  call: ResourceCall,
): Promise<void> {
  const { req, url, route } = call;
  if (route.name === undefined || route.t.readOnly) throw methodNotAllowed();
  const body = await readObjectBody(req);
  const existing = loadObject(ctx.store, route);
  // Custom resources allow no unconditional update, unlike most built-ins.
  if (!route.t.builtin && !body?.metadata?.resourceVersion) {
    throw invalid(route.t.kind, route.t.group, route.name, [
      {
        field: 'metadata.resourceVersion',
        message: 'Invalid value: 0x0: must be specified for an update',
        reason: 'FieldValueInvalid',
      },
    ]);
  }
  writeExisting(ctx, call, existing, body, {
    dryRun: dryRunOf(url),
    manager: fieldManagerOf(req, url),
    operation: 'Update',
    fields: fieldsV1Of(body, route.t.builtin),
  });
}

/** PATCH of an object, its status or its scale, in any accepted format. */
export async function patchResource(
  ctx: ResourceContext,
  call: ResourceCall,
): Promise<void> {
  const { req, url, route } = call;
  const t = route.t;
  if (route.name === undefined || t.readOnly) throw methodNotAllowed();
  const type = String(req.headers['content-type'] ?? '')
    .split(';')[0]
    .trim();
  const accepted = [
    'application/json-patch+json',
    'application/merge-patch+json',
    'application/apply-patch+yaml',
    ...(t.builtin ? ['application/strategic-merge-patch+json'] : []),
  ];
  if (!accepted.includes(type)) {
    throw new ApiError(
      415,
      'UnsupportedMediaType',
      `the body of the request was in an unknown format - accepted media types include: ${accepted.join(
        ', ',
      )}`,
    );
  }
  const body = await readObjectBody(req);
  const dryRun = dryRunOf(url);
  const manager = fieldManagerOf(req, url);
  if (type === 'application/apply-patch+yaml') {
    await applyResource(ctx, call, body, dryRun);
    return;
  }
  const existing = loadObject(ctx.store, route);
  const base =
    route.sub === 'scale' ? scaleOf(existing, t) : structuredClone(existing);
  let next: any;
  if (type === 'application/json-patch+json') next = applyJsonPatch(base, body);
  else if (type === 'application/merge-patch+json')
    next = applyMergePatch(base, body);
  else next = applyStrategicMergePatch(base, body);
  if (typeof next !== 'object' || next === null)
    throw badRequest('patch produced a non-object');
  writeExisting(ctx, call, existing, next, {
    dryRun,
    manager,
    operation: 'Update',
    fields: Array.isArray(body) ? {} : fieldsV1Of(body, t.builtin),
  });
}
