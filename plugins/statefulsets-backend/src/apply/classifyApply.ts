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

function comparable(object: any): string {
  const { status: _status, metadata, ...rest } = object ?? {};
  const meta = { ...(metadata ?? {}) };
  for (const key of SERVER_METADATA) delete meta[key];
  return JSON.stringify(sortKeys({ ...rest, metadata: meta }));
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
 * through status writes, so the content (status and server-owned metadata
 * left out) decides whenever the version alone cannot.
 */
export function classifyApply(
  before: any,
  after: any,
  dryRun: boolean,
): ObjectAction {
  if (!before) return 'created';
  const sameVersion =
    before.metadata?.resourceVersion === after?.metadata?.resourceVersion;
  if (sameVersion && !dryRun) return 'unchanged';
  return comparable(before) === comparable(after) ? 'unchanged' : 'configured';
}
