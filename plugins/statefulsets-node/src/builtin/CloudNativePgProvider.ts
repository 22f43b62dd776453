/*
 * Failover of CloudNativePG replica clusters across Kubernetes clusters
 * through the operator's own API: a switchover demotes the primary by
 * pointing its `spec.replica.primary` at the target and waits for
 * `status.demotionToken`, then promotes the target with that token (the
 * operator replays up to it first: no data lost). An emergency failover
 * promotes without a token and fences the old side with
 * `cnpg.io/fencedInstances` once it answers again.
 */
import {
  ANNOTATION_CNPG_FENCED_INSTANCES,
  describeCloudNativePgSteps,
  FailoverStepDescriptions,
  FailoverStepSides,
  KubeObject,
  replicationFromCnpg,
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
import {
  lagFromAnnotations,
  requireSideStamped,
  waitForCatchUp,
} from './GenericStatefulSetProvider';

async function load(side: FailoverSide): Promise<KubeObject> {
  const obj = await side.client.get<KubeObject>(
    side.client.pathOf(side.workload),
  );
  if (!obj) {
    throw new Error(
      `Cluster ${side.workload.namespace}/${side.workload.name} not found in ${side.cluster}`,
    );
  }
  return obj;
}

/** The name a CNPG Cluster calls itself in the distributed topology. */
function selfName(obj: KubeObject, fallback: string): string {
  return obj.spec?.replica?.self ?? fallback;
}

function reportsPrimary(obj: KubeObject): boolean {
  return Object.values<any>(obj.status?.instancesReportedState ?? {}).some(
    s => s?.isPrimary === true,
  );
}

/**
 * CloudNativePG replica clusters (`spec.replica`) across Kubernetes
 * clusters: reads their roles and lag, switches over and fails over.
 */
export class CloudNativePgProvider
  implements ReplicationProvider, FailoverReplicationProvider
{
  readonly id = 'cloudnative-pg';
  readonly #pollMs: number;
  readonly #operatorTimeoutMs: number;

  constructor(options?: {
    pollIntervalMs?: number;
    operatorTimeoutMs?: number;
  }) {
    this.#pollMs = options?.pollIntervalMs ?? 100;
    this.#operatorTimeoutMs = options?.operatorTimeoutMs ?? 60_000;
  }

  supports(context: EntityContext): boolean {
    return context.clusters.some(
      v => (v.objects?.cnpgClusters.length ?? 0) > 0,
    );
  }

  async readReplication(context: EntityContext): Promise<ReplicationLink[]> {
    return replicationFromCnpg(
      byCluster(context.clusters, v => v.objects?.cnpgClusters),
      { now: context.now, maxLagSeconds: context.policy.maxFailoverLagSeconds },
    );
  }

  supportsWorkload(workload: WorkloadRef): boolean {
    return (
      workload.kind === 'Cluster' &&
      workload.apiVersion.startsWith('postgresql.cnpg.io/')
    );
  }

  describeSteps(sides: FailoverStepSides): FailoverStepDescriptions {
    return describeCloudNativePgSteps(sides);
  }

  async readLag(target: FailoverSide): Promise<LagReading> {
    const obj = await load(target);
    const status = obj.status?.replicationLag;
    if (status && Number.isFinite(Number(status.seconds))) {
      return { seconds: Number(status.seconds), observedAt: status.observedAt };
    }
    return lagFromAnnotations(obj);
  }

  async fence(
    source: FailoverSide,
    target: FailoverSide,
    ctx: FailoverCallContext,
  ): Promise<UndoData> {
    const [src, tgt] = await Promise.all([load(source), load(target)]);
    const sourceSelf = selfName(src, source.cluster);
    const targetSelf = selfName(tgt, target.cluster);
    if (src.spec?.replica?.primary !== targetSelf) {
      requireSideStamped(source, src, ctx);
      await source.client.mergePatch(source.client.pathOf(source.workload), {
        spec: { replica: { primary: targetSelf } },
      });
    }
    const token = await pollUntil(
      async () =>
        (
          await load(source)
        ).status?.demotionToken as string | undefined,
      {
        timeoutMs: this.#operatorTimeoutMs,
        intervalMs: this.#pollMs,
        signal: ctx.signal,
        describe: () => `${source.cluster} published no status.demotionToken`,
      },
    );
    return { previousPrimary: sourceSelf, targetSelf, demotionToken: token };
  }

  async unfence(
    source: FailoverSide,
    undo: UndoData,
    ctx: FailoverCallContext,
  ): Promise<void> {
    const obj = await load(source);
    const self = String(undo.previousPrimary ?? selfName(obj, source.cluster));
    if (obj.spec?.replica?.primary === self && reportsPrimary(obj)) return;
    requireSideStamped(source, obj, ctx);
    // Nothing was written elsewhere since the demotion (the target was never
    // promoted), so the old primary may take the role back without a token.
    await source.client.mergePatch(source.client.pathOf(source.workload), {
      spec: {
        replica: { primary: self, enabled: false, promotionToken: null },
      },
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
    ctx: FailoverCallContext & { fenced?: UndoData; emergency: boolean },
  ): Promise<UndoData> {
    const obj = await load(target);
    const self = selfName(obj, target.cluster);
    const token = ctx.fenced?.demotionToken as string | undefined;
    if (!(obj.spec?.replica?.primary === self && reportsPrimary(obj))) {
      requireSideStamped(target, obj, ctx);
      const replica: Record<string, unknown> = { primary: self };
      if (ctx.emergency || !token) {
        replica.enabled = false;
        replica.promotionToken = null;
      } else {
        replica.promotionToken = token;
      }
      await target.client.mergePatch(target.client.pathOf(target.workload), {
        spec: { replica },
      });
    }
    await pollUntil(
      async () => ((await this.isPromoted(target)) ? true : undefined),
      {
        timeoutMs: this.#operatorTimeoutMs,
        intervalMs: this.#pollMs,
        signal: ctx.signal,
        describe: () => `${target.cluster} did not report a primary`,
      },
    );
    return { promotionToken: token ?? null };
  }

  async abortPromotion(
    target: FailoverSide,
    source: FailoverSide,
    ctx: FailoverCallContext,
  ): Promise<void> {
    requireSideStamped(target, await load(target), ctx);
    // A source that does not answer keeps the name the run knows it by.
    const src = await source.client
      .get<KubeObject>(source.client.pathOf(source.workload))
      .catch(() => undefined);
    await target.client.mergePatch(target.client.pathOf(target.workload), {
      spec: {
        replica: {
          primary: src ? selfName(src, source.cluster) : source.cluster,
          promotionToken: null,
        },
      },
    });
  }

  async isPromoted(target: FailoverSide): Promise<boolean> {
    const obj = await load(target);
    return (
      reportsPrimary(obj) &&
      (obj.spec?.replica?.primary ?? selfName(obj, target.cluster)) ===
        selfName(obj, target.cluster)
    );
  }

  async markFenced(
    old: FailoverSide,
    primary: FailoverSide,
    ctx: FailoverCallContext,
  ): Promise<void> {
    const [o, p] = await Promise.all([load(old), load(primary)]);
    const primarySelf = selfName(p, primary.cluster);
    if (
      o.metadata.annotations?.[ANNOTATION_CNPG_FENCED_INSTANCES] === '["*"]' &&
      o.spec?.replica?.primary === primarySelf
    ) {
      return;
    }
    requireSideStamped(old, o, ctx);
    await old.client.mergePatch(old.client.pathOf(old.workload), {
      metadata: {
        annotations: { [ANNOTATION_CNPG_FENCED_INSTANCES]: '["*"]' },
      },
      spec: { replica: { primary: primarySelf } },
    });
  }

  async verifyRoles(
    primary: FailoverSide,
    old: FailoverSide | undefined,
  ): Promise<string[]> {
    const problems: string[] = [];
    const p = await load(primary);
    if (!reportsPrimary(p)) problems.push(`${primary.cluster} has no primary`);
    const want = Number(p.spec?.instances ?? 1);
    const ready = Number(p.status?.readyInstances ?? 0);
    if (ready < want) {
      problems.push(`${primary.cluster}: ${ready}/${want} instances ready`);
    }
    if (old) {
      const o = await old.client.get<KubeObject>(
        old.client.pathOf(old.workload),
      );
      if (o && reportsPrimary(o)) {
        problems.push(`${old.cluster} still reports a primary`);
      }
    }
    return problems;
  }
}
