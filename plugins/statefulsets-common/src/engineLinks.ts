/*
 * Replication links as the engine's roles imply them. A provider reads
 * who replicates from whom from declarations (the replication-source
 * annotation, a ConfigMap) that a switchover may leave behind, or that a
 * federation control plane puts back; a replica set spanning sites
 * declares none at all. Where the engine reports exactly one side holding
 * the primary of a workload, every other side it reports replicates from
 * that one: a declared link that says otherwise is stale and gives way, a
 * missing one is added with its lag unknown (a lag source then measures
 * it), and the primary's side replicates from nobody.
 */
import { EngineRoleReading } from './engineRoles';
import { ReplicationLink } from './types';

/** The side holding a workload's primary, and the sides replicating from it. */
interface EngineSides {
  primary: string;
  replicas: string[];
  source: string;
}

/** Per workload name: the sides as the engine reports them, when it names one primary side. */
function engineSides(
  readings: readonly EngineRoleReading[],
): Map<string, EngineSides> {
  const byWorkload = new Map<string, EngineRoleReading[]>();
  for (const r of readings) {
    byWorkload.set(r.workload, [...(byWorkload.get(r.workload) ?? []), r]);
  }
  const sides = new Map<string, EngineSides>();
  for (const [workload, rs] of byWorkload) {
    const roles = (r: EngineRoleReading) => Object.values(r.pods);
    const primaries = rs.filter(r => roles(r).includes('primary'));
    const replicas = rs.filter(
      r => roles(r).length > 0 && roles(r).every(p => p === 'replica'),
    );
    if (primaries.length !== 1 || replicas.length === 0) continue;
    sides.set(workload, {
      primary: primaries[0].cluster,
      replicas: replicas.map(r => r.cluster),
      source: primaries[0].source,
    });
  }
  return sides;
}

/** The links with the direction the engine reports, for the workloads it reports on. */
export function linksFollowingEngine(
  links: readonly ReplicationLink[],
  readings: readonly EngineRoleReading[],
): ReplicationLink[] {
  const sides = engineSides(readings);
  if (sides.size === 0) return [...links];
  const kept = links.filter(l => {
    const s = sides.get(l.workload);
    // Into the primary's side, or into a replica from elsewhere: stale.
    return (
      !s ||
      (l.to !== s.primary &&
        (!s.replicas.includes(l.to) || l.from === s.primary))
    );
  });
  const added: ReplicationLink[] = [];
  for (const [workload, s] of sides) {
    for (const replica of s.replicas) {
      if (kept.some(l => l.workload === workload && l.to === replica)) {
        continue;
      }
      const declared = links.find(
        l => l.workload === workload && l.to === replica,
      );
      added.push({
        from: s.primary,
        to: replica,
        workload,
        lagSeconds: null,
        healthy: false,
        provider: declared?.provider ?? s.source,
        reason: declared
          ? `lag unknown: the engine reports ${replica} replicating from ${s.primary}, not from ${declared.from} as declared`
          : `lag unknown: the engine reports ${replica} replicating from ${s.primary}; no lag was read for it`,
      });
    }
  }
  return [...kept, ...added];
}
