/*
 * The generic failover provider: speaks only the role and lag annotations
 * the replication exporter keeps on each StatefulSet. It fences a source by
 * marking it `fenced` and scaling it to zero (the only engine-neutral way to
 * be sure it takes no writes), remembering the replica count on the object
 * itself so a rollback after a restart still knows it.
 */
import { NotAllowedError } from '@backstage/errors';
import {
  ANNOTATION_PREFIX,
  ANNOTATION_REPLICATION_LAG_OBSERVED_AT,
  ANNOTATION_REPLICATION_LAG_SECONDS,
  ANNOTATION_REPLICATION_SOURCE,
  ANNOTATION_ROLE,
  ClusterObjects,
  describeGenericSteps,
  FailoverStepDescriptions,
  FailoverStepSides,
  KubeObject,
  operatorLinks,
  ownershipRefusal,
  replicationFromAnnotations,
  ReplicationLink,
} from '@multicluster/backstage-plugin-statefulsets-common';
import {
  FailoverCallContext,
  FailoverReplicationProvider,
  FailoverSide,
  LagReading,
  pollUntil,
  UndoData,
  WorkloadRef,
} from '../failover';
import { EntityContext, ReplicationProvider } from '../types';
import { byCluster } from './byCluster';

/** Annotation keeping a fenced StatefulSet's replica count for unfencing. */
export const ANNOTATION_FENCED_REPLICAS = `${ANNOTATION_PREFIX}/fenced-replicas`;

/** A side's workload as it is now; throws when it is gone. */
export async function loadWorkload(side: FailoverSide): Promise<KubeObject> {
  const obj = await side.client.get<KubeObject>(
    side.client.pathOf(side.workload),
  );
  if (!obj) {
    throw new Error(
      `${side.workload.kind} ${side.workload.namespace}/${side.workload.name} not found in ${side.cluster}`,
    );
  }
  return obj;
}

/**
 * Refuses a write to an object not stamped for the run's entity. Called on
 * the object as just read, right before each change: the plan that checked
 * the stamps may be stale, and a refused write is the last line that keeps a
 * run from acting on another entity's database.
 */
export function requireStampedFor(
  obj: KubeObject,
  ctx: Pick<FailoverCallContext, 'entityRef'>,
  where: { cluster: string; kind: string },
): KubeObject {
  const refusal = ownershipRefusal(obj, ctx.entityRef, where);
  if (refusal) throw new NotAllowedError(`Refusing to change ${refusal}`);
  return obj;
}

/** Refuses unless a side's workload, as just read, is stamped for the run's entity. */
export function requireSideStamped(
  side: FailoverSide,
  obj: KubeObject,
  ctx: Pick<FailoverCallContext, 'entityRef'>,
): void {
  requireStampedFor(obj, ctx, {
    cluster: side.cluster,
    kind: side.workload.kind,
  });
}

function annotation(obj: KubeObject, key: string): string | undefined {
  const v = obj.metadata.annotations?.[key];
  return v === '' ? undefined : v;
}

/** Reads the raw lag annotations of an object. */
export function lagFromAnnotations(obj: KubeObject): LagReading {
  const raw = annotation(obj, ANNOTATION_REPLICATION_LAG_SECONDS);
  const seconds = raw === undefined ? NaN : Number(raw);
  return {
    seconds: Number.isFinite(seconds) ? seconds : null,
    observedAt: annotation(obj, ANNOTATION_REPLICATION_LAG_OBSERVED_AT),
  };
}

/** Whether a lag reading shows a fully caught-up target measured at or after `since` (ms). */
export function caughtUpSince(lag: LagReading, since: number): boolean {
  if (lag.seconds === null || lag.seconds > 0 || !lag.observedAt) return false;
  // Observation times may be truncated to whole seconds.
  return Date.parse(lag.observedAt) >= Math.floor(since / 1000) * 1000;
}

/**
 * Polls a side's lag until it reads zero, measured after `since`; both
 * providers wait for catch-up this way and differ only in how they read lag.
 */
