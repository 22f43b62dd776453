/*
 * The rule for "is this database ready for a disaster": one pure function
 * returning a verdict with named checks and the evidence behind each.
 * Any failed check makes the entity not ready; any warning makes it degraded.
 */
import { regionAllowed } from './entityPolicy';
import { isBrokenLink } from './replication';
import {
  DriftEntry,
  DrReadiness,
  EntityPolicy,
  FederationPlacement,
  ReadinessCheck,
  ReplicationLink,
  TopologyCluster,
  TrafficSplit,
} from './types';
import { versionSkewCheck } from './versionSkew';

/** Everything readiness is judged on. */
export interface ReadinessInput {
  policy: EntityPolicy;
  clusters: TopologyCluster[];
  replication: ReplicationLink[];
  traffic: TrafficSplit;
  federation: FederationPlacement[];
  drift: DriftEntry[];
}

function check(
  id: string,
  title: string,
  status: ReadinessCheck['status'],
  evidence: string,
): ReadinessCheck {
  return { id, title, status, evidence };
}

function listOr(items: string[], none = 'none'): string {
  return items.length ? items.join(', ') : none;
}

/** Judges DR readiness of an entity's topology. */
export function evaluateReadiness(input: ReadinessInput): DrReadiness {
  const { policy, clusters, replication, traffic, federation, drift } = input;
  const checks: ReadinessCheck[] = [];
  const running = clusters.filter(c => c.workloads.length > 0);
  const unreachable = clusters.filter(c => c.error);

  checks.push(
    check(
      'multi-cluster',
      'Runs in at least two clusters',
      running.length >= 2 ? 'pass' : 'fail',
      `running in ${running.length} cluster(s): ${listOr(
        running.map(c => c.name),
      )}`,
    ),
  );

  checks.push(
    check(
      'clusters-reachable',
      'All clusters answer',
      unreachable.length === 0 ? 'pass' : 'warn',
      unreachable.length === 0
        ? `${clusters.length} cluster(s) answered`
        : unreachable
            .map(c => `${c.name}: ${c.error!.reason} (${c.error!.message})`)
            .join('; '),
    ),
  );

  if (policy.strategy === 'active-passive') {
    const inSync = replication.filter(
      l =>
        l.lagSeconds !== null && l.lagSeconds <= policy.maxFailoverLagSeconds,
    );
    // A broken link replicates nothing: it fails, unlike a lag not measured.
    const unknown = replication.filter(
      l => l.lagSeconds === null && !isBrokenLink(l),
    );
    let status: ReadinessCheck['status'] = 'fail';
    if (inSync.length > 0) status = 'pass';
    else if (unknown.length > 0) status = 'warn';
    const describe = (l: ReplicationLink) =>
      `${l.from} → ${l.to} (${l.workload}): ${
        l.lagSeconds === null
          ? `lag unknown${l.reason ? `, ${l.reason}` : ''}`
          : `${l.lagSeconds}s`
      }`;
    checks.push(
      check(
        'passive-in-sync',
        `A passive side is within ${policy.maxFailoverLagSeconds}s of the active`,
        status,
        replication.length
          ? replication.map(describe).join('; ')
          : 'no replication link reported',
      ),
    );
  } else {
    const unhealthy = replication.filter(l => !l.healthy);
    // Sides that mount one shared filesystem need no replication between them.
    const sharedEverywhere =
      running.length >= 2 &&
      running.every(c =>
        c.workloads.some(w => w.volumes.some(v => v.sharedWith.length > 0)),
      );
    let status: ReadinessCheck['status'] = 'warn';
    let evidence = 'no replication link reported';
    if (replication.length > 0) {
      if (unhealthy.length > 0) {
        status = unhealthy.some(isBrokenLink) ? 'fail' : 'warn';
      } else status = 'pass';
      evidence = `${replication.length - unhealthy.length}/${
        replication.length
      } link(s) healthy`;
    } else if (sharedEverywhere) {
      status = 'pass';
      evidence = `data on shared storage mounted by ${running
        .map(c => c.name)
        .join(', ')}`;
    }
    checks.push(
      check(
        'replication-healthy',
        'Every replication link is healthy',
        status,
        evidence,
      ),
    );
  }

  const routed = Object.entries(traffic.weights).filter(([, w]) => w > 0);
  checks.push(
    check(
      'traffic-route',
      'A traffic route reaches a running cluster',
      traffic.routing !== 'none' && routed.length > 0 ? 'pass' : 'fail',
      traffic.routing === 'none'
        ? `no route found${
            traffic.warnings.length ? `: ${traffic.warnings.join('; ')}` : ''
          }`
        : `${traffic.routing} ${traffic.object ?? ''} weights ${listOr(
            routed.map(([c, w]) => `${c}=${w}`),
          )}`.replace(/\s+/g, ' '),
    ),
  );

  const pods = running.flatMap(c =>
    c.workloads.flatMap(w => w.pods.map(p => ({ cluster: c.name, pod: p }))),
  );
  const notReady = pods.filter(p => !p.pod.ready);
  const missing = running.flatMap(c =>
    c.workloads
      .filter(w => w.replicas.ready < w.replicas.desired)
      .map(
        w => `${c.name}/${w.name} ${w.replicas.ready}/${w.replicas.desired}`,
      ),
  );
  checks.push(
    check(
      'pods-ready',
      'All pods are ready',
      notReady.length === 0 && missing.length === 0 ? 'pass' : 'warn',
      notReady.length === 0 && missing.length === 0
        ? `${pods.length} pod(s) ready`
        : `not ready: ${listOr([
            ...notReady.map(p => `${p.cluster}/${p.pod.name}`),
            ...missing,
          ])}`,
    ),
  );

  const unbound = running.flatMap(c =>
    c.workloads.flatMap(w =>
      w.volumes.filter(v => !v.bound).map(v => `${c.name}/${v.claimName}`),
    ),
  );
  checks.push(
    check(
      'claims-bound',
      'All claims are bound',
      unbound.length === 0 ? 'pass' : 'warn',
      unbound.length === 0
        ? 'every claim is bound'
        : `unbound: ${unbound.join(', ')}`,
    ),
  );

  const criticalDrift = drift.filter(d => /^(image|storage)/.test(d.field));
  checks.push(
    check(
      'no-critical-drift',
      'No image or storage drift',
      criticalDrift.length === 0 ? 'pass' : 'warn',
      criticalDrift.length === 0
        ? 'images and storage match across clusters'
        : criticalDrift
            .map(
              d =>
                `${d.workload} ${d.field}: ${Object.entries(d.values)
                  .map(([c, v]) => `${c}=${v ?? '∅'}`)
                  .join(' ')}`,
            )
            .join('; '),
    ),
  );

  const mismatches: string[] = [];
  for (const placement of federation) {
    const actual = running
      .filter(c => c.workloads.some(w => w.name === placement.workload))
      .map(c => c.name)
      .sort();
    const knownClusters = new Set(
      clusters.filter(c => !c.error).map(c => c.name),
    );
    const expected = placement.clusters.filter(c => knownClusters.has(c));
    const absent = expected.filter(c => !actual.includes(c));
    const extra = actual.filter(c => !placement.clusters.includes(c));
    if (absent.length || extra.length) {
      mismatches.push(
        `${placement.kind} ${placement.workload} on ${
          placement.hostCluster
        }: placed ${listOr(placement.clusters)}, runs ${listOr(actual)}`,
      );
    }
  }
  let placementEvidence = `${federation.length} placement(s) match`;
  if (federation.length === 0)
    placementEvidence = 'no federation placement declared';
  else if (mismatches.length) placementEvidence = mismatches.join('; ');
  checks.push(
    check(
      'federation-placement',
      'Federation placement matches what runs',
      mismatches.length === 0 ? 'pass' : 'warn',
      placementEvidence,
    ),
  );

  if (policy.allowedRegions.length > 0) {
    const outside = running.filter(
      c => c.region && !regionAllowed(c.region, policy.allowedRegions),
    );
    const unknownRegion = running.filter(c => !c.region);
    let status: ReadinessCheck['status'] = 'pass';
    let evidence = `all replicas in ${listOr(
      running.map(c => `${c.name} (${c.region})`),
    )}`;
    if (outside.length) {
      status = 'fail';
      evidence = `replicas outside the allowed regions: ${outside
        .map(c => `${c.name} (${c.region})`)
        .join(', ')}`;
    } else if (unknownRegion.length) {
      status = 'warn';
      evidence = `region unknown for ${unknownRegion
        .map(c => c.name)
        .join(', ')}`;
    }
    checks.push(
      check(
        'data-residency',
        `Data stays in ${policy.allowedRegions.join(', ')}`,
        status,
        evidence,
      ),
    );
  }

  const versions = versionSkewCheck(clusters);
  if (versions) checks.push(versions);

  // An annotation too long to read leaves its rule unevaluated (a residency
  // rule included), so the entity cannot count as ready until it is fixed.
  if (policy.problems?.length) {
    checks.push(
      check(
        'entity-annotations',
        'Entity annotations are readable',
        'fail',
        policy.problems.join('; '),
      ),
    );
  }

  let verdict: DrReadiness['verdict'] = 'ready';
  if (checks.some(c => c.status === 'fail')) verdict = 'not-ready';
  else if (checks.some(c => c.status === 'warn')) verdict = 'degraded';
  return { verdict, checks };
}
