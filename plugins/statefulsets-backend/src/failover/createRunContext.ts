/*
 * Builds what a run's steps work with (RunContext): both sides with their
 * clients, the provider and router, and the call context. Every client of
 * a run acts as the identity recorded with the run (impersonation), checks
 * the lease before each write, and journals each write in the step that
 * makes it.
 */
import {
  FailoverChange,
  FailoverPlan,
  FailoverRunDetails,
} from '@multicluster/backstage-plugin-statefulsets-common';
import {
  ClusterWriteClient,
  FailoverCallContext,
  FailoverReplicationProvider,
  FailoverSide,
  FailoverTrafficRouter,
  NoneTrafficRouter,
} from '@multicluster/backstage-plugin-statefulsets-node';
import { WriteIdentity } from '../cluster/writeIdentity';
import { journaledClient } from './changeJournal';
import { DatabaseFailoverStore, RunLease } from './DatabaseFailoverStore';
import { RunContext } from './runContext';

/** The plan as stored with a run: with the identity its writes act as. */
export type StoredPlan = FailoverPlan & { writeIdentity?: WriteIdentity };

/** A write client that can act as another identity (HttpClusterWriteClient). */
type ImpersonatingClient = ClusterWriteClient & {
  impersonating?(identity: WriteIdentity): ClusterWriteClient;
};

/** What run contexts are built from: the engine's clients, providers and routers. */
export interface RunContextSources {
  store: DatabaseFailoverStore;
  /** A write client per configured cluster, acting with the backend's own rights. */
  clients: ClusterWriteClient[];
  providers: FailoverReplicationProvider[];
  routers: FailoverTrafficRouter[];
  now: () => number;
}

/**
 * A client whose every write first runs `guard` (which throws when this
 * engine may no longer act), so no cluster write follows a lost lease.
 */
function guardedClient(
  client: ClusterWriteClient,
  guard: () => Promise<void>,
): ClusterWriteClient {
  return {
    cluster: client.cluster,
    pathOf: ref => client.pathOf(ref),
    get: path => client.get(path),
    mergePatch: async (path, patch) => {
      await guard();
      return client.mergePatch(path, patch);
    },
    create: async (path, body) => {
      await guard();
      return client.create(path, body);
    },
    delete: async path => {
      await guard();
      return client.delete(path);
    },
    // An exec changes the engine: a write like any other.
    ...(client.exec
      ? {
          exec: async (target, command, options) => {
            await guard();
            return client.exec!(target, command, options);
          },
        }
      : {}),
  };
}

/** The clients acting as `identity` (impersonation), or as the backend when none. */
export function clientsAs(
  clients: ClusterWriteClient[],
  identity: WriteIdentity | undefined,
): ClusterWriteClient[] {
  if (!identity) return clients;
  return clients.map((c: ImpersonatingClient) => {
    if (!c.impersonating) {
      // Acting with the backend's own rights would bypass the cluster's RBAC.
      throw new Error(
        `The write client of ${c.cluster} cannot impersonate ${identity.user}; the run would act with the backend's own rights`,
      );
    }
    return c.impersonating(identity);
  });
}

/**
 * The context of a run held under `lease` (or a deferred claim's stand-in):
 * `guard` runs before every cluster write and `signal` ends the waits.
 * Throws when the run cannot be executed here (no client, workload or
 * provider for a side).
 */
export function createRunContext(
  sources: RunContextSources,
  run: FailoverRunDetails,
  lease: RunLease,
  options: { signal: AbortSignal; guard: () => Promise<void> },
): RunContext {
  const { signal, guard } = options;
  const plan = run.plan;
  const journal: RunContext['journal'] = {};
  // Journal writes need the run's lease; a deferred fence or repair has
  // none and never sets a step to journal.
  const record = () => {
    const step = journal.step;
    if (!step) return undefined;
    return async (change: FailoverChange, update: boolean) => {
      const list = step.changes ?? (step.changes = []);
      if (!update) list.push(change);
      await sources.store.updateStep(lease, step.index, { changes: list });
    };
  };
  const identity = (plan as StoredPlan).writeIdentity;
  const clients = clientsAs(sources.clients, identity).map(c =>
    journaledClient(guardedClient(c, guard), record, sources.now),
  );
  const side = (cluster: string | undefined): FailoverSide | undefined => {
    if (!cluster) return undefined;
    const client = clients.find(c => c.cluster === cluster);
    const workload =
      plan.workloads?.[cluster] ?? plan.workloads?.[run.targetCluster];
    if (!client || !workload) return undefined;
    return { cluster, client, workload };
  };
  const target = side(run.targetCluster);
  if (!target) {
    throw new Error(
      `No client or workload for the target cluster ${run.targetCluster}`,
    );
  }
  const source = run.mode === 'drain' ? undefined : side(run.sourceCluster);
  if (run.mode !== 'drain' && !source) {
    throw new Error(
      `No client or workload for the source ${run.sourceCluster}`,
    );
  }
  const provider = sources.providers.find(p =>
    p.supportsWorkload(target.workload, plan.engine),
  );
  if (run.mode !== 'drain' && !provider) {
    throw new Error(
      `No failover provider supports ${target.workload.kind} ${target.workload.apiVersion}`,
    );
  }
  const router =
    sources.routers.find(r => r.id === plan.routing) ?? new NoneTrafficRouter();
  const call: FailoverCallContext = {
    entityRef: run.entityRef,
    engine: plan.engine,
    signal,
    now: sources.now,
  };
  return {
    journal,
    run,
    lease,
    source,
    target,
    provider,
    router,
    call,
    route: {
      ...call,
      route: plan.route,
      workload: target.workload,
      clients,
    },
  };
}
