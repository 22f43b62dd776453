/*
 * The API paths of resources, for every edge (informers, failover writes,
 * manifest applies). The plural always comes from a served resource list or
 * the kinds table, never from guessing at English (`ingresses`, not
 * `ingresss`).
 */

/** The base path of an apiVersion: `/api/v1` for the core group, `/apis/<group>/<version>` otherwise. */
export function apiBase(apiVersion: string): string {
  return apiVersion.includes('/')
    ? `/apis/${apiVersion}`
    : `/api/${apiVersion}`;
}

/** Where a resource lives: a collection (no name) or one object. */
export interface ResourceLocation {
  apiVersion: string;
  plural: string;
  /** Absent for cluster-scoped resources and for collections across all namespaces. */
  namespace?: string;
  name?: string;
}

/** The path of a collection or of one object. */
export function resourcePath(at: ResourceLocation): string {
  const ns =
    at.namespace !== undefined
      ? `/namespaces/${encodeURIComponent(at.namespace)}`
      : '';
  const name = at.name !== undefined ? `/${encodeURIComponent(at.name)}` : '';
  return `${apiBase(at.apiVersion)}${ns}/${at.plural}${name}`;
}
