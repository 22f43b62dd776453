// Listing a kind in a cluster that may not serve it, as control planes do
// across members whose CRDs differ.
import type { ClusterApi, KubeObject } from '../types';

/** Objects of a kind in a cluster; none where the kind is not served. */
export function safeList(
  api: ClusterApi,
  apiVersion: string,
  kind: string,
  namespace?: string,
): KubeObject[] {
  try {
    return api.list(apiVersion, kind, namespace);
  } catch {
    // The kind is not served there (CRD missing): nothing to see.
    return [];
  }
}
