/*
 * What every engine provider that acts through `pods/exec` shares: the
 * topology keeps reading the other providers (the engine's roles are not in
 * the watch cache), a side's StatefulSet is read and checked as stamped for
 * the run's entity before anything runs in it, and a side the provider
 * cannot reach in the engine (no exec, no engine container, an operator's
 * workload) is handed to the fallback provider.
 */
import {
  ANNOTATION_REPLICATION_LAG_OBSERVED_AT,
  ANNOTATION_REPLICATION_LAG_SECONDS,
  ANNOTATION_REPLICATION_SOURCE,
  ANNOTATION_ROLE,
  FailoverStepDescriptions,
  FailoverStepSides,
  KubeObject,
  ReplicationLink,
} from '@multicluster/backstage-plugin-statefulsets-common';
import {
  FailoverCallContext,
  FailoverReplicationProvider,
  FailoverSide,
  UndoData,
  WorkloadRef,
} from '../failover';
import { ReplicationProvider } from '../types';
import {
  GenericStatefulSetProvider,
  loadWorkload,
  requireSideStamped,
} from './GenericStatefulSetProvider';

/** The provider that acts where the engine cannot be reached. */
export type EngineFallback = FailoverReplicationProvider &
  ReplicationProvider &
  Required<Pick<FailoverReplicationProvider, 'reattach'>>;

/**
 * A side's StatefulSet as it is now, refused unless stamped for the run's
 * entity: every exec reads or changes that entity's database.
 */
export async function stampedStatefulSet(
  side: FailoverSide,
  ctx: FailoverCallContext,
): Promise<KubeObject> {
  const sts = await loadWorkload(side);
  requireSideStamped(side, sts, ctx);
  return sts;
}

/**
 * Mirrors what the engine now does in the side's StatefulSet annotations,
 * once the engine changed (they follow it; nothing reads them to act). The
 * lag annotations are cleared: the exporter publishes a fresh lag for the
 * new role.
 */
export async function mirrorAnnotations(
  side: FailoverSide,
  annotations: Record<string, string | null>,
): Promise<void> {
  await side.client.mergePatch(side.client.pathOf(side.workload), {
    metadata: {
      annotations: {
        ...annotations,
        [ANNOTATION_REPLICATION_LAG_SECONDS]: null,
        [ANNOTATION_REPLICATION_LAG_OBSERVED_AT]: null,
      },
    },
  });
}

/** Mirrors the engine's role (and the cluster it replicates from) in the role annotations. */
export function annotateRole(
  side: FailoverSide,
  role: string,
  source: string | null,
): Promise<void> {
  return mirrorAnnotations(side, {
    [ANNOTATION_ROLE]: role,
    [ANNOTATION_REPLICATION_SOURCE]: source,
  });
}

/** `read`'s answer when it comes within `ms`, else undefined (a failed read too). */
export async function answerWithin<T>(
  read: Promise<T | undefined>,
  ms: number,
): Promise<T | undefined> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<undefined>(resolve => {
    timer = setTimeout(() => resolve(undefined), ms);
  });
  try {
    return await Promise.race([read.catch(() => undefined), late]);
  } finally {
    clearTimeout(timer);
  }
}

/** Puts back the role a fence recorded in its undo data (`previousRole`, `previousSource`). */
export function restoreRole(side: FailoverSide, undo: UndoData): Promise<void> {
  return annotateRole(
    side,
    String(undo.previousRole ?? 'active'),
    typeof undo.previousSource === 'string' ? undo.previousSource : null,
  );
}

/**
 * Base of the exec-driven engine providers. `S` is how the engine is
 * reached on one side (its primary pod, its members, a broker).
 */
export abstract class ExecEngineProvider<S> {
  abstract readonly id: string;
  readonly catchUpInEngine = true;
  /** The `multicluster-statefulsets/engine` value this provider fails over. */
  protected abstract readonly engine: string;
  protected readonly fallback: EngineFallback;

  constructor(fallback?: EngineFallback) {
    this.fallback = fallback ?? new GenericStatefulSetProvider();
  }

  /** The engine on a side's StatefulSet, or undefined when only the fallback can act. */
  protected abstract reach(side: FailoverSide, sts: KubeObject): S | undefined;

  /** How the provider's steps read in the plan. */
  protected abstract describe(
    sides: FailoverStepSides,
  ): FailoverStepDescriptions;

  /** The topology reads the watch cache: it keeps coming from the other providers. */
  supports(): boolean {
    return false;
  }

  async readReplication(): Promise<ReplicationLink[]> {
    return [];
  }

  supportsWorkload(workload: WorkloadRef, engine?: string): boolean {
    return workload.kind === 'StatefulSet' && engine === this.engine;
  }

  describeSteps(sides: FailoverStepSides): FailoverStepDescriptions {
    return this.describe(sides);
  }

  /** The engine on a side, read afresh and checked as the run entity's. */
  protected async engineOn(
    side: FailoverSide,
    ctx: FailoverCallContext,
  ): Promise<S | undefined> {
    return this.reach(side, await stampedStatefulSet(side, ctx));
  }

  /** Runs `engine` where the engine can be reached, else `generic` on the fallback. */
  protected async either<T>(
    side: FailoverSide,
    engine: (reached: S) => Promise<T>,
    generic: (fallback: EngineFallback) => Promise<T>,
    ctx: FailoverCallContext,
  ): Promise<T> {
    const reached = await this.engineOn(side, ctx);
    return reached ? engine(reached) : generic(this.fallback);
  }
}
