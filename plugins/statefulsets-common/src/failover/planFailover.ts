/*
 * The failover planner: from an entity's topology, the chosen target and
 * mode, decides whether the run may start (every precondition with its
 * evidence), which steps it takes in which cluster, and how much data it may
 * lose. Pure: the clock, the run lock and the GitOps markers come in as
 * inputs, so the backend, the UI and the tests get the same answer.
 */
import {
  ANNOTATION_ALLOWED_REGIONS,
  DEFAULT_FENCE_BUDGET_SECONDS,
} from '../annotations';
import { regionAllowed } from '../entityPolicy';
import {
  EntityTopology,
  ReplicationLink,
  TopologyCluster,
  TopologyWorkload,
} from '../types';
import {
  FailoverCheck,
  FailoverMode,
  FailoverPlan,
  FailoverStepKind,
  GitOpsMarker,
  PlannedStep,
} from './types';
import { ownershipCheck } from './ownershipCheck';

/** Inputs of `planFailover`. */
export interface PlanFailoverInput {
  topology: EntityTopology;
  targetCluster: string;
  mode: FailoverMode;
  /** Milliseconds since the epoch. */
  now: number;
  /** The run currently holding the entity's lock, if any. */
  runInProgress?: { id: string } | undefined;
  /** GitOps markers found on the live objects the run would change. */
  gitOps?: GitOpsMarker[];
  /**
   * Why an emergency failover is forced while the source still answers;
   * without one such a failover is refused (a switchover loses no data).
   */
  reason?: string;
}

/** The workload a failover acts on in a cluster (the first stateful workload). */
export function failoverWorkloadOf(
  cluster: TopologyCluster | undefined,
): TopologyWorkload | undefined {
  return cluster?.workloads[0];
}

/** The side that currently holds the primary role, other than the target. */
export function findFailoverSource(
  topology: EntityTopology,
  targetCluster: string,
): string | undefined {
  const active = topology.clusters.find(
    c => c.role === 'active' && c.name !== targetCluster,
  );
  if (active) return active.name;
  // An unreachable source reports no role; the target's replication link still names it.
  return topology.replication.find(
    l => l.to === targetCluster && l.from !== targetCluster,
  )?.from;
}

function describeWorkload(w: TopologyWorkload | undefined): string {
  return w ? `${w.kind} ${w.namespace}/${w.name}` : 'the workload';
}

