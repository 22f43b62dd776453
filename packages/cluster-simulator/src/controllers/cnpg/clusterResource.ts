// The parts of a postgresql.cnpg.io/v1 Cluster that every part of the
// operator reads: its API version, its replica spec, its conditions and the
// fencing annotation.
import { isoSeconds } from '../../api/timestamp';

/** The API version of the Cluster resource. */
export const API_VERSION = 'postgresql.cnpg.io/v1';
/** The annotation listing fenced instances (a JSON array, `"*"` for all). */
export const FENCED = 'cnpg.io/fencedInstances';

/** Which side of a replica topology a Cluster currently plays. */
export type Role = 'primary' | 'replica';

/** `spec.replica`: where this side stands in a replica topology. */
export interface ReplicaSpec {
  enabled?: boolean;
  self?: string;
  primary?: string;
  source?: string;
  promotionToken?: string;
}

/** A status condition as CloudNativePG writes it. */
export interface Condition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  reason: string;
  message: string;
  lastTransitionTime: string;
  observedGeneration?: number;
}

/** The instances named by the fencing annotation; none when it is unreadable. */
export function parseFenced(
  value: string | undefined,
  instances: string[],
): Set<string> {
  if (!value) {
    return new Set();
  }
  try {
    const list = JSON.parse(value);
    if (!Array.isArray(list)) {
      return new Set();
    }
    return new Set(list.includes('*') ? instances : list.map(String));
  } catch {
    return new Set();
  }
}

/** Sets one condition, keeping its transition time while its status holds. */
export function setCondition(
  conditions: Condition[],
  next: Omit<Condition, 'lastTransitionTime'>,
  now: number,
): Condition[] {
  const old = conditions.find(c => c.type === next.type);
  const lastTransitionTime =
    old && old.status === next.status
      ? old.lastTransitionTime
      : isoSeconds(now);
  return [
    ...conditions.filter(c => c.type !== next.type),
    { ...next, lastTransitionTime },
  ];
}
