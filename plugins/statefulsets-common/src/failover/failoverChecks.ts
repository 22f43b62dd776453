/*
 * The preconditions of a failover, each with its verdict and the evidence
 * behind it: whether the target can take over, whether the source is where
 * the mode expects it, how far behind the target is, whether the data may
 * live in the target's region, and whether anything else stands in the way
 * (a route, another run, GitOps, ownership). A bad state fails a check; it
 * never throws.
 */
import { ANNOTATION_ALLOWED_REGIONS } from '../annotations';
import { regionAllowed } from '../entityPolicy';
import { EntityTopology, TopologyCluster } from '../types';
import { FailoverSides } from './failoverSides';
import { isFederationMarker } from './gitops';
import { ownershipCheck } from './ownershipCheck';
import { FailoverCheck, FailoverMode, GitOpsMarker } from './types';

/** What the preconditions are judged on. */
export interface FailoverChecksInput {
  topology: EntityTopology;
  mode: FailoverMode;
  sides: FailoverSides;
  /** The run currently holding the entity's lock, if any. */
  runInProgress?: { id: string };
  gitOps: GitOpsMarker[];
  /** Why an emergency failover is forced while the source still answers. */
  reason?: string;
}

function check(
  id: string,
  title: string,
  status: FailoverCheck['status'],
  evidence: string,
): FailoverCheck {
  return { id, title, status, evidence };
}

function allPodsReady(cluster: TopologyCluster): {
  ok: boolean;
  evidence: string;
} {
  if (cluster.workloads.length === 0) {
    return { ok: false, evidence: `no stateful workload in ${cluster.name}` };
  }
  const parts: string[] = [];
  let ok = true;
  for (const w of cluster.workloads) {
    const notReady = w.pods.filter(p => !p.ready).map(p => p.name);
    const full =
      w.replicas.desired > 0 && w.replicas.ready >= w.replicas.desired;
    if (!full || notReady.length > 0) ok = false;
    parts.push(
      `${w.name}: ${w.replicas.ready}/${w.replicas.desired} ready${
        notReady.length ? ` (not ready: ${notReady.join(', ')})` : ''
      }`,
    );
  }
  return { ok, evidence: parts.join('; ') };
}

function targetKnownCheck(input: FailoverChecksInput): FailoverCheck {
  const { targetCluster, target } = input.sides;
  return check(
    'target-known',
    'Target cluster is part of the topology',
    target ? 'pass' : 'fail',
    target
      ? `${targetCluster} is configured`
      : `${targetCluster} is not one of ${input.topology.clusters
          .map(c => c.name)
          .join(', ')}`,
  );
}

function drainChecks(input: FailoverChecksInput): FailoverCheck[] {
  const { topology } = input;
  const { strategy } = topology.policy;
  const { targetCluster } = input.sides;
  const receivers = Object.keys(topology.traffic.weights).filter(
    name =>
      name !== targetCluster &&
      topology.clusters.some(c => c.name === name && c.reachable),
  );
  return [
    check(
      'strategy',
      'Entity runs active-active',
      strategy === 'active-active' ? 'pass' : 'fail',
      `strategy is ${strategy}${
        strategy === 'active-active'
          ? ''
          : ': drain only applies to active-active; use a switchover'
      }`,
    ),
    check(
      'receivers',
      'Other clusters can take the traffic',
      receivers.length > 0 ? 'pass' : 'fail',
      receivers.length > 0
        ? `share goes to ${receivers.join(', ')}`
        : 'no other reachable cluster is in the route',
    ),
  ];
}

function targetChecks(target: TopologyCluster): FailoverCheck[] {
  const reachable = target.reachable && !target.stale;
  const ready = allPodsReady(target);
  return [
    check(
      'target-reachable',
      'Target cluster is reachable',
      reachable ? 'pass' : 'fail',
      reachable
        ? `${target.name} answered${
            target.latencyMs !== undefined ? ` in ${target.latencyMs} ms` : ''
          }`
        : `${target.name}: ${target.error?.message ?? 'stale data'}`,
    ),
    check(
      'target-ready',
      'All target pods are ready',
      ready.ok ? 'pass' : 'fail',
      ready.evidence,
    ),
  ];
}

function distinctSidesCheck(sides: FailoverSides): FailoverCheck {
  const { sourceName, targetCluster, target } = sides;
  let evidence = `${sourceName} → ${targetCluster}`;
  if (!sourceName) evidence = 'no active side found to take over from';
  else if (target?.role === 'active') {
    evidence = `${targetCluster} is already active`;
  }
  return check(
    'distinct-sides',
    'Target is not already the primary side',
    sourceName && sourceName !== targetCluster && target?.role !== 'active'
      ? 'pass'
      : 'fail',
    evidence,
  );
}

function sourceCheck(input: FailoverChecksInput): FailoverCheck {
  const { sourceName, source, sourceReachable } = input.sides;
  const down = `${sourceName ?? 'the source'} is unreachable (${
    source?.error?.message ?? 'no answer'
  })`;
  if (input.mode === 'switchover') {
    return check(
      'source-reachable',
      'Source cluster is reachable',
      sourceReachable ? 'pass' : 'fail',
      sourceReachable
        ? `${sourceName} answered`
        : `${down}: only an emergency failover is offered`,
    );
  }
  // An emergency failover promotes without waiting for the source: with a
  // source that answers it only loses data, unless someone states why the
  // switchover cannot be used.
  const reason = input.reason?.trim();
  let status: FailoverCheck['status'] = 'pass';
  let evidence = down;
  if (sourceReachable) {
    status = reason ? 'warn' : 'fail';
    evidence = reason
      ? `the source ${sourceName} still answers; failover forced with the reason: ${reason}`
      : `the source ${sourceName} still answers: use a switchover (or give a reason to force an emergency failover)`;
  }
  return check(
    'source-reachable',
    'Source cluster is down (emergency failover)',
    status,
    evidence,
  );
}

