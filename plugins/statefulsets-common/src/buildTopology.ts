/*
 * Assembles the complete multi-cluster topology of one entity from per-cluster
 * snapshots plus what the replication providers and the traffic router found.
 * Pure: the same input always gives the same output.
 */
import { buildWorkloads } from './buildWorkloads';
import { applyEngineRoles, EngineRoleReading } from './engineRoles';
import { computeDrift } from './drift';
import { FederationObjects, readFederationPlacement } from './federation';
import { ClusterObjects, KubeObject } from './kube';
import { operatorDriftObjects } from './operators';
import {
  routeObjectsOf,
  summarizeOwnership,
  workloadObjectsOf,
} from './ownership';
import { evaluateReadiness } from './readiness';
import {
  ClusterError,
  ClusterInfo,
  ClusterRole,
  EntityPolicy,
  EntityTopology,
  ReplicationLink,
  TopologyCluster,
  TopologyWorkload,
  TrafficSplit,
} from './types';

/** What is known about one cluster at build time: its objects, or why they are missing. */
export interface ClusterSnapshot {
  info: ClusterInfo;
  /** Absent when the cluster could not be read at all. */
  objects?: ClusterObjects;
  error?: ClusterError;
  /** Objects come from a cache whose connection is currently failing. */
  stale?: boolean;
  latencyMs?: number;
}

/** Inputs of {@link buildTopology}. */
export interface BuildTopologyInput {
  entityRef: string;
  policy: EntityPolicy;
  snapshots: ClusterSnapshot[];
  replication: ReplicationLink[];
  traffic: TrafficSplit;
  /** Pod roles the engines reported, over the declared roles. */
  engineRoles?: EngineRoleReading[];
  /** Milliseconds since the epoch. */
  now: number;
}

function clusterRole(
  name: string,
  workloads: TopologyWorkload[],
  replication: ReplicationLink[],
  weight: number | undefined,
): ClusterRole {
  const roles = new Set(workloads.map(w => w.role));
  if (roles.has('fenced')) return 'fenced';
  if (roles.has('active')) return 'active';
  if (roles.has('passive')) return 'passive';
  if (workloads.length === 0) return 'unknown';
  if (replication.some(l => l.to === name)) return 'passive';
  if (replication.some(l => l.from === name)) return 'active';
  if (weight !== undefined && weight > 0) return 'active';
  return 'unknown';
}

/** Marks volumes that mount the same shared source as volumes in other clusters. */
export function markSharedVolumes(clusters: TopologyCluster[]): void {
  const holders = new Map<string, Set<string>>();
  for (const c of clusters) {
    for (const w of c.workloads) {
      for (const v of w.volumes) {
        if (!v.sharedSource) continue;
        if (!holders.has(v.sharedSource))
          holders.set(v.sharedSource, new Set());
        holders.get(v.sharedSource)!.add(c.name);
      }
    }
  }
  for (const c of clusters) {
    for (const w of c.workloads) {
      for (const v of w.volumes) {
        if (!v.sharedSource) continue;
        v.sharedWith = [...holders.get(v.sharedSource)!]
          .filter(n => n !== c.name)
          .sort();
      }
    }
  }
}

/** Builds the entity topology. */
export function buildTopology(input: BuildTopologyInput): EntityTopology {
  const { policy, snapshots, replication, entityRef } = input;
  const routeObjects = snapshots.flatMap(s =>
    s.objects
      ? routeObjectsOf({
          cluster: s.info.name,
          objects: s.objects,
          policy,
          traffic: input.traffic,
          entityRef,
        })
      : [],
  );
  const traffic: TrafficSplit = { ...input.traffic, objects: routeObjects };
  // The Karmada API server holds templates and policies, not a database: it
  // is read for placements only, never shown or compared as a cluster.
  const members = snapshots.filter(s => s.info.federationHost !== 'karmada');
  const clusters: TopologyCluster[] = members.map(s => {
    const workloads = s.objects
      ? applyEngineRoles(
          s.info.name,
          buildWorkloads(s.objects, { entityRef }),
          input.engineRoles ?? [],
        )
      : [];
    const weight =
      traffic.routing === 'none'
        ? undefined
        : traffic.weights[s.info.name] ?? 0;
    return {
      ...s.info,
      zones: [...s.info.zones],
      reachable: !s.error,
      stale: !!s.stale,
      latencyMs: s.latencyMs,
      error: s.error,
      role: clusterRole(s.info.name, workloads, replication, weight),
      trafficWeight: weight,
      workloads,
    };
  });
  markSharedVolumes(clusters);

  const federationByHost: Record<string, FederationObjects> = {};
  const workloadObjects: Record<string, KubeObject[]> = {};
  // Where `federationHost` is configured, only a host's control-plane
  // objects place anything: a stray policy copied into a member cluster
  // propagates nothing there. Without configuration, any cluster holding
  // them is taken for a host.
  const hostsConfigured = snapshots.some(s => s.info.federationHost);
  for (const s of snapshots) {
    if (!s.objects) continue;
    const host = s.info.federationHost;
    const federatedStatefulSets =
      !hostsConfigured || host === 'kubefed'
        ? s.objects.federatedStatefulSets
        : [];
    const propagationPolicies =
      !hostsConfigured || host === 'karmada'
        ? s.objects.propagationPolicies
        : [];
    if (federatedStatefulSets.length || propagationPolicies.length) {
      federationByHost[s.info.name] = {
        federatedStatefulSets,
        propagationPolicies,
      };
    }
    if (!members.includes(s)) continue;
    const objs = [
      ...s.objects.statefulSets.map(o => ({ ...o, kind: 'StatefulSet' })),
      ...s.objects.cnpgClusters.map(o => ({ ...o, kind: 'Cluster' })),
      ...operatorDriftObjects(s.objects),
    ];
    if (objs.length) workloadObjects[s.info.name] = objs;
  }
  const federation = readFederationPlacement(federationByHost);
  const drift = computeDrift(workloadObjects);
  const readiness = evaluateReadiness({
    policy,
    clusters,
    replication,
    traffic,
    federation,
    drift,
  });
  return {
    entityRef: input.entityRef,
    generatedAt: new Date(input.now).toISOString(),
    policy,
    clusters,
    replication,
    traffic,
    federation,
    drift,
    readiness,
    ownership: summarizeOwnership([
      ...workloadObjectsOf(clusters),
      ...routeObjects,
    ]),
  };
}
