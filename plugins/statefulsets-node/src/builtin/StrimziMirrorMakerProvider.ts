/*
 * Failover of Strimzi-run Kafka clusters mirrored by a KafkaMirrorMaker2:
 * the operator's resource says which way the mirror runs, so the provider
 * changes it and the operator follows. Promotion turns the mirror around
 * in one spec change (`spec.target` and `spec.mirrors[].source` trade
 * places), which stops the old→new flow and starts new→old; the connectors
 * the operator reports show it took. Kafka has no read-only switch, so the
 * fence is the route's (producers stopped, role annotation `fenced` on the
 * Kafka). Every reading of the data comes from a broker of each side's
 * Kafka through `pods/exec` (kafka-get-offsets.sh, kafka-consumer-groups.sh
 * in the first running pod labelled `strimzi.io/cluster=<kafka>`): the
 * catch-up wait ends once the target holds every record of the source's
 * end offsets and, where the checkpoint connector syncs group offsets,
 * every consumer group's offsets are translated; the data-loss window is
 * the records the target lacks, in offsets.
 */
import {
  ANNOTATION_REPLICATION_SOURCE,
  ANNOTATION_ROLE,
  describeWorkload,
  EngineDataLoss,
  FailoverStepDescriptions,
  FailoverStepSides,
  ReplicationLink,
} from '@multicluster/backstage-plugin-statefulsets-common';
import {
  FailoverCallContext,
  FailoverReplicationProvider,
  FailoverSide,
  LagReading,
  UndoData,
  WorkloadRef,
} from '../failover';
import { annotateRole, answerWithin, restoreRole } from './ExecEngineProvider';
import {
  EndOffsets,
  kafkaCommands,
  KafkaToolsPod,
  missingRecords,
  offsetsDataLoss,
  readEndOffsets,
  readGroupOffsets,
  strimziBrokerOf,
  waitForOffsets,
} from './kafkaExec';
import {
  directionOf,
  findStrimziMirrors,
  reversedSpec,
  sourceConnectorState,
  StrimziMirror,
  syncsGroupOffsets,
  writeSpec,
} from './strimziMirrorMaker';

/** Strimzi `Kafka` resources mirrored by a KafkaMirrorMaker2 (engine `kafka`). */
export class StrimziMirrorMakerProvider implements FailoverReplicationProvider {
  readonly id = 'strimzi-mirrormaker2';
  readonly catchUpInEngine = true;
  readonly #peekMs: number;
  readonly #pollMs: number;

  constructor(options?: {
    /** How long a read of a source that may be down may take (default 3 s). */
    sourcePeekMs?: number;
    /** Between two readings while waiting for the mirror (default 500 ms). */
    pollMs?: number;
  }) {
    this.#peekMs = options?.sourcePeekMs ?? 3_000;
    this.#pollMs = options?.pollMs ?? 500;
  }

  /** The topology reads Strimzi from the operator's resources already. */
  supports(): boolean {
    return false;
  }

  async readReplication(): Promise<ReplicationLink[]> {
    return [];
  }

  supportsWorkload(workload: WorkloadRef): boolean {
    return (
      workload.kind === 'Kafka' &&
      workload.apiVersion.startsWith('kafka.strimzi.io/')
    );
  }

  describeSteps(sides: FailoverStepSides): FailoverStepDescriptions {
    const source = sides.sourceCluster ?? '?';
    const target = sides.targetCluster;
    const kafka = (w: FailoverStepSides['sourceWorkload']) =>
      `the first running broker of ${w?.name ?? '?'} (strimzi.io/cluster=${
        w?.name ?? '?'
      })`;
    const srcPod = `${source}/${kafka(sides.sourceWorkload)}`;
    const tgtPod = `${target}/${kafka(sides.targetWorkload)}`;
    const offsets = kafkaCommands.endOffsets().join(' ');
    const groups = kafkaCommands.groups().join(' ');
    const swap = `KafkaMirrorMaker2 mirroring ${source} into ${target}: spec.target ← the mirror's source (alias ${source}, its bootstrapServers, tls, authentication), spec.mirrors[0].source ← the old target (alias ${target}); the operator restarts the connectors as ${target}->${source}`;
    return {
      fenceMethod: `strimzi-mirrormaker2: the producers of ${describeWorkload(
        sides.sourceWorkload,
      )} in ${source} are stopped by the route (role fenced; Kafka has no read-only switch), ${target} waits until MirrorMaker 2 has mirrored every record of ${source}'s end offsets and translated the consumer groups' offsets, then the KafkaMirrorMaker2 is turned around`,
      fence: [
        `${source}: producers stopped (role annotation fenced on the Kafka; its brokers keep running so MirrorMaker 2 can drain them)`,
        `${srcPod}: ${offsets} (the end offsets the target must reach)`,
        `${srcPod}: ${groups}`,
      ],
      promote: [
        `${tgtPod}: ${offsets} until every partition reaches ${source}'s end offset`,
        `${tgtPod}: ${groups} until every group's offsets are translated (where the checkpoint connector sets sync.group.offsets.enabled)`,
        swap,
      ],
      fenceOldSource: [
        `${source}: no change to the Kafka; it follows ${target} through the reversed KafkaMirrorMaker2 once it answers (records only it has stay there)`,
      ],
      reattach: [
        `${source}: role passive, replicating from ${target} through the reversed KafkaMirrorMaker2 (the role the topology reads where no MirrorMaker 2 of ${source} names its Kafka)`,
      ],
      promoteWithoutSource: [
        swap,
        `data-loss window: the sum over partitions of ${srcPod}'s end offset minus ${tgtPod}'s (${offsets} on both), recorded with the run; unknown while ${source} does not answer`,
      ],
    };
  }