function lagCheck(input: FailoverChecksInput): FailoverCheck {
  const { mode } = input;
  const { link, sourceName, targetCluster } = input.sides;
  const maxLag = input.topology.policy.maxFailoverLagSeconds;
  const title = 'Replication lag is known and within bounds';
  if (!link) {
    return check(
      'replication-lag',
      title,
      mode === 'switchover' ? 'fail' : 'warn',
      `no replication link from ${sourceName ?? '?'} to ${targetCluster}`,
    );
  }
  if (link.lagSeconds === null) {
    return check(
      'replication-lag',
      title,
      mode === 'switchover' ? 'fail' : 'warn',
      `lag unknown (${link.reason ?? 'not reported'})`,
    );
  }
  if (mode === 'failover') {
    return check(
      'replication-lag',
      title,
      'warn',
      `last lag ${link.lagSeconds}s observed at ${
        link.observedAt ?? '?'
      }: writes in that window may be lost`,
    );
  }
  return check(
    'replication-lag',
    title,
    link.lagSeconds <= maxLag ? 'pass' : 'fail',
    `lag ${link.lagSeconds}s (bound ${maxLag}s) observed at ${
      link.observedAt ?? '?'
    }`,
  );
}

function regionCheck(input: FailoverChecksInput): FailoverCheck {
  const policy = input.topology.policy;
  const region = input.sides.target?.region;
  // A residency rule that could not be read must not read as "no rule".
  const residencyProblems = (policy.problems ?? []).filter(p =>
    p.startsWith(`annotation ${ANNOTATION_ALLOWED_REGIONS} `),
  );
  const unreadable = residencyProblems.length ? residencyProblems : undefined;
  const regionOk =
    !unreadable &&
    (policy.allowedRegions.length === 0 ||
      (region !== undefined && regionAllowed(region, policy.allowedRegions)));
  let evidence = 'no residency rule';
  if (unreadable) evidence = unreadable.join('; ');
  else if (policy.allowedRegions.length > 0)
    evidence = `region ${region ?? 'unknown'} vs ${policy.allowedRegions.join(
      ', ',
    )}`;
  return check(
    'allowed-regions',
    'Target region is allowed to hold the data',
    regionOk ? 'pass' : 'fail',
    evidence,
  );
}

/** The checks of a switchover or emergency failover: the roles flip. */
function promotionChecks(input: FailoverChecksInput): FailoverCheck[] {
  const { target } = input.sides;
  return [
    ...(target ? targetChecks(target) : []),
    distinctSidesCheck(input.sides),
    sourceCheck(input),
    lagCheck(input),
    regionCheck(input),
  ];
}

function routeCheck(input: FailoverChecksInput): FailoverCheck {
  const { routing, object } = input.topology.traffic;
  let status: FailoverCheck['status'] = 'pass';
  // Draining is nothing but a route change; elsewhere roles still flip.
  if (routing === 'none') status = input.mode === 'drain' ? 'fail' : 'warn';
  let evidence = 'no route found: clients must be redirected by hand';
  if (routing === 'istio') {
    evidence = `VirtualService ${object ?? ''}`.trim();
  } else if (routing === 'mcs') evidence = 'MCS ServiceExport';
  return check('traffic-route', 'A traffic route exists', status, evidence);
}

function runCheck(input: FailoverChecksInput): FailoverCheck {
  return check(
    'no-run-in-progress',
    'No other failover runs for this entity',
    input.runInProgress ? 'fail' : 'pass',
    input.runInProgress
      ? `run ${input.runInProgress.id} is in progress`
      : 'no run in progress',
  );
}

function gitOpsCheck(gitOps: GitOpsMarker[]): FailoverCheck {
  return check(
    'gitops',
    'Changed objects are not managed by GitOps or federation',
    gitOps.length > 0 ? 'warn' : 'pass',
    gitOps.length > 0
      ? gitOps
          .map(m => `${m.cluster}: ${m.object} (${m.tool}, ${m.key})`)
          .join('; ')
      : 'no Argo CD, Flux, KubeFed or Karmada markers',
  );
}

/** Every precondition of a plan, in the order shown, with the warnings they raise. */
export function failoverChecks(input: FailoverChecksInput): {
  checks: FailoverCheck[];
  warnings: string[];
} {
  const { topology, mode, sides, gitOps } = input;
  const warnings: string[] = [];
  const checks = [
    targetKnownCheck(input),
    ...(mode === 'drain' ? drainChecks(input) : promotionChecks(input)),
    routeCheck(input),
  ];
  if (topology.traffic.routing === 'none' && mode !== 'drain') {
    warnings.push(
      'No traffic route is known: only the roles flip, clients must be redirected to the new primary by hand.',
    );
  }
  checks.push(runCheck(input), gitOpsCheck(gitOps));
  if (gitOps.some(m => !isFederationMarker(m))) {
    warnings.push(
      'Some objects are managed by GitOps: the controller reverts this change at its next sync unless the source repository is updated.',
    );
  }
  if (gitOps.some(isFederationMarker)) {
    warnings.push(
      "Some objects are propagated by a federation control plane (KubeFed or Karmada): it puts back the template's role annotations and replicas after this run unless the federated template or its per-cluster overrides are updated. The engine's own state is not propagated and stays as the run leaves it.",
    );
  }
  checks.push(
    ownershipCheck({ topology, mode, clusters: [sides.source, sides.target] }),
  );
  return { checks, warnings };
}
