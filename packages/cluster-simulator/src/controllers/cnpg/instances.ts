// The instances of a CloudNativePG Cluster: one pod and one data claim per
// instance `<name>-1..N` (no StatefulSet), and none for instances the spec
// no longer has.
import { API_VERSION, type Role } from './clusterResource';
import { ensureClaim, type Placement } from './instanceClaims';
import { ensurePod } from './instancePods';
import { placeOrdinal } from '../instancePlacement';
import type { ClusterApi, KubeObject } from '../types';

/**
 * Converges a Cluster's instances to the spec, given the side's role, the
 * primary instance and the fenced ones. Returns the instances that run
 * Ready (the unfenced ones).
 */
export function ensureInstances(
  api: ClusterApi,
  cluster: KubeObject,
  p: {
    instances: string[];
    fenced: Set<string>;
    role: Role;
    primaryPod: string;
    image: string;
    now: number;
  },
): string[] {
  const { instances, fenced, role, primaryPod, image, now } = p;
  const name = cluster.metadata.name;
  const namespace = cluster.metadata.namespace ?? 'default';
  const spec = cluster.spec ?? {};
  const owner = {
    apiVersion: API_VERSION,
    kind: 'Cluster',
    name,
    uid: cluster.metadata.uid ?? '',
    controller: true,
  };
  const inherited = spec.inheritedMetadata ?? {};
  const readyPods: string[] = [];

  const nodes = api.list('v1', 'Node');
  instances.forEach((pod, i) => {
    const podRole: Role =
      role === 'primary' && pod === primaryPod ? 'primary' : 'replica';
    const ready = !fenced.has(pod);
    if (ready) {
      readyPods.push(pod);
    }
    const placement = placeInstance(api, nodes, i + 1);
    ensureClaim(api, {
      namespace,
      cluster: name,
      pod,
      index: i + 1,
      spec,
      inherited,
      owner,
      placement,
    });
    ensurePod(api, {
      placement,
      namespace,
      cluster: name,
      pod,
      index: i + 1,
      role: podRole,
      ready,
      image,
      resources: spec.resources,
      inherited,
      owner,
      now,
    });
  });
  removeExtraInstances(api, namespace, name, instances);
  return readyPods;
}

/** Instance `index` (1-based) is placed like the StatefulSet pod of ordinal `index - 1`. */
function placeInstance(
  api: ClusterApi,
  nodes: KubeObject[],
  index: number,
): Placement {
  const { zone, node } = placeOrdinal(api.zones, nodes, index - 1);
  return { zone, node: node?.metadata.name };
}

function removeExtraInstances(
  api: ClusterApi,
  namespace: string,
  cluster: string,
  instances: string[],
): void {
  const wanted = new Set(instances);
  for (const kind of ['Pod', 'PersistentVolumeClaim']) {
    for (const o of api.list('v1', kind, namespace)) {
      if (
        o.metadata.labels?.['cnpg.io/cluster'] === cluster &&
        !wanted.has(o.metadata.name)
      ) {
        api.delete('v1', kind, namespace, o.metadata.name);
        const volume = o.spec?.volumeName;
        // Reclaim policy Delete: the provisioned volume goes with its claim.
        if (kind === 'PersistentVolumeClaim' && volume) {
          if (api.get('v1', 'PersistentVolume', undefined, volume)) {
            api.delete('v1', 'PersistentVolume', undefined, volume);
          }
        }
      }
    }
  }
}
