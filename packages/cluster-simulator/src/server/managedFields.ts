/*
 * managedFields bookkeeping: which manager last set which fields, and the
 * apply conflicts that ownership raises; server-side apply decides with it
 * whose fields a write may change or remove.
 */
import type { KubeObject } from '../controllers/types';
import { ApiError } from '../api/status';
import { isoSeconds } from '../api/timestamp';

/** A manager's write of some fields, as one managedFields entry records it. */
export interface ManagerWrite {
  manager: string;
  operation: 'Update' | 'Apply';
  fields: unknown;
  /** The subresource written (`status`, `scale`), if any. */
  sub?: string;
}

/** Replaces the manager's entry for this operation and subresource. */
export function recordManager(
  obj: KubeObject,
  write: ManagerWrite,
  now: number,
): void {
  const { manager, operation, fields, sub } = write;
  const entries = ((obj.metadata.managedFields as any[]) ?? []).filter(
    e =>
      !(
        e.manager === manager &&
        e.operation === operation &&
        (e.subresource ?? '') === (sub ?? '')
      ),
  );
  entries.push({
    manager,
    operation,
    apiVersion: obj.apiVersion,
    time: isoSeconds(now),
    fieldsType: 'FieldsV1',
    fieldsV1: fields,
    ...(sub ? { subresource: sub } : {}),
  });
  obj.metadata.managedFields = entries;
}

/**
 * The simple form of apply conflicts: a scalar this manager sets to a new
 * value is owned (by an earlier Apply) of another manager.
 */
export function checkApplyConflicts(
  existing: KubeObject,
  applied: any,
  manager: string,
  force: boolean,
): void {
  if (force) return;
  const others = ((existing.metadata.managedFields as any[]) ?? []).filter(
    e => e.manager !== manager && e.operation === 'Apply' && !e.subresource,
  );
  const conflicts: Array<{ field: string; manager: string }> = [];
  const walk = (a: any, live: any, owned: any, path: string, mgr: string) => {
    if (!a || typeof a !== 'object' || Array.isArray(a) || !owned) return;
    for (const [k, v] of Object.entries(a)) {
      const f = owned[`f:${k}`];
      if (!f) continue;
      const p = `${path}.${k}`;
      if (v !== null && typeof v === 'object' && !Array.isArray(v))
        walk(v, live?.[k], f, p, mgr);
      else if (JSON.stringify(v) !== JSON.stringify(live?.[k]))
        conflicts.push({ field: p, manager: mgr });
    }
  };
  for (const o of others) walk(applied, existing, o.fieldsV1, '', o.manager);
  if (conflicts.length) {
    throw new ApiError(
      409,
      'Conflict',
      `Apply failed with ${conflicts.length} conflict${
        conflicts.length > 1 ? 's' : ''
      }: ${conflicts
        .map(c => `conflict with "${c.manager}": ${c.field}`)
        .join('\n')}`,
      {
        causes: conflicts.map(c => ({
          reason: 'FieldManagerConflict',
          message: `conflict with "${c.manager}"`,
          field: c.field,
        })),
      },
    );
  }
}
