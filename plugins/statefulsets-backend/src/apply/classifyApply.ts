/*
 * What a server-side apply did to one object (created, configured or
 * unchanged), told from the object before and after.
 */
import { ObjectAction } from './types';

/** Metadata fields the API server owns; they never make an object "changed". */
const SERVER_METADATA = [
  'resourceVersion',
  'generation',
  'managedFields',
  'uid',
  'creationTimestamp',
  'selfLink',
];

function comparable(object: any, applied?: unknown): string {
  const { status: _status, metadata, ...rest } = object ?? {};
  const meta = { ...(metadata ?? {}) };
  for (const key of SERVER_METADATA) delete meta[key];
  const whole = { ...rest, metadata: meta };
  return JSON.stringify(
    sortKeys(applied === undefined ? whole : project(whole, applied)),
  );
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return !!value && typeof value === 'object' && !Array.isArray(value);
}

/**
 * The part of an object at the fields an applied body sets (lists whole):
 * what the apply manages, leaving out what other managers keep on the same
 * object (a controller's annotations, an operator's fields).
 */
function project(value: unknown, shape: unknown): unknown {
  if (!isPlainObject(shape) || !isPlainObject(value)) return value;
  return Object.fromEntries(
    Object.keys(shape).map(k => [k, project(value[k], shape[k])]),
  );
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.keys(value as object)
        .sort()
        .map(k => [k, sortKeys((value as any)[k])]),
    );
  }
  return value;
}

/**
 * Decides what an apply did. A real apply that changes nothing keeps the
 * resourceVersion; a dry run never bumps it, and controllers may bump it
 * through status writes or their own annotations, so the content (status
 * and server-owned metadata left out; with the applied body, only the
 * fields it sets) decides whenever the version alone cannot.
 */
export function classifyApply(
  before: any,
  after: any,
  dryRun: boolean,
  applied?: unknown,
): ObjectAction {
  if (!before) return 'created';
  const sameVersion =
    before.metadata?.resourceVersion === after?.metadata?.resourceVersion;
  if (sameVersion && !dryRun) return 'unchanged';
  return comparable(before, applied) === comparable(after, applied)
    ? 'unchanged'
    : 'configured';
}