function isCnpg(w: TopologyWorkload | undefined): boolean {
  return w?.kind === 'Cluster';
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

function sidesEvidence(
  sourceName: string | undefined,
  targetCluster: string,
  target: TopologyCluster | undefined,
): string {
  if (!sourceName) return 'no active side found to take over from';
  if (target?.role === 'active') return `${targetCluster} is already active`;
  return `${sourceName} → ${targetCluster}`;
}

function routeStatus(
  method: FailoverPlan['trafficMethod'],
  mode: FailoverMode,
): FailoverCheck['status'] {
  if (method !== 'none') return 'pass';
  // Draining is nothing but a route change; elsewhere roles still flip.
  return mode === 'drain' ? 'fail' : 'warn';
}

function routeEvidence(
  method: FailoverPlan['trafficMethod'],
  object: string | undefined,
): string {
  if (method === 'virtualservice') {
    return `VirtualService ${object ?? ''}`.trim();
  }
  if (method === 'serviceexport') return 'MCS ServiceExport';
  return 'no route found: clients must be redirected by hand';
}

function check(
  id: string,
  title: string,
  status: FailoverCheck['status'],
  evidence: string,
): FailoverCheck {
  return { id, title, status, evidence };
}

function lagCheck(
  mode: FailoverMode,
  link: ReplicationLink | undefined,
  source: string | undefined,
  target: string,
  maxLag: number,
): FailoverCheck {
  const title = 'Replication lag is known and within bounds';
  if (!link) {
    return check(
      'replication-lag',
      title,
      mode === 'switchover' ? 'fail' : 'warn',
      `no replication link from ${source ?? '?'} to ${target}`,
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

/** Plans a switchover, emergency failover or drain; never throws for a bad state, it fails checks. */
export function planFailover(input: PlanFailoverInput): FailoverPlan {
  const { topology, targetCluster, mode, now } = input;
  const policy = topology.policy;
  const checks: FailoverCheck[] = [];
  const warnings: string[] = [];
  const target = topology.clusters.find(c => c.name === targetCluster);
  const sourceName =
    mode === 'drain'
      ? targetCluster
      : findFailoverSource(topology, targetCluster);
  const source = topology.clusters.find(c => c.name === sourceName);
  const targetWorkload = failoverWorkloadOf(target);
  const sourceWorkload = failoverWorkloadOf(source) ?? targetWorkload;
  const traffic = topology.traffic;
  const trafficMethod = traffic.source;
  const sourceReachable = !!source && source.reachable && !source.stale;
  const link = topology.replication.find(
    l => l.to === targetCluster && (!sourceName || l.from === sourceName),
  );

  checks.push(
    check(
      'target-known',
      'Target cluster is part of the topology',
      target ? 'pass' : 'fail',
      target
        ? `${targetCluster} is configured`
        : `${targetCluster} is not one of ${topology.clusters
            .map(c => c.name)
            .join(', ')}`,
    ),
  );

  if (mode === 'drain') {
    checks.push(
      check(
        'strategy',
        'Entity runs active-active',
        policy.strategy === 'active-active' ? 'pass' : 'fail',
        `strategy is ${policy.strategy}${
          policy.strategy === 'active-active'
            ? ''
            : ': drain only applies to active-active; use a switchover'
        }`,
      ),
    );
    const receivers = Object.keys(traffic.weights).filter(
      name =>
        name !== targetCluster &&
        topology.clusters.some(c => c.name === name && c.reachable),
    );
    checks.push(
      check(
        'receivers',
        'Other clusters can take the traffic',
        receivers.length > 0 ? 'pass' : 'fail',
        receivers.length > 0
          ? `share goes to ${receivers.join(', ')}`
          : 'no other reachable cluster is in the route',
      ),
    );
  } else {
    if (target) {
      const reachable = target.reachable && !target.stale;
      checks.push(
        check(
          'target-reachable',
          'Target cluster is reachable',
          reachable ? 'pass' : 'fail',
          reachable
            ? `${targetCluster} answered${
                target.latencyMs !== undefined
                  ? ` in ${target.latencyMs} ms`
                  : ''
              }`
            : `${targetCluster}: ${target.error?.message ?? 'stale data'}`,
        ),
      );
      const ready = allPodsReady(target);
      checks.push(
        check(
          'target-ready',
          'All target pods are ready',
          ready.ok ? 'pass' : 'fail',
          ready.evidence,
        ),
      );
    }
    checks.push(
      check(
        'distinct-sides',
        'Target is not already the primary side',
        sourceName && sourceName !== targetCluster && target?.role !== 'active'
          ? 'pass'
          : 'fail',
        sidesEvidence(sourceName, targetCluster, target),
      ),
    );
    if (mode === 'switchover') {
      checks.push(
        check(
          'source-reachable',
          'Source cluster is reachable',
          sourceReachable ? 'pass' : 'fail',
          sourceReachable
            ? `${sourceName} answered`
            : `${sourceName ?? 'the source'} is unreachable (${
                source?.error?.message ?? 'no answer'
              }): only an emergency failover is offered`,
        ),
      );
    } else {
      // An emergency failover promotes without waiting for the source: with
      // a source that answers it only loses data, unless someone states why
      // the switchover cannot be used.
      const reason = input.reason?.trim();
      let status: FailoverCheck['status'] = 'pass';
      let evidence = `${sourceName ?? 'the source'} is unreachable (${
        source?.error?.message ?? 'no answer'
      })`;
      if (sourceReachable) {
        status = reason ? 'warn' : 'fail';
        evidence = reason
          ? `the source ${sourceName} still answers; failover forced with the reason: ${reason}`
          : `the source ${sourceName} still answers: use a switchover (or give a reason to force an emergency failover)`;
      }
      checks.push(
        check(
          'source-reachable',
          'Source cluster is down (emergency failover)',
          status,
          evidence,
        ),
      );
    }
    checks.push(
      lagCheck(
        mode,
        link,
        sourceName,
        targetCluster,
        policy.maxFailoverLagSeconds,
      ),
    );
    const region = target?.region;
    // A residency rule that could not be read must not read as "no rule".
    const residencyProblems = (policy.problems ?? []).filter(p =>
      p.startsWith(`annotation ${ANNOTATION_ALLOWED_REGIONS} `),
    );
    const unreadable = residencyProblems.length ? residencyProblems : undefined;
    const regionOk =
      !unreadable &&
      (policy.allowedRegions.length === 0 ||
        (region !== undefined && regionAllowed(region, policy.allowedRegions)));
    let regionEvidence = 'no residency rule';
    if (unreadable) regionEvidence = unreadable.join('; ');
    else if (policy.allowedRegions.length > 0)
      regionEvidence = `region ${
        region ?? 'unknown'
      } vs ${policy.allowedRegions.join(', ')}`;
    checks.push(
      check(
        'allowed-regions',
        'Target region is allowed to hold the data',
        regionOk ? 'pass' : 'fail',
        regionEvidence,
      ),
    );
  }

  checks.push(
    check(
      'traffic-route',
      'A traffic route exists',
      routeStatus(trafficMethod, mode),
      routeEvidence(trafficMethod, traffic.object),
    ),
  );
  if (trafficMethod === 'none' && mode !== 'drain') {
    warnings.push(
      'No traffic route is known: only the roles flip, clients must be redirected to the new primary by hand.',
    );
  }

  checks.push(
    check(
      'no-run-in-progress',
      'No other failover runs for this entity',
      input.runInProgress ? 'fail' : 'pass',
      input.runInProgress
        ? `run ${input.runInProgress.id} is in progress`
        : 'no run in progress',
    ),
  );

  const gitOps = input.gitOps ?? [];
  checks.push(
    check(
      'gitops',
      'Changed objects are not managed by GitOps',
      gitOps.length > 0 ? 'warn' : 'pass',
      gitOps.length > 0
        ? gitOps
            .map(m => `${m.cluster}: ${m.object} (${m.tool}, ${m.key})`)
            .join('; ')
        : 'no Argo CD or Flux markers',
    ),
  );
  if (gitOps.length > 0) {
    warnings.push(
      'Some objects are managed by GitOps: the controller reverts this change at its next sync unless the source repository is updated.',
    );
  }

  checks.push(ownershipCheck({ topology, mode, clusters: [source, target] }));

  const cnpg = isCnpg(targetWorkload);
  const fenceMethod = cnpg
    ? `CloudNativePG demotion: spec.replica.primary on ${describeWorkload(
        sourceWorkload,
      )} in ${sourceName} is set to ${targetCluster}; it demotes and publishes status.demotionToken`
    : `generic: ${describeWorkload(
        sourceWorkload,
      )} in ${sourceName} is annotated fenced and scaled to zero replicas (was ${
        sourceWorkload?.replicas.desired ?? '?'
      })`;

  const steps = buildSteps({
    mode,
    source: sourceName,
    target: targetCluster,
    sourceWorkload,
    targetWorkload,
    cnpg,
    trafficMethod,
    trafficObject: traffic.object,
    weights: traffic.weights,
  });

  let dataLossWindowSeconds: number | null;
  let dataLoss: string;
  if (mode === 'failover') {
    dataLossWindowSeconds = link?.lagSeconds ?? null;
    dataLoss =
      dataLossWindowSeconds === null
        ? 'unknown: the last replication lag is not known; every write not yet replicated is lost'
        : `up to ${dataLossWindowSeconds}s of writes (the last known lag) may be lost`;
  } else if (mode === 'switchover') {
    dataLossWindowSeconds = 0;
    dataLoss =
      'none: the target is promoted only after it caught up with the fenced source';
  } else {
    dataLossWindowSeconds = 0;
    dataLoss = 'none: no data moves, only traffic';
  }

  let offeredModes: FailoverMode[];
  if (policy.strategy === 'active-active') offeredModes = ['drain'];
  // A failover against an answering source needs a reason: not offered.
  else if (sourceReachable) offeredModes = ['switchover'];
  else offeredModes = ['failover'];

  const workloads: FailoverPlan['workloads'] = {};
  const refOf = (w: TopologyWorkload) => ({
    apiVersion: w.apiVersion,
    kind: w.kind,
    namespace: w.namespace,
    name: w.name,
  });
  if (targetWorkload) workloads[targetCluster] = refOf(targetWorkload);
  if (sourceName && sourceWorkload) {
    // An unreachable source shows no workload; its twin carries the same name.
    workloads[sourceName] = refOf(sourceWorkload);
  }

  return {
    entityRef: topology.entityRef,
    mode,
    engine: policy.engine,
    workloads,
    route: policy.traffic,
    sourceCluster: sourceName,
    targetCluster,
    generatedAt: new Date(now).toISOString(),
    allowed: checks.every(c => c.status !== 'fail'),
    requiresForce: mode === 'failover',
    offeredModes,
    checks,
    steps,
    dataLossWindowSeconds,
    dataLoss,
    fenceMethod,
    fenceBudgetSeconds:
      policy.fenceBudgetSeconds ?? DEFAULT_FENCE_BUDGET_SECONDS,
    trafficMethod,
    warnings,
  };
}

interface StepInput {
  mode: FailoverMode;
  source?: string;
  target: string;
  sourceWorkload?: TopologyWorkload;
  targetWorkload?: TopologyWorkload;
  cnpg: boolean;
  trafficMethod: FailoverPlan['trafficMethod'];
  trafficObject?: string;
  weights: Record<string, number>;
}

function buildSteps(s: StepInput): PlannedStep[] {
  const steps: Array<Omit<PlannedStep, 'index'>> = [];
  const add = (
    kind: FailoverStepKind,
    title: string,
    cluster: string,
    changes: string[],
    beforePromotion: boolean,
  ) => steps.push({ kind, title, cluster, changes, beforePromotion });
  const src = s.source ?? '?';
  const srcW = describeWorkload(s.sourceWorkload);
  const tgtW = describeWorkload(s.targetWorkload);
  const route = s.trafficObject ?? 'the route';
  let moveChanges = [
    'no route: clients must be redirected to the new primary by hand',
  ];
  if (s.trafficMethod === 'virtualservice') {
    moveChanges = [
      `${route} in every cluster holding it: ${s.target} weight 100, others 0`,
    ];
  } else if (s.trafficMethod === 'serviceexport') {
    moveChanges = [
      `ServiceExport created in ${s.target}`,
      `ServiceExport deleted in ${src}`,
    ];
  }

  if (s.mode === 'drain') {
    const others = Object.keys(s.weights).filter(c => c !== s.target);
    add(
      'drain-traffic',
      `Drain ${s.target}`,
      '*',
      [
        `${route}: ${s.target} weight 0, its share of ${
          s.weights[s.target] ?? 0
        } spread over ${others.join(', ') || 'the others'}`,
      ],
      true,
    );
    add(
      'verify',
      'Verify the route',
      '*',
      [`read back the weights: ${s.target} gets 0`],
      true,
    );
  } else if (s.mode === 'switchover') {
    if (s.trafficMethod === 'virtualservice') {
      add(
        'fence-traffic',
        `Take traffic off ${src}`,
        '*',
        [
          `${route}: ${src} weight 0; its share goes to ${s.target}, which refuses writes until promoted (an all-zero route is invalid)`,
        ],
        true,
      );
    }
    add(
      'fence',
      `Fence ${src}`,
      src,
      s.cnpg
        ? [
            `${srcW}: spec.replica.primary = ${s.target} (demotion)`,
            'wait for status.demotionToken',
          ]
        : [
            `${srcW}: annotation role = fenced`,
            `${srcW}: replicas ${
              s.sourceWorkload?.replicas.desired ?? '?'
            } → 0`,
          ],
      true,
    );
    add(
      'wait-catch-up',
      `Wait for ${s.target} to catch up`,
      s.target,
      [`none; waits (bounded) until the lag behind ${src} is 0`],
      true,
    );
    add(
      'promote',
      `Promote ${s.target}`,
      s.target,
      s.cnpg
        ? [
            `${tgtW}: spec.replica.primary = ${s.target}`,
            `${tgtW}: spec.replica.promotionToken = the demotion token`,
          ]
        : [
            `${tgtW}: annotation role = active`,
            `${tgtW}: annotation replication-source removed`,
          ],
      false,
    );
    add('move-traffic', `Move traffic to ${s.target}`, '*', moveChanges, false);
    if (!s.cnpg) {
      add(
        'reattach',
        `Make ${src} a replica of ${s.target}`,
        src,
        [
          `${srcW}: annotation role = passive, replication-source = ${s.target}`,
          `${srcW}: replicas back to ${
            s.sourceWorkload?.replicas.desired ?? '?'
          }`,
        ],
        false,
      );
    }
    add(
      'verify',
      'Verify',
      s.target,
      ['read back: target pods ready, traffic applied, roles flipped'],
      false,
    );
  } else {
    // Fence first, promote last: the old side's clients and the old side
    // itself are cut off before a second primary exists, so an old primary
    // that answers (or comes back) never takes writes beside the new one.
    if (s.trafficMethod !== 'none') {
      add(
        'fence-traffic',
        `Take traffic off ${src}`,
        '*',
        s.trafficMethod === 'virtualservice'
          ? [
              `${route}: ${src} weight 0; its share goes to ${s.target}, which refuses writes until promoted`,
              'copies in clusters that are down are corrected with the deferred fence',
            ]
          : [
              `ServiceExport deleted in ${src}, created in ${s.target}`,
              'clusters that are down are corrected with the deferred fence',
            ],
        true,
      );
    }
    add(
      'fence-old-source',
      `Fence ${src}`,
      src,
      [
        s.cnpg
          ? `${srcW}: annotation cnpg.io/fencedInstances = ["*"] and spec.replica.primary = ${s.target}`
          : `${srcW}: annotation role = fenced, replicas → 0`,
        'applied now if it answers, otherwise recorded as a deferred fence applied as soon as it answers again',
      ],
      true,
    );
    add(
      'promote',
      `Promote ${s.target} without the old primary`,
      s.target,
      s.cnpg
        ? [
            `${tgtW}: spec.replica.primary = ${s.target}, spec.replica.enabled = false (no demotion token)`,
          ]
        : [
            `${tgtW}: annotation role = active`,
            `${tgtW}: annotation replication-source removed`,
          ],
      false,
    );
    add('move-traffic', `Move traffic to ${s.target}`, '*', moveChanges, false);
    add(
      'verify',
      'Verify',
      s.target,
      ['read back: target pods ready, traffic applied, target active'],
      false,
    );
  }
  return steps.map((step, index) => ({ ...step, index }));
}
