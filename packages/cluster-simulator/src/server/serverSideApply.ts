/*
 * Server-side apply (PATCH with application/apply-patch+yaml): creates the
 * object when missing, else merges the applied configuration, refuses
 * changes to fields another manager applied unless forced, and removes the
 * fields this manager stopped applying.
 */
import { applyConfiguration } from '../api/applyConfiguration';
import { fieldsV1Of, removeUnappliedFields } from '../api/fieldOwnership';
import { boolParam } from '../api/queryParams';
import { apiVersionOf, parseApiVersion } from '../api/resources';
import { badRequest, invalid, notFound } from '../api/status';
import { admit } from './admission';
import { checkApplyConflicts } from './managedFields';
import { storeNewObject, writeExisting } from './objectWrites';
import type { ResourceCall, ResourceContext } from './resourceRoute';
import { scaleOf } from './scale';

/** Applies a configuration to the object the route names. */
export async function applyResource(
  ctx: ResourceContext,
  call: ResourceCall,
  applied: any,
  dryRun: boolean,
): Promise<void> {
  const { url, route } = call;
  const t = route.t;
  const manager = url.searchParams.get('fieldManager');
  if (!manager) {
    throw invalid('PatchOptions', 'meta.k8s.io', '', [
      {
        field: 'fieldManager',
        message: 'Required value: is required for apply patch',
        reason: 'FieldValueRequired',
      },
    ]);
  }
  if (
    !applied ||
    typeof applied !== 'object' ||
    !applied.apiVersion ||
    !applied.kind
  ) {
    throw badRequest('apply patches must carry apiVersion and kind');
  }
  const { group } = parseApiVersion(applied.apiVersion);
  if (group !== t.group || applied.kind !== t.kind) {
    throw badRequest(
      `the API version in the data (${
        applied.apiVersion
      }) does not match the expected API version (${apiVersionOf(t)})`,
    );
  }
  const fields = fieldsV1Of(applied, t.builtin);
  const existing = ctx.store.peek(
    t.group,
    t.kind,
    t.namespaced ? route.namespace : undefined,
    route.name!,
  );
  if (!existing) {
    if (route.sub) throw notFound(t.plural, t.group, route.name!);
    const obj = structuredClone(applied);
    obj.metadata = { ...obj.metadata, name: route.name };
    const warnings = admit(obj, route, url);
    storeNewObject(
      ctx,
      call,
      obj,
      { manager, operation: 'Apply', fields },
      dryRun,
      warnings,
    );
    return;
  }
  checkApplyConflicts(existing, applied, manager, boolParam(url, 'force'));
  const base =
    route.sub === 'scale' ? scaleOf(existing, t) : structuredClone(existing);
  const merged = applyConfiguration(base, applied, t.builtin);
  if (!route.sub) {
    const entries = (existing.metadata.managedFields as any[]) ?? [];
    const mine = entries.find(
      e => e.manager === manager && e.operation === 'Apply' && !e.subresource,
    );
    const others = entries
      .filter(e => e !== mine && !e.subresource)
      .map(e => e.fieldsV1);
    removeUnappliedFields(merged, mine?.fieldsV1, fields, others);
  }
  merged.metadata.resourceVersion = undefined;
  writeExisting(ctx, call, existing, merged, {
    dryRun,
    manager,
    operation: 'Apply',
    fields,
  });
}
