// The same Cluster in the other Kubernetes clusters of the world: the other
// sides of a replica topology, read to follow a source and to find the
// holder of a demotion token.
import { API_VERSION, FENCED } from './clusterResource';
import type { ClusterApi, ControllerContext, KubeObject } from '../types';

/** Whether a Cluster's reported instances include a primary. */
export function reportsPrimary(status: any): boolean {
  return Object.values(status?.instancesReportedState ?? {}).some(
    (s: any) => s?.isPrimary === true,
  );
}

function tryGet(
  api: ClusterApi,
  namespace: string,
  name: string,
): KubeObject | undefined {
  try {
    return api.get(API_VERSION, 'Cluster', namespace, name);
  } catch {
    // The CRD may not be installed in that cluster.
    return undefined;
  }
}

/** The same Cluster (namespace/name) in the other clusters of the world. */
export function peers(ctx: ControllerContext, namespace: string, name: string) {
  const result: Array<{ cluster: string; object: KubeObject }> = [];
  for (const [clusterName, api] of ctx.clusters) {
    if (clusterName === ctx.cluster.name) {
      continue;
    }
    const object = tryGet(api, namespace, name);
    if (object) {
      result.push({ cluster: clusterName, object });
    }
  }
  return result;
}

/**
 * Whether the source side still takes writes (reports a primary, not fully
 * fenced); a source outside this world is assumed to.
 */
export function sourceTakesWrites(
  ctx: ControllerContext,
  namespace: string,
  name: string,
  source: string,
): boolean {
  const sourcePeer = peers(ctx, namespace, name).find(
    p => p.cluster === source,
  );
  return sourcePeer
    ? reportsPrimary(sourcePeer.object.status) &&
        !(sourcePeer.object.metadata.annotations?.[FENCED] ?? '').includes('*')
    : true;
}
