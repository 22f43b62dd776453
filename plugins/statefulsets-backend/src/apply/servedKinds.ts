/*
 * How the kinds of a manifest set are served by one cluster, read from the
 * API server's discovery (one request per group version): a kind it does not
 * serve (a missing CRD) is named before anything is written.
 */
import { apiBase, resourcePath } from '../cluster/resourcePaths';
import { ApplyClusterClient } from './ApplyClusterClient';
import { ManifestObject } from './types';

/** How a kind is served: its plural resource name and whether it is namespaced. */
export interface ServedKind {
  plural: string;
  namespaced: boolean;
}

/** The path of an object given how its kind is served. */
export function objectPath(
  object: ManifestObject,
  served: ServedKind,
  namespace: string | undefined,
): string {
  return resourcePath({
    apiVersion: object.apiVersion,
    plural: served.plural,
    namespace: served.namespaced ? namespace : undefined,
    name: object.metadata.name,
  });
}

/** Resolves kinds through discovery, one request per group version. */
export async function resolveKinds(
  client: ApplyClusterClient,
  manifests: ManifestObject[],
): Promise<{ served: Map<string, ServedKind>; missing: string[] }> {
  const served = new Map<string, ServedKind>();
  const missing = new Set<string>();
  const groupVersions = [...new Set(manifests.map(m => m.apiVersion))];
  const lists = new Map<string, any>();
  for (const gv of groupVersions) {
    lists.set(gv, await client.get(apiBase(gv)));
  }
  for (const m of manifests) {
    const key = `${m.apiVersion}/${m.kind}`;
    if (served.has(key)) continue;
    const resources: any[] = lists.get(m.apiVersion)?.resources ?? [];
    const hit = resources.find(
      r => r.kind === m.kind && !String(r.name).includes('/'),
    );
    if (hit) {
      served.set(key, {
        plural: hit.name,
        namespaced: Boolean(hit.namespaced),
      });
    } else {
      missing.add(
        m.apiVersion.includes('/')
          ? `${m.kind} (${m.apiVersion})`
          : `${m.kind} (core ${m.apiVersion})`,
      );
    }
  }
  return { served, missing: [...missing] };
}
