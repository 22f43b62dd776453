/*
 * The compact view of an entity's multi-cluster topology that an agent
 * reads: clusters with reachability and role, each workload's role and
 * ready replicas, the replication links with their lag and where it was
 * measured, traffic weights, and the DR readiness verdict with only the
 * checks that did not pass. Pods, volumes and drift values stay on the
 * entity page and the REST API.
 */
import {
  DrReadiness,
  EntityTopology,
  ReadinessCheck,
} from '@multicluster/backstage-plugin-statefulsets-common';

/** The summary returned by `get-database-topology`. */
export interface TopologySummary {
  entityRef: string;
  generatedAt: string;
  engine: string;
  strategy: string;
  maxFailoverLagSeconds: number;
  clusters: Array<{
    name: string;
    region?: string;
    reachable: boolean;
    stale: boolean;
    error?: string;
    role: string;
    trafficWeight?: number;
    workloads: Array<{
      kind: string;
      namespace: string;
      name: string;
      role: string;
      replicas: { desired: number; ready: number };
      primaryPods: string[];
    }>;
  }>;
  replication: Array<{
    from: string;
    to: string;
    workload: string;
    lagSeconds: number | null;
    lagSource: string;
    healthy: boolean;
    reason?: string;
  }>;
  traffic: { routing: string; weights: Record<string, number> };
  driftedFields: number;
  readiness: {
    verdict: DrReadiness['verdict'];
    failingChecks: ReadinessCheck[];
    passedChecks: number;
  };
}

/** Summarizes a topology for an agent; see the module comment. */
export function summarizeTopology(t: EntityTopology): TopologySummary {
  const checks = t.readiness.checks;
  return {
    entityRef: t.entityRef,
    generatedAt: t.generatedAt,
    engine: t.policy.engine,
    strategy: t.policy.strategy,
    maxFailoverLagSeconds: t.policy.maxFailoverLagSeconds,
    clusters: t.clusters.map(c => ({
      name: c.name,
      ...(c.region ? { region: c.region } : {}),
      reachable: c.reachable,
      stale: c.stale,
      ...(c.error ? { error: `${c.error.reason}: ${c.error.message}` } : {}),
      role: c.role,
      ...(c.trafficWeight !== undefined
        ? { trafficWeight: c.trafficWeight }
        : {}),
      workloads: c.workloads.map(w => ({
        kind: w.kind,
        namespace: w.namespace,
        name: w.name,
        role: w.role,
        replicas: { desired: w.replicas.desired, ready: w.replicas.ready },
        primaryPods: w.pods.filter(p => p.role === 'primary').map(p => p.name),
      })),
    })),
    replication: t.replication.map(l => ({
      from: l.from,
      to: l.to,
      workload: l.workload,
      lagSeconds: l.lagSeconds,
      lagSource: l.lagSource ?? l.provider,
      healthy: l.healthy,
      ...(l.reason ? { reason: l.reason } : {}),
    })),
    traffic: { routing: t.traffic.routing, weights: t.traffic.weights },
    driftedFields: t.drift.length,
    readiness: {
      verdict: t.readiness.verdict,
      failingChecks: checks
        .filter(c => c.status !== 'pass')
        .map(({ id, title, status, evidence }) => ({
          id,
          title,
          status,
          evidence,
        })),
      passedChecks: checks.filter(c => c.status === 'pass').length,
    },
  };
}
