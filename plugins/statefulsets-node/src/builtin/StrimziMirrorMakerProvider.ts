/*
 * Failover of Strimzi-run Kafka clusters mirrored by a KafkaMirrorMaker2:
 * the operator's resource says which way the mirror runs, so the provider
 * changes it and the operator follows. Promotion turns the mirror around
 * in one spec change (`spec.target` and `spec.mirrors[].source` trade
 * places), which stops the old→new flow and starts new→old; the connectors
 * the operator reports show it took. Kafka has no read-only switch and the
 * brokers are the operator's, so the fence is the route's (producers
 * stopped) and the catch-up wait is the lag source's
 * (`kafka_connect_mirror_mirrorsourceconnector_replication_latency_ms`).
 */
import {
  describeWorkload,
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
import {
  directionOf,
  findStrimziMirrors,
  reversedSpec,
  sourceConnectorState,
  StrimziMirror,
  writeSpec,
} from './strimziMirrorMaker';

/** Strimzi `Kafka` resources mirrored by a KafkaMirrorMaker2 (engine `kafka`). */
export class StrimziMirrorMakerProvider implements FailoverReplicationProvider {
  readonly id = 'strimzi-mirrormaker2';

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
    const swap = `KafkaMirrorMaker2 mirroring ${source} into ${target}: spec.target ← the mirror's source (alias ${source}, its bootstrapServers, tls, authentication), spec.mirrors[0].source ← the old target (alias ${target}); the operator restarts the connectors as ${target}->${source}`;
    return {
      fenceMethod: `strimzi-mirrormaker2: the producers of ${describeWorkload(
        sides.sourceWorkload,
      )} in ${source} are stopped by the route (Kafka has no read-only switch), ${target} waits until the replication latency MirrorMaker 2 reports is drained, then the KafkaMirrorMaker2 is turned around`,
      fence: [
        `${source}: no change to the Kafka (its producers are stopped by the route)`,
      ],
      promote: [
        `wait until kafka_connect_mirror_mirrorsourceconnector_replication_latency_ms for ${source}->${target} is drained`,
        swap,
      ],
      fenceOldSource: [
        `${source}: no change to the Kafka; it follows ${target} through the reversed KafkaMirrorMaker2 once it answers (records only it has stay there)`,
      ],
      promoteWithoutSource: [
        swap,
        `data-loss window: the replication latency at the time of failover (the operator's brokers are not exec'd into, so no offsets are compared)`,
      ],
    };
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

  async fence(): Promise<UndoData> {
    return {};
  }

  async unfence(): Promise<void> {
    return undefined;
  }

  async waitCaughtUp(
    target: FailoverSide,
    source: FailoverSide,
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
    return { seconds: null };
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

  async promote(target: FailoverSide, source: FailoverSide): Promise<UndoData> {
    const mirrors = await this.#mirrors(target, source);
    if (!mirrors.length) {
      throw new Error(
        `No KafkaMirrorMaker2 between ${source.cluster} and ${target.cluster} was found in either cluster's namespace ${target.workload.namespace}; its aliases must be the cluster names`,
      );
    }
    const reversed = await this.#reverse(
      source.cluster,
      target.cluster,
      mirrors,
    );
    return { reversed };
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
    await this.#reverse(
      old.cluster,
      primary.cluster,
      await this.#mirrors(primary, old),
    );
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
