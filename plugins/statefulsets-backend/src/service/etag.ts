/*
 * ETags of topologies: a digest of everything a viewer sees, minus the
 * fields that change without anything having changed (build time, latency).
 */
import { createHash } from 'node:crypto';
import { EntityTopology } from '@multicluster/backstage-plugin-statefulsets-common';

/** The strong ETag of a topology. */
export function topologyEtag(topology: EntityTopology): string {
  const stable = {
    ...topology,
    generatedAt: undefined,
    clusters: topology.clusters.map(c => ({ ...c, latencyMs: undefined })),
  };
  return `"${createHash('sha256')
    .update(JSON.stringify(stable))
    .digest('base64url')
    .slice(0, 27)}"`;
}

/** True when an If-None-Match header matches the ETag. */
export function etagMatches(
  ifNoneMatch: string | undefined,
  etag: string,
): boolean {
  if (!ifNoneMatch) return false;
  return ifNoneMatch
    .split(',')
    .map(t => t.trim().replace(/^W\//, ''))
    .some(t => t === '*' || t === etag);
}
