/*
 * Names shared by the discovery of databases the portal did not create: the
 * backend that finds them, the catalog provider that registers them and the
 * page that lists those not in the catalog yet.
 */

/** Location type of entities registered by discovery (`<type>:<candidate id>`). */
export const DISCOVERY_LOCATION_TYPE = 'multicluster-statefulsets-discovery';

/** Resource label (or annotation) read for a discovered database's owner by default. */
export const DEFAULT_DISCOVERY_OWNER_LABEL = 'backstage.io/owner';

/** How a candidate's objects were grouped across clusters. */
export type DiscoveryGrouping = 'kubernetes-id' | 'helm-release' | 'operator';

/** The `managed-by-location` of the entity of a candidate, from its id. */
export function discoveryLocationOf(candidateId: string): string {
  return `${DISCOVERY_LOCATION_TYPE}:${candidateId}`;
}

/** Whether an entity was registered by discovery (its location says so). */
export function isDiscoveredEntity(entity: {
  metadata: { annotations?: Record<string, string> };
}): boolean {
  const location =
    entity.metadata.annotations?.['backstage.io/managed-by-location'] ?? '';
  return location.startsWith(`${DISCOVERY_LOCATION_TYPE}:`);
}
