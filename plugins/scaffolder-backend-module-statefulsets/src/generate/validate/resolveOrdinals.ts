/*
 * Pod ordinals across clusters: every cluster's StatefulSet starts its
 * ordinals where no other cluster's range lies, so pod names and the server
 * ids derived from them are unique across the whole database.
 */
import { ClusterPlacement } from '../types';
import { fail } from './fail';

function ordinalRange(c: { ordinalsStart: number; replicas: number }) {
  return `${c.ordinalsStart}-${c.ordinalsStart + c.replicas - 1}`;
}

/** Fills in the missing ordinal starts and fails on ranges that overlap. */
export function resolveOrdinals(
  clusters: ClusterPlacement[],
): Array<ClusterPlacement & { ordinalsStart: number }> {
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
