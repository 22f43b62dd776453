/*
 * The Kafka engine emulator: the command-line tools of the apache/kafka,
 * bitnami/kafka, confluentinc/cp-kafka and Strimzi Kafka images, talking
 * to the emulated clusters their `--bootstrap-server` leads to.
 */
import type { EngineEmulator } from '../programs';
import { isKafkaImage } from './brokers';
import { kafkaTools } from './tools';

/** The Kafka emulator. */
export const kafkaEmulator: EngineEmulator = {
  engine: 'kafka',
  matchesImage: isKafkaImage,
  programs: kafkaTools,
};