  /** A side's first running broker, or an error saying why none can be read. */
  async #broker(side: FailoverSide): Promise<KafkaToolsPod> {
    const b = await strimziBrokerOf(side);
    if (!b)
      throw new Error(
        `No running broker of the Kafka ${side.workload.namespace}/${side.workload.name} in ${side.cluster} can be exec'd into (pods labelled strimzi.io/cluster=${side.workload.name}, strimzi.io/kind=Kafka)`,
      );
    return b;
  }

  /** A side's end offsets when it answers within the peek bound, else undefined. */
  #offsetsIfAnswering(
    side: FailoverSide,
    ctx: FailoverCallContext,
  ): Promise<EndOffsets | undefined> {
    return answerWithin(
      strimziBrokerOf(side).then(b => (b ? readEndOffsets(b, ctx) : undefined)),
      this.#peekMs,
    );
  }

  /** The records of the source's end offsets the target lacks (reads only). */
  async readDataLoss(
    target: FailoverSide,
    source: FailoverSide,
    ctx: FailoverCallContext,
  ): Promise<Omit<EngineDataLoss, 'provider'> | undefined> {
    const t = await strimziBrokerOf(target);
    if (!t) return undefined;
    const have = await readEndOffsets(t, ctx);
    const want = await this.#offsetsIfAnswering(source, ctx);
    return offsetsDataLoss(want, have, source.cluster, target.cluster);
  }

  async #mirrors(a: FailoverSide, b: FailoverSide): Promise<StrimziMirror[]> {
    // A side that does not answer (an emergency) holds no mirror to change.
    const clusters = [a.cluster, b.cluster];
    const found: StrimziMirror[] = [];
    for (const side of [a, b])
      found.push(
        ...(await findStrimziMirrors([side], clusters).catch(() => [])),
      );
    return found;
  }

  async readLag(): Promise<LagReading> {
    // The lag source (Prometheus) reads MirrorMaker 2's latency.
    return { seconds: null };
  }

  async fence(
    source: FailoverSide,
    _target: FailoverSide,
    ctx: FailoverCallContext,
  ): Promise<UndoData> {
    const kafka = await source.client.get(
      source.client.pathOf(source.workload),
    );
    const annotations = kafka?.metadata?.annotations ?? {};
    const previousRole = annotations[ANNOTATION_ROLE];
    const rerun = previousRole === 'fenced';
    if (!rerun) await annotateRole(source, 'fenced', null);
    const b = await this.#broker(source);
    return {
      previousRole: rerun ? 'active' : previousRole ?? 'active',
      previousSource: annotations[ANNOTATION_REPLICATION_SOURCE] ?? null,
      pod: b.pod,
      endOffsets: await readEndOffsets(b, ctx),
    };
  }

  async unfence(source: FailoverSide, undo: UndoData): Promise<void> {
    await restoreRole(source, undo);
  }

  async waitCaughtUp(
    target: FailoverSide,
    source: FailoverSide,
    ctx: FailoverCallContext & { timeoutMs: number; since?: number },
  ): Promise<LagReading> {
    const mirrors = await this.#mirrors(target, source);
    const into = mirrors.find(
      m => directionOf(m.resource)?.to === target.cluster,
    );
    if (!into) {
      throw new Error(
        `No KafkaMirrorMaker2 mirrors ${source.cluster} into ${target.cluster} (spec.target.alias ${target.cluster}, spec.mirrors[0].source.alias ${source.cluster}), so ${target.cluster} cannot catch up; fail over without waiting instead`,
      );
    }
    const state = sourceConnectorState(into.resource);
    if (state !== 'RUNNING') {
      throw new Error(
        `The ${source.cluster}->${target.cluster} MirrorSourceConnector of ${
          into.resource.metadata.name
        } is ${state ?? 'not reported'}, not RUNNING: ${
          target.cluster
        } does not catch up; see the KafkaMirrorMaker2 status in ${
          into.side.cluster
        }`,
      );
    }
    const [t, s] = await Promise.all([
      this.#broker(target),
      this.#broker(source),
    ]);
    const groups = syncsGroupOffsets(into.resource);
    const [want, wantGroups] = await Promise.all([
      readEndOffsets(s, ctx),
      groups ? readGroupOffsets(s, ctx) : Promise.resolve(undefined),
    ]);
    await waitForOffsets({
      target: t,
      want,
      wantGroups,
      ctx,
      timeoutMs: ctx.timeoutMs,
      pollMs: this.#pollMs,
      source: source.cluster,
      hint: `check the connectors of the KafkaMirrorMaker2 ${into.resource.metadata.name} in ${into.side.cluster} and that it reaches both Kafkas`,
    });
    return { seconds: 0, observedAt: new Date(ctx.now()).toISOString() };
  }

  /** Turns every mirror source→target around (idempotent). */
  async #reverse(
    from: string,
    to: string,
    mirrors: StrimziMirror[],
  ): Promise<string[]> {
    const changed: string[] = [];
    for (const m of mirrors) {
      const d = directionOf(m.resource);
      if (d?.from !== from || d.to !== to) continue;
      await writeSpec(m, reversedSpec(m.resource.spec));
      changed.push(`${m.side.cluster}/${m.resource.metadata.name}`);
    }
    return changed;
  }

  async promote(
    target: FailoverSide,
    source: FailoverSide,
    ctx: FailoverCallContext & { fenced?: UndoData; emergency: boolean },
  ): Promise<UndoData> {
    const mirrors = await this.#mirrors(target, source);
    if (!mirrors.length) {
      throw new Error(
        `No KafkaMirrorMaker2 between ${source.cluster} and ${target.cluster} was found in either cluster's namespace ${target.workload.namespace}; its aliases must be the cluster names`,
      );
    }
    // What the target holds when the flow stops, against the source's end
    // offsets the fence read (or the source's own, when it answers).
    const t = await strimziBrokerOf(target);
    const have = t ? await readEndOffsets(t, ctx) : undefined;
    const want =
      (ctx.fenced?.endOffsets as EndOffsets | undefined) ??
      (await this.#offsetsIfAnswering(source, ctx));
    const lost = have && want ? missingRecords(want, have) : undefined;
    const reversed = await this.#reverse(
      source.cluster,
      target.cluster,
      mirrors,
    );
    await annotateRole(target, 'active', null);
    return {
      reversed,
      ...(t && { pod: t.pod }),
      endOffsets: have ?? null,
      sourceEndOffsets: want ?? null,
      lostRecords: lost ? lost.records : null,
      ...(lost?.partitions.length && { lostPartitions: lost.partitions }),
    };
  }

  async abortPromotion(
    target: FailoverSide,
    source: FailoverSide,
  ): Promise<void> {
    await this.#reverse(
      target.cluster,
      source.cluster,
      await this.#mirrors(target, source),
    );
    await annotateRole(target, 'passive', source.cluster);
  }

  async isPromoted(
    target: FailoverSide,
    _ctx: FailoverCallContext,
  ): Promise<boolean> {
    // Mirrors held in the target's cluster; one held elsewhere is seen by
    // verifyRoles, which gets both sides.
    const mine = await findStrimziMirrors([target], []).catch(() => []);
    return !mine.some(m => directionOf(m.resource)?.to === target.cluster);
  }

  async markFenced(old: FailoverSide, primary: FailoverSide): Promise<void> {
    // Producers stopped first: whatever else happens, it takes no writes.
    await annotateRole(old, 'fenced', null);
    await this.#reverse(
      old.cluster,
      primary.cluster,
      await this.#mirrors(primary, old),
    );
    await annotateRole(old, 'passive', primary.cluster);
  }

  /** After a switchover the old source follows through the reversed mirror. */
  async reattach(old: FailoverSide, primary: FailoverSide): Promise<void> {
    await annotateRole(old, 'passive', primary.cluster);
  }

  async verifyRoles(
    primary: FailoverSide,
    old: FailoverSide | undefined,
  ): Promise<string[]> {
    if (!old) return [];
    const mirrors = await this.#mirrors(primary, old);
    const problems = mirrors
      .filter(m => directionOf(m.resource)?.to === primary.cluster)
      .map(
        m =>
          `KafkaMirrorMaker2 ${m.side.cluster}/${m.resource.metadata.name} still mirrors ${old.cluster} into ${primary.cluster}`,
      );
    if (!mirrors.some(m => directionOf(m.resource)?.to === old.cluster))
      problems.push(
        `no KafkaMirrorMaker2 mirrors ${primary.cluster} into ${old.cluster}`,
      );
    return problems;
  }
}
