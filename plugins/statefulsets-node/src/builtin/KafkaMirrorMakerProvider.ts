/*
 * Failover of Kafka clusters mirrored by MirrorMaker 2 (dedicated mode,
 * mm2.properties in a ConfigMap, run by a StatefulSet or Deployment): the
 * role of a cluster is the mirror direction, so a switchover stops the
 * producers of the old side (Kafka has no read-only switch: the product's
 * route fence, role `fenced`), waits until the new side's end offsets
 * equal the old side's on every partition and every consumer group's
 * offsets are translated (checkpoints, sync.group.offsets.enabled), then
 * stops the old→new flow and starts new→old, by rewriting mm2.properties
 * and restarting MirrorMaker 2. An emergency failover stops the flow
 * without waiting and records the records lost (end offset differences).
 * Every reading comes from the brokers through `pods/exec`
 * (kafka-get-offsets.sh, kafka-consumer-groups.sh); the role annotations
 * follow. Where a side cannot be exec'd into, the generic provider acts.
 */
import {
  ANNOTATION_REPLICATION_SOURCE,
  ANNOTATION_ROLE,
  EngineDataLoss,
  FailoverStepDescriptions,
  FailoverStepSides,
  KubeObject,
} from '@multicluster/backstage-plugin-statefulsets-common';
import {
  FailoverCallContext,
  FailoverReplicationProvider,
  FailoverSide,
  LagReading,
  UndoData,
} from '../failover';
import {
  EndOffsets,
  KafkaBroker,
  kafkaBrokerOf,
  missingRecords,
  offsetsDataLoss,
  readEndOffsets,
  readGroupOffsets,
  waitForOffsets,
} from './kafkaExec';
import {
  aliasesOf,
  flowEnabled,
  mirrorMakersOf,
  switchFlows,
} from './kafkaMirrorMaker';
import { describeKafkaSteps } from './kafkaSteps';
import {
  annotateRole,
  answerWithin,
  EngineFallback,
  ExecEngineProvider,
  restoreRole,
} from './ExecEngineProvider';

