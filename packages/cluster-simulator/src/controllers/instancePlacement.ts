// Where the n-th instance of a workload runs and where its volume may be
// used: the scheduler and the volume provisioner as the simulator plays them
// for StatefulSet pods and CloudNativePG instances alike.
import type { KubeObject } from './types';

/**
 * Zones round-robin, then the nodes of that zone in turn, so instances
 * spread the way a topology spread constraint would spread them. Falls back
 * to every node when none carries the zone's label.
 */
export function placeOrdinal(
  zones: string[],
  nodes: readonly KubeObject[],
  n: number,
): { zone?: string; node?: KubeObject } {
  const zone = zones.length > 0 ? zones[n % zones.length] : undefined;
  const inZone = nodes.filter(
    node => node.metadata.labels?.['topology.kubernetes.io/zone'] === zone,
  );
  const pool = inZone.length > 0 ? inZone : nodes;
  const node =
    pool.length > 0
      ? pool[Math.floor(n / Math.max(1, zones.length)) % pool.length]
      : undefined;
  return { zone, node };
}

/**
 * The node affinity pinning a provisioned volume to its zone (nothing in a
 * cluster without zones), to spread into a PersistentVolume's spec.
 */
export function zoneNodeAffinity(zone: string | undefined): {
  nodeAffinity?: unknown;
} {
  return zone
    ? {
        nodeAffinity: {
          required: {
            nodeSelectorTerms: [
              {
                matchExpressions: [
                  {
                    key: 'topology.kubernetes.io/zone',
                    operator: 'In',
                    values: [zone],
                  },
                ],
              },
            ],
          },
        },
      }
    : {};
}