export function waitForCatchUp(options: {
  readLag(): Promise<LagReading>;
  target: FailoverSide;
  source: FailoverSide;
  ctx: FailoverCallContext & { timeoutMs: number; since?: number };
  intervalMs: number;
}): Promise<LagReading> {
  const { target, source, ctx } = options;
  const since = ctx.since ?? ctx.now();
  let last: LagReading = { seconds: null };
  return pollUntil(
    async () => {
      last = await options.readLag();
      return caughtUpSince(last, since) ? last : undefined;
    },
    {
      timeoutMs: ctx.timeoutMs,
      intervalMs: options.intervalMs,
      signal: ctx.signal,
      describe: () =>
        `${target.cluster} did not catch up with ${source.cluster} (last lag ${
          last.seconds ?? 'unknown'
        }s at ${last.observedAt ?? '?'})`,
    },
  );
}

/**
 * Any StatefulSet: reads the role and lag annotations a replication exporter
 * keeps on each one, and fails over through those annotations and scaling.
 */
export class GenericStatefulSetProvider
  implements ReplicationProvider, FailoverReplicationProvider
{
  readonly id = 'generic';
  readonly #pollMs: number;

  constructor(options?: { pollIntervalMs?: number }) {
    this.#pollMs = options?.pollIntervalMs ?? 100;
  }

  supports(): boolean {
    return true;
  }

  /**
   * Links from the role and lag annotations and, for the replicas no
   * annotation speaks for, from what operators and charts publish (the
   * annotations are the explicit override).
   */
  async readReplication(context: EntityContext): Promise<ReplicationLink[]> {
    const options = {
      now: context.now,
      maxLagSeconds: context.policy.maxFailoverLagSeconds,
    };
    const annotated = replicationFromAnnotations(
      byCluster(context.clusters, v => v.objects?.statefulSets),
      options,
    );
    const objectsByCluster: Record<string, ClusterObjects> = {};
    for (const view of context.clusters) {
      if (view.objects) objectsByCluster[view.cluster.name] = view.objects;
    }
    const covered = new Set(annotated.map(l => `${l.to}/${l.workload}`));
    return [
      ...annotated,
      ...operatorLinks(objectsByCluster, options).filter(
        l => !covered.has(`${l.to}/${l.workload}`),
      ),
    ];
  }

  supportsWorkload(workload: WorkloadRef): boolean {
    return workload.kind === 'StatefulSet';
  }

  describeSteps(sides: FailoverStepSides): FailoverStepDescriptions {
    return describeGenericSteps(sides);
  }

  async readLag(target: FailoverSide): Promise<LagReading> {
    return lagFromAnnotations(await loadWorkload(target));
  }

  async fence(
    source: FailoverSide,
    _target: FailoverSide,
    ctx: FailoverCallContext,
  ): Promise<UndoData> {
    const obj = await loadWorkload(source);
    const role = annotation(obj, ANNOTATION_ROLE);
    const remembered = annotation(obj, ANNOTATION_FENCED_REPLICAS);
    const replicas = remembered
      ? Number(remembered)
      : Number(obj.spec?.replicas ?? 1);
    const undo = {
      previousRole: role === 'fenced' ? 'active' : role ?? 'active',
      replicas,
    };
    if (role === 'fenced' && obj.spec?.replicas === 0 && remembered) {
      return undo;
    }
    requireSideStamped(source, obj, ctx);
    await source.client.mergePatch(source.client.pathOf(source.workload), {
      metadata: {
        annotations: {
          [ANNOTATION_ROLE]: 'fenced',
          [ANNOTATION_FENCED_REPLICAS]: String(replicas),
        },
      },
      spec: { replicas: 0 },
    });
    return undo;
  }

  async unfence(
    source: FailoverSide,
    undo: UndoData,
    ctx: FailoverCallContext,
  ): Promise<void> {
    const obj = await loadWorkload(source);
    const remembered = annotation(obj, ANNOTATION_FENCED_REPLICAS);
    const replicas = remembered
      ? Number(remembered)
      : Number(undo.replicas ?? obj.spec?.replicas ?? 1);
    const role = String(undo.previousRole ?? 'active');
    if (
      annotation(obj, ANNOTATION_ROLE) === role &&
      obj.spec?.replicas === replicas &&
      !remembered
    ) {
      return;
    }
    requireSideStamped(source, obj, ctx);
    await source.client.mergePatch(source.client.pathOf(source.workload), {
      metadata: {
        annotations: {
          [ANNOTATION_ROLE]: role,
          [ANNOTATION_FENCED_REPLICAS]: null,
        },
      },
      spec: { replicas },
    });
  }

  async waitCaughtUp(
    target: FailoverSide,
    source: FailoverSide,
    ctx: FailoverCallContext & { timeoutMs: number; since?: number },
  ): Promise<LagReading> {
    return waitForCatchUp({
      readLag: () => this.readLag(target),
      target,
      source,
      ctx,
      intervalMs: this.#pollMs,
    });
  }

  async promote(
    target: FailoverSide,
    _source: FailoverSide,
    ctx: FailoverCallContext,
  ): Promise<UndoData> {
    const obj = await loadWorkload(target);
    const previousSource = annotation(obj, ANNOTATION_REPLICATION_SOURCE);
    if (annotation(obj, ANNOTATION_ROLE) !== 'active' || previousSource) {
      requireSideStamped(target, obj, ctx);
      await target.client.mergePatch(target.client.pathOf(target.workload), {
        metadata: {
          annotations: {
            [ANNOTATION_ROLE]: 'active',
            [ANNOTATION_REPLICATION_SOURCE]: null,
            [ANNOTATION_REPLICATION_LAG_SECONDS]: null,
            [ANNOTATION_REPLICATION_LAG_OBSERVED_AT]: null,
          },
        },
      });
    }
    return { previousSource: previousSource ?? null };
  }

  async abortPromotion(
    target: FailoverSide,
    source: FailoverSide,
    ctx: FailoverCallContext,
  ): Promise<void> {
    requireSideStamped(target, await loadWorkload(target), ctx);
    await target.client.mergePatch(target.client.pathOf(target.workload), {
      metadata: {
        annotations: {
          [ANNOTATION_ROLE]: 'passive',
          [ANNOTATION_REPLICATION_SOURCE]: source.cluster,
        },
      },
    });
  }

  async isPromoted(target: FailoverSide): Promise<boolean> {
    const obj = await loadWorkload(target);
    return (
      annotation(obj, ANNOTATION_ROLE) === 'active' &&
      !annotation(obj, ANNOTATION_REPLICATION_SOURCE)
    );
  }

  async markFenced(
    old: FailoverSide,
    primary: FailoverSide,
    ctx: FailoverCallContext,
  ): Promise<void> {
    await this.fence(old, primary, ctx);
  }

  async reattach(
    old: FailoverSide,
    primary: FailoverSide,
    _undo: UndoData,
    ctx: FailoverCallContext,
  ): Promise<void> {
    const obj = await loadWorkload(old);
    const remembered = annotation(obj, ANNOTATION_FENCED_REPLICAS);
    if (
      annotation(obj, ANNOTATION_ROLE) === 'passive' &&
      annotation(obj, ANNOTATION_REPLICATION_SOURCE) === primary.cluster &&
      !remembered
    ) {
      return;
    }
    const replicas = remembered
      ? Number(remembered)
      : Number(obj.spec?.replicas ?? 1);
    requireSideStamped(old, obj, ctx);
    await old.client.mergePatch(old.client.pathOf(old.workload), {
      metadata: {
        annotations: {
          [ANNOTATION_ROLE]: 'passive',
          [ANNOTATION_REPLICATION_SOURCE]: primary.cluster,
          [ANNOTATION_FENCED_REPLICAS]: null,
          // The exporter publishes a fresh lag against the new source.
          [ANNOTATION_REPLICATION_LAG_SECONDS]: null,
          [ANNOTATION_REPLICATION_LAG_OBSERVED_AT]: null,
        },
      },
      spec: { replicas: Math.max(replicas, 1) },
    });
  }

  async verifyRoles(
    primary: FailoverSide,
    old: FailoverSide | undefined,
  ): Promise<string[]> {
    const problems: string[] = [];
    const p = await loadWorkload(primary);
    if (annotation(p, ANNOTATION_ROLE) !== 'active') {
      problems.push(`${primary.cluster} is not marked active`);
    }
    const desired = Number(p.spec?.replicas ?? 0);
    const ready = Number(p.status?.readyReplicas ?? 0);
    if (desired === 0 || ready < desired) {
      problems.push(`${primary.cluster}: ${ready}/${desired} pods ready`);
    }
    if (old) {
      const o = await old.client.get<KubeObject>(
        old.client.pathOf(old.workload),
      );
      if (o && annotation(o, ANNOTATION_ROLE) === 'active') {
        problems.push(`${old.cluster} is still marked active`);
      }
    }
    return problems;
  }
}
