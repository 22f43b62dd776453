/*
 * The reads a plan needs before anything executes: whether a run of the
 * entity is in progress, the GitOps markers of the live objects the plan
 * would change, and the data-loss window in the engine's own units where
 * the provider reads it. The plan itself is the pure `planFailover` of -common;
 * execution never reads these again.
 */
import {
  EngineDataLoss,
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
  FailoverCallContext,
  FailoverReplicationProvider,
  FailoverSide,
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
  const plan = planFailover({ ...base, gitOps });
  const inEngine = await engineDataLoss(sources.providers, plan, clients, {
    entityRef: input.topology.entityRef,
    engine: plan.engine,
    now: sources.now,
  });
  return inEngine ? withEngineDataLoss(plan, inEngine) : plan;
}

/** The plan with the engine's data-loss window next to the seconds. */
export function withEngineDataLoss(
  plan: FailoverPlan,
  inEngine: EngineDataLoss,
): FailoverPlan {
  const amount = inEngine.amount === null ? 'unknown' : String(inEngine.amount);
  return {
    ...plan,
    dataLossInEngine: inEngine,
    dataLoss: `${plan.dataLoss}; the target lacks ${amount} ${inEngine.unit} of the source now (${inEngine.detail})`,
  };
}

/** What the plan's provider reads of the window in the engine; undefined when it cannot. */
async function engineDataLoss(
  providers: FailoverReplicationProvider[],
  plan: FailoverPlan,
  clients: ClusterWriteClient[],
  ctx: FailoverCallContext,
): Promise<EngineDataLoss | undefined> {
  const side = (cluster: string | undefined): FailoverSide | undefined => {
    const client = clients.find(c => c.cluster === cluster);
    const workload = cluster ? plan.workloads?.[cluster] : undefined;
    return client && workload
      ? { cluster: cluster!, client, workload }
      : undefined;
  };
  const target = side(plan.targetCluster);
  const source = side(plan.sourceCluster);
  if (!target || !source || plan.mode === 'drain') return undefined;
  const provider = providers.find(p =>
    p.supportsWorkload(target.workload, plan.engine),
  );
  const read = await provider
    ?.readDataLoss?.(target, source, ctx)
    .catch(() => undefined);
  return read && { ...read, provider: provider!.id };
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
