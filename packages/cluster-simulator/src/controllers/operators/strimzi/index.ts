/*
 * Plays the Strimzi cluster operator for `kafka.strimzi.io/v1` resources.
 *
 * A KRaft `Kafka` runs its nodes from the `KafkaNodePool`s labelled
 * `strimzi.io/cluster: <kafka>`: one `StrimziPodSet` `<kafka>-<pool>` per
 * pool owning the pods `<kafka>-<pool>-<node id>` (node ids unique across
 * the pools, kept while a pool keeps its size), data claims
 * `data-<kafka>-<pool>-<id>` (`data-<volume id>-…` for JBOD volumes), the
 * Services `<kafka>-kafka-bootstrap` and `<kafka>-kafka-brokers`, and one
 * bootstrap Service per external listener. The status publishes every
 * listener's bootstrap address (a load balancer's or route's host name
 * carries the Kubernetes cluster's name, so each cluster's address is its
 * own), the Kafka version, the cluster id and the node pools.
 *
 * A `KafkaMirrorMaker2` runs its Connect pods `<name>-mirrormaker2-<n>` and
 * reports one source (and checkpoint) connector per mirror. A mirror's
 * source is the Kafka, in any cluster of the world, whose status publishes
 * the mirror's bootstrap address (a `.svc` address only in the
 * MirrorMaker's own cluster). The lag of each mirrored flow is written as
 * the simulator's lag record on the target `Kafka`: it grows while the
 * source is cut off or down, or while the source connector is paused,
 * stopped or failed.
 *
 * Labels of a resource are propagated to what is made for it, as Strimzi
 * does.
 */
import { type Controller } from '../../types';
import { safeList } from './resources';
import { reconcileKafka } from './kafka';
import { clearStaleLag, reconcileMirrorMaker2 } from './mirrorMaker2';

export {
  DEFAULT_KAFKA_VERSION,
  externalBootstrapHost,
  kafkaImage,
  OPERATOR_VERSION,
  PODSET_API,
  STRIMZI_API,
} from './resources';
export { bootstrapAddresses } from './kafka';
export { assignNodeIds } from './nodePools';

/** The Strimzi cluster operator, run in every cluster that has its CRDs. */
export function strimziController(): Controller {
  return {
    name: 'strimzi',
    reconcile(ctx) {
      if (ctx.isDown(ctx.cluster.name)) return;
      const api = ctx.cluster;
      const kafkas = safeList(api, 'Kafka').filter(
        k => !k.metadata.deletionTimestamp,
      );
      if (kafkas.length) {
        const pools = safeList(api, 'KafkaNodePool');
        for (const kafka of kafkas) reconcileKafka(ctx, kafka, pools);
      }
      const targets = new Set<string>();
      for (const mm2 of safeList(api, 'KafkaMirrorMaker2')) {
        if (mm2.metadata.deletionTimestamp) continue;
        const namespace = mm2.metadata.namespace ?? 'default';
        for (const kafka of reconcileMirrorMaker2(ctx, mm2)) {
          targets.add(`${namespace}/${kafka}`);
        }
      }
      clearStaleLag(api, kafkas, targets);
    },
  };
}
