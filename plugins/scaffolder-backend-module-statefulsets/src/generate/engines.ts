/*
 * Per-engine facts: default image, version and port, where data lives, and
 * the container command that makes a pod join its replication topology.
 * Replication wiring itself is built in replication.ts from these.
 */
import { Engine } from './types';

/** Static facts about an engine's container. */
export interface EngineProfile {
  image?: string;
  version?: string;
  port: number;
  portName: string;
  dataPath: string;
  /** Extra ports the replication protocol needs (transport, controller). */
  extraPorts: Array<{ name: string; port: number }>;
}

/** Defaults per engine; `generic` has no image of its own. */
export const ENGINE_PROFILES: Record<Engine, EngineProfile> = {
  mysql: {
    image: 'docker.io/library/mysql',
    version: '8.4',
    port: 3306,
    portName: 'tcp-mysql',
    dataPath: '/var/lib/mysql',
    extraPorts: [],
  },
  postgresql: {
    image: 'ghcr.io/cloudnative-pg/postgresql',
    version: '17.6',
    port: 5432,
    portName: 'tcp-postgres',
    dataPath: '/var/lib/postgresql/data',
    extraPorts: [],
  },
  mongodb: {
    image: 'docker.io/library/mongo',
    version: '8.0',
    port: 27017,
    portName: 'tcp-mongo',
    dataPath: '/data/db',
    extraPorts: [],
  },
  kafka: {
    image: 'docker.io/apache/kafka',
    version: '4.1.0',
    port: 9092,
    portName: 'tcp-kafka',
    dataPath: '/var/lib/kafka/data',
    extraPorts: [{ name: 'tcp-controller', port: 9093 }],
  },
  elasticsearch: {
    image: 'docker.elastic.co/elasticsearch/elasticsearch',
    version: '9.1.5',
    port: 9200,
    portName: 'tcp-es',
    dataPath: '/usr/share/elasticsearch/data',
    extraPorts: [{ name: 'tcp-transport', port: 9300 }],
  },
  generic: {
    port: 8080,
    portName: 'tcp-app',
    dataPath: '/data',
    extraPorts: [],
  },
};
