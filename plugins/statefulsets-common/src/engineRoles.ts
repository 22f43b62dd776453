/*
 * Roles as the engine reports them (through its exporter), over the roles
 * the annotations, chart labels or operator resources declare: the engine
 * knows who takes writes, the declarations are only the fallback for
 * databases whose engine reports nothing. A side is active when its first
 * pod is the engine's primary and passive when that pod is a replica; a
 * fenced side stays fenced (fencing is the product's own state, not the
 * engine's). Where the engine and the declaration disagree, the engine
 * wins and the declared role is kept next to it.
 */
import { PodRole, RoleSource, TopologyWorkload } from './types';

/** The pod roles one engine reported for one workload in one cluster. */
export interface EngineRoleReading {
  cluster: string;
  namespace: string;
  workload: string;
  /** The exporter the roles were read from. */
  source: RoleSource;
  /** Pod name → role, for the pods with a fresh reading. */
  pods: Record<string, PodRole>;
}

function readingOf(
  cluster: string,
  workload: TopologyWorkload,
  readings: readonly EngineRoleReading[],
): EngineRoleReading | undefined {
  return readings.find(
    r =>
      r.cluster === cluster &&
      r.namespace === workload.namespace &&
      r.workload === workload.name,
  );
}

function firstPodRole(
  workload: TopologyWorkload,
  reading: EngineRoleReading,
): PodRole | undefined {
  return reading.pods[`${workload.name}-${workload.ordinalsStart}`];
}

/** A cluster's workloads with the roles its engines reported. */
export function applyEngineRoles(
  cluster: string,
  workloads: TopologyWorkload[],
  readings: readonly EngineRoleReading[],
): TopologyWorkload[] {
  return workloads.map(w => {
    const reading = readingOf(cluster, w, readings);
    if (!reading) return w;
    const pods = w.pods.map(p => ({
      ...p,
      role: reading.pods[p.name] ?? p.role,
    }));
    const first = firstPodRole(w, reading);
    if (w.role === 'fenced' || (first !== 'primary' && first !== 'replica')) {
      return { ...w, pods };
    }
    const role = first === 'primary' ? 'active' : 'passive';
    const declared =
      w.role !== role && w.role !== 'unknown' ? { declaredRole: w.role } : {};
    return { ...w, role, roleSource: reading.source, pods, ...declared };
  });
}
