/*
 * The reads a plan needs before anything executes: whether a run of the
 * entity is in progress, and the GitOps markers of the live objects the
 * plan would change. The plan itself is the pure `planFailover` of -common;
 * execution never reads these again.
 */
import {
  EntityTopology,
  failoverWorkloadOf,
  FailoverMode,
  FailoverPlan,
  GitOpsMarker,
  gitOpsMarkersOf,
  KubeObject,
  planFailover,
} from '@multicluster/backstage-plugin-statefulsets-common';
import {
  ClusterWriteClient,
  FailoverReplicationProvider,
  failoverStepDescriber,
} from '@multicluster/backstage-plugin-statefulsets-node';
import { WriteIdentity } from '../cluster/writeIdentity';
import { clientsAs } from './createRunContext';
import { DatabaseFailoverStore } from './DatabaseFailoverStore';

/** What a plan is asked for. */
export interface PlanInput {
  topology: EntityTopology;
  targetCluster: string;
  mode: FailoverMode;
  /** Why an emergency failover is forced while the source still answers. */
  reason?: string;
  /** The identity the plan's reads act as (impersonation). */
  writeIdentity?: WriteIdentity;
}

/** The plan with the live lock state and GitOps markers. */
export async function planWithLiveState(
  sources: {
    store: DatabaseFailoverStore;
    clients: ClusterWriteClient[];
    providers: FailoverReplicationProvider[];
    now: () => number;
  },
  input: PlanInput,
): Promise<FailoverPlan> {
  const runId = await sources.store.activeRunId(input.topology.entityRef);
  const base = {
    topology: input.topology,
    targetCluster: input.targetCluster,
    mode: input.mode,
    reason: input.reason,
    now: sources.now(),
    runInProgress: runId ? { id: runId } : undefined,
    // The provider that will run the failover words its fence and promotion.
    describeSteps: failoverStepDescriber(
      sources.providers,
      failoverWorkloadOf(
        input.topology.clusters.find(c => c.name === input.targetCluster),
      ),
      input.topology.policy.engine,
    ),
  };
  const draft = planFailover(base);
  // With impersonation the backend's own credentials may only impersonate.
  const clients = clientsAs(sources.clients, input.writeIdentity);
  const gitOps = await gitOpsMarkers(draft, clients);
  return planFailover({ ...base, gitOps });
}

/** The markers of the workloads and (Istio) route copies the draft plan changes. */
async function gitOpsMarkers(
  plan: FailoverPlan,
  clients: ClusterWriteClient[],
): Promise<GitOpsMarker[]> {
  const markers: GitOpsMarker[] = [];
  const read = (client: ClusterWriteClient, path: string) =>
    client
      .get<KubeObject>(path)
      .then(obj => {
        if (obj) markers.push(...gitOpsMarkersOf(client.cluster, obj));
      })
      .catch(() => undefined);
  const reads: Array<Promise<void>> = [];
  for (const [cluster, ref] of Object.entries(plan.workloads ?? {})) {
    const client = clients.find(c => c.cluster === cluster);
    if (client) reads.push(read(client, client.pathOf(ref)));
  }
  if (plan.route && plan.routing === 'istio') {
    const route = {
      apiVersion: 'networking.istio.io/v1',
      kind: 'VirtualService',
      ...plan.route,
    };
    for (const client of clients) {
      reads.push(read(client, client.pathOf(route)));
    }
  }
  await Promise.all(reads);
  return markers.sort((a, b) =>
    `${a.cluster}${a.object}`.localeCompare(`${b.cluster}${b.object}`),
  );
}
