/*
 * Pod ordinals across clusters: every cluster's StatefulSet starts its
 * ordinals where no other cluster's range lies, so pod names and the server
 * ids derived from them are unique across the whole database; except on a
 * shared volume, where the same pod name in every cluster is what ties a
 * pod to its data.
 */
import { ClusterPlacement } from '../types';
import { fail } from './fail';

function ordinalRange(c: { ordinalsStart: number; replicas: number }) {
  return `${c.ordinalsStart}-${c.ordinalsStart + c.replicas - 1}`;
}

/**
 * On a shared volume a pod's directory is named after the pod, and the pod
 * of the same name in another cluster is the one that takes over its data:
 * every cluster starts at the same ordinal (explicit starts must agree).
 */
function sharedOrdinals(
  clusters: ClusterPlacement[],
): Array<ClusterPlacement & { ordinalsStart: number }> {
  const starts = clusters.map(c => c.ordinalsStart);
  const explicit = [...new Set(starts.filter(s => s !== undefined))];
  if (explicit.length > 1) {
    const i = starts.findIndex(s => s !== undefined && s !== explicit[0]);
    fail(
      `clusters[${i}].ordinalsStart`,
      `on a shared volume every cluster runs the same pods, each in its own directory, but ordinals start at ${explicit.join(
        ' and ',
      )}`,
      `give every cluster ordinalsStart ${explicit[0]}, or leave it empty`,
    );
  }
  return clusters.map(c => ({ ...c, ordinalsStart: explicit[0] ?? 0 }));
}

/**
 * Fills in the missing ordinal starts and fails on ranges that overlap;
 * on a shared volume every cluster gets the same range instead.
 */
export function resolveOrdinals(
  clusters: ClusterPlacement[],
  sharedVolume = false,
): Array<ClusterPlacement & { ordinalsStart: number }> {
  if (sharedVolume) return sharedOrdinals(clusters);
  // Explicit starts are kept; the others continue after the highest ordinal
  // assigned so far, so pod names never collide across clusters.
  let next = 0;
  for (const c of clusters) {
    if (c.ordinalsStart !== undefined) {
      next = Math.max(next, c.ordinalsStart + c.replicas);
    }
  }
  const resolved = clusters.map(c => {
    if (c.ordinalsStart !== undefined) {
      return { ...c, ordinalsStart: c.ordinalsStart };
    }
    const start = next;
    next += c.replicas;
    return { ...c, ordinalsStart: start };
  });
  resolved.forEach((a, i) => {
    resolved.slice(0, i).forEach(b => {
      const overlap =
        a.ordinalsStart < b.ordinalsStart + b.replicas &&
        b.ordinalsStart < a.ordinalsStart + a.replicas;
      if (overlap) {
        fail(
          `clusters[${i}].ordinalsStart`,
          `ordinals ${ordinalRange(a)} of ${
            a.name
          } overlap ordinals ${ordinalRange(b)} of ${b.name}`,
          `start at ${Math.max(
            ...resolved
              .filter(r => r !== a)
              .map(r => r.ordinalsStart + r.replicas),
          )} or later, or leave ordinalsStart empty to have it assigned`,
        );
      }
    });
  });
  return resolved;
}
