/*
 * The Kafka engine emulator: the command-line tools of the apache/kafka,
 * bitnami/kafka, confluentinc/cp-kafka and Strimzi Kafka images, talking
 * to the emulated clusters their `--bootstrap-server` leads to (broker
 * StatefulSets and Strimzi `Kafka`s alike). A replica StatefulSet's lag is
 * MirrorMaker 2's record age into it (./lag).
 */
import type { EngineEmulator } from '../programs';
import {
  anyBrokerRunning,
  brokerCluster,
  holderOf,
  isKafkaImage,
  KAFKA_STATE_ANNOTATION,
  STRIMZI_GROUP,
  strimziCluster,
} from './brokers';
import { KafkaCluster } from './cluster';
import { mirrorLagOf } from './lag';
import { kafkaTools } from './tools';

/** The Kafka emulator. */
export const kafkaEmulator: EngineEmulator = {
  engine: 'kafka',
  matchesImage: isKafkaImage,
  programs: kafkaTools,
  // A mirrored cluster keeps what it received when a flow is cut. A
  // Strimzi Kafka nobody read yet starts its state now, so what it
  // received while its operator's flow ran is not lost either.
  settle: (store, now, peers) => {
    for (const sts of store.peekAll('apps', 'StatefulSet')) {
      const c = brokerCluster(store, sts);
      if (c && holderOf(c).metadata.annotations?.[KAFKA_STATE_ANNOTATION])
        new KafkaCluster(c, now, peers).settleMirror();
    }
    for (const kafka of store.peekAll(STRIMZI_GROUP, 'Kafka'))
      new KafkaCluster(strimziCluster(store, kafka), now, peers).settleMirror();
  },
  replicaLag: ({ store, sts, now, peers }) => {
    const c = brokerCluster(store, sts);
    // No broker runs: nothing answers.
    return c && anyBrokerRunning(c) ? mirrorLagOf(c, now(), peers) : undefined;
  },
};