/** Kafka StatefulSets mirrored by MirrorMaker 2 (engine `kafka`). */
export class KafkaMirrorMakerProvider
  extends ExecEngineProvider<KafkaBroker>
  implements FailoverReplicationProvider
{
  readonly id = 'kafka-mirrormaker2';
  protected readonly engine = 'kafka';
  readonly #peekMs: number;
  readonly #pollMs: number;

  constructor(options?: {
    fallback?: EngineFallback;
    /** How long a read of a source that may be down may take (default 3 s). */
    sourcePeekMs?: number;
    /** Between two readings while waiting for the mirror (default 500 ms). */
    pollMs?: number;
  }) {
    super(options?.fallback);
    this.#peekMs = options?.sourcePeekMs ?? 3_000;
    this.#pollMs = options?.pollMs ?? 500;
  }

  protected describe(sides: FailoverStepSides): FailoverStepDescriptions {
    return describeKafkaSteps(sides);
  }

  protected reach(
    side: FailoverSide,
    sts: KubeObject,
  ): KafkaBroker | undefined {
    return kafkaBrokerOf(side, sts);
  }

  /** A side's end offsets when it answers within the peek bound, else undefined. */
  #offsetsIfAnswering(
    side: FailoverSide,
    ctx: FailoverCallContext,
  ): Promise<EndOffsets | undefined> {
    const read = this.engineOn(side, ctx).then(b =>
      b ? readEndOffsets(b, ctx) : undefined,
    );
    return answerWithin(read, this.#peekMs);
  }

  async readLag(
    target: FailoverSide,
    ctx: FailoverCallContext,
  ): Promise<LagReading> {
    return this.fallback.readLag(target, ctx);
  }

  /** The records of the source's end offsets the target lacks (reads only). */
  async readDataLoss(
    target: FailoverSide,
    source: FailoverSide,
    ctx: FailoverCallContext,
  ): Promise<Omit<EngineDataLoss, 'provider'> | undefined> {
    const t = await this.engineOn(target, ctx);
    if (!t) return undefined;
    const have = await readEndOffsets(t, ctx);
    const want = await this.#offsetsIfAnswering(source, ctx);
    return offsetsDataLoss(want, have, source.cluster, target.cluster);
  }

  async fence(
    source: FailoverSide,
    target: FailoverSide,
    ctx: FailoverCallContext,
  ): Promise<UndoData> {
    return this.either(
      source,
      async s => {
        const annotations = s.statefulSet.metadata.annotations ?? {};
        const previousRole = annotations[ANNOTATION_ROLE];
        const rerun = previousRole === 'fenced';
        if (!rerun) await annotateRole(source, 'fenced', null);
        return {
          previousRole: rerun ? 'active' : previousRole ?? 'active',
          previousSource: annotations[ANNOTATION_REPLICATION_SOURCE] ?? null,
          pod: s.pod,
          endOffsets: await readEndOffsets(s, ctx),
        };
      },
      f => f.fence(source, target, ctx),
      ctx,
    );
  }

  async unfence(
    source: FailoverSide,
    undo: UndoData,
    ctx: FailoverCallContext,
  ): Promise<void> {
    return this.either(
      source,
      async () => restoreRole(source, undo),
      f => f.unfence(source, undo, ctx),
      ctx,
    );
  }

  async waitCaughtUp(
    target: FailoverSide,
    source: FailoverSide,
    ctx: FailoverCallContext & { timeoutMs: number; since?: number },
  ): Promise<LagReading> {
    const [t, s] = await Promise.all([
      this.engineOn(target, ctx),
      this.engineOn(source, ctx),
    ]);
    if (!t || !s) return this.fallback.waitCaughtUp(target, source, ctx);
    const configs = await mirrorMakersOf([target, source], t);
    if (!configs.some(c => flowEnabled(c.text, source.cluster, target.cluster)))
      throw new Error(
        `No MirrorMaker 2 flow ${source.cluster}->${target.cluster} is enabled, so ${target.cluster} cannot catch up; enable it in mm2.properties (or fail over without waiting)`,
      );
    const [want, wantGroups] = await Promise.all([
      readEndOffsets(s, ctx),
      readGroupOffsets(s, ctx),
    ]);
    await waitForOffsets({
      target: t,
      want,
      wantGroups,
      ctx,
      timeoutMs: ctx.timeoutMs,
      pollMs: this.#pollMs,
      source: source.cluster,
      hint: 'check that MirrorMaker 2 runs (kubectl logs) and reaches both clusters',
    });
    return { seconds: 0, observedAt: new Date(ctx.now()).toISOString() };
  }

  async promote(
    target: FailoverSide,
    source: FailoverSide,
    ctx: FailoverCallContext & { fenced?: UndoData; emergency: boolean },
  ): Promise<UndoData> {
    return this.either(
      target,
      async t => {
        const have = await readEndOffsets(t, ctx);
        const want =
          (ctx.fenced?.endOffsets as EndOffsets | undefined) ??
          (await this.#offsetsIfAnswering(source, ctx));
        const lost = want ? missingRecords(want, have) : undefined;
        const configs = await mirrorMakersOf([target, source], t);
        await switchFlows(configs, [
          { from: source.cluster, to: target.cluster, enabled: false },
        ]);
        await annotateRole(target, 'active', null);
        return {
          pod: t.pod,
          endOffsets: have,
          sourceEndOffsets: want ?? null,
          lostRecords: lost ? lost.records : null,
          ...(lost?.partitions.length && { lostPartitions: lost.partitions }),
        };
      },
      f => f.promote(target, source, ctx),
      ctx,
    );
  }

  /** Makes `old` follow `primary`: primary→old on, old→primary off. */
  async #follow(
    old: FailoverSide,
    primary: FailoverSide,
    b: KafkaBroker,
  ): Promise<void> {
    const configs = await mirrorMakersOf([primary, old], b);
    await switchFlows(configs, [
      { from: old.cluster, to: primary.cluster, enabled: false },
      { from: primary.cluster, to: old.cluster, enabled: true },
    ]);
    await annotateRole(old, 'passive', primary.cluster);
  }

  async abortPromotion(
    target: FailoverSide,
    source: FailoverSide,
    ctx: FailoverCallContext,
  ): Promise<void> {
    const t = await this.engineOn(target, ctx);
    if (!t) return this.fallback.abortPromotion(target, source, ctx);
    return this.#follow(target, source, t);
  }

  async isPromoted(
    target: FailoverSide,
    ctx: FailoverCallContext,
  ): Promise<boolean> {
    return this.either(
      target,
      async t => {
        const configs = await mirrorMakersOf([target], t);
        // MirrorMaker 2 runs in the other cluster: the role it last set.
        if (!configs.length)
          return (
            t.statefulSet.metadata.annotations?.[ANNOTATION_ROLE] === 'active'
          );
        return !configs.some(c =>
          aliasesOf(c.text).some(
            a => a !== target.cluster && flowEnabled(c.text, a, target.cluster),
          ),
        );
      },
      f => f.isPromoted(target, ctx),
      ctx,
    );
  }

  async markFenced(
    old: FailoverSide,
    primary: FailoverSide,
    ctx: FailoverCallContext,
  ): Promise<void> {
    const o = await this.engineOn(old, ctx);
    if (!o) return this.fallback.markFenced(old, primary, ctx);
    // Producers stopped first: whatever else happens, it takes no writes.
    await annotateRole(old, 'fenced', null);
    await this.#follow(old, primary, o);
    return undefined;
  }

  async reattach(
    old: FailoverSide,
    primary: FailoverSide,
    undo: UndoData,
    ctx: FailoverCallContext,
  ): Promise<void> {
    const o = await this.engineOn(old, ctx);
    if (!o) return this.fallback.reattach?.(old, primary, undo, ctx);
    return this.#follow(old, primary, o);
  }

  async verifyRoles(
    primary: FailoverSide,
    old: FailoverSide | undefined,
    ctx: FailoverCallContext,
  ): Promise<string[]> {
    const p = await this.engineOn(primary, ctx);
    if (!p) return this.fallback.verifyRoles(primary, old, ctx);
    const sides = old ? [primary, old] : [primary];
    const configs = await mirrorMakersOf(sides, p);
    const problems: string[] = [];
    for (const c of configs) {
      for (const a of aliasesOf(c.text)) {
        if (a !== primary.cluster && flowEnabled(c.text, a, primary.cluster))
          problems.push(
            `MirrorMaker 2 (${c.side.cluster} ConfigMap ${c.configMap.metadata.name}) still mirrors ${a} into ${primary.cluster}`,
          );
      }
    }
    if (
      old &&
      !configs.some(c => flowEnabled(c.text, primary.cluster, old.cluster))
    )
      problems.push(
        `no MirrorMaker 2 flow ${primary.cluster}->${old.cluster} is enabled: ${old.cluster} does not follow the new primary`,
      );
    return problems;
  }
}
