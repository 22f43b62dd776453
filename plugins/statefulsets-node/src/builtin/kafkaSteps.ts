/*
 * What the Kafka MirrorMaker 2 provider runs in each step, in words for the
 * plan: the tools it execs in the first broker and the mm2.properties lines
 * it rewrites (no credentials are involved).
 */
import {
  describeWorkload,
  FailoverStepDescriptions,
  FailoverStepSides,
} from '@multicluster/backstage-plugin-statefulsets-common';
import { kafkaCommands } from './kafkaExec';

function firstBroker(w: FailoverStepSides['sourceWorkload']): string {
  return w ? `${w.name}-${w.ordinalsStart}` : '?';
}

/** The Kafka provider's steps, each with the commands it runs and where. */
export function describeKafkaSteps(
  sides: FailoverStepSides,
): FailoverStepDescriptions {
  const source = sides.sourceCluster ?? '?';
  const target = sides.targetCluster;
  const srcPod = `${source}/${firstBroker(sides.sourceWorkload)}`;
  const tgtPod = `${target}/${firstBroker(sides.targetWorkload)}`;
  const offsets = kafkaCommands.endOffsets().join(' ');
  const groups = kafkaCommands.groups().join(' ');
  const stop = `mm2.properties: ${source}->${target}.enabled = false, then the MirrorMaker 2 pods restart (scaled to one replica where a flow must run)`;
  const start = `mm2.properties: ${target}->${source}.enabled = true, then the MirrorMaker 2 pods restart`;
  return {
    fenceMethod: `kafka-mirrormaker2: the producers of ${describeWorkload(
      sides.sourceWorkload,
    )} in ${source} are stopped (role fenced: the route sends no more writes there; Kafka has no read-only switch), then ${target} waits until MirrorMaker 2 has mirrored every record and translated every consumer group offset before the ${source}->${target} flow stops and ${target}->${source} starts`,
    fence: [
      `${source}: producers stopped (role annotation fenced; the brokers keep running so MirrorMaker 2 can drain them)`,
      `${srcPod}: ${offsets} (the end offsets the target must reach)`,
      `${srcPod}: ${groups}`,
    ],
    promote: [
      `${tgtPod}: ${offsets} until every partition reaches ${source}'s end offset`,
      `${tgtPod}: ${groups} until every group's offsets are translated (checkpoints, sync.group.offsets.enabled)`,
      stop,
    ],
    fenceOldSource: [
      `${source}: producers stopped (role fenced) once it answers; ${start} so it follows ${target} (records it took that ${target} lacks stay only there)`,
    ],
    promoteWithoutSource: [
      stop,
      `data-loss window: the sum over partitions of ${srcPod}'s last known end offset minus ${tgtPod}'s (${offsets} on both), recorded with the run; unknown while ${source} does not answer`,
    ],
    reattach: [start, `${source}: role passive, replicating from ${target}`],
  };
}
