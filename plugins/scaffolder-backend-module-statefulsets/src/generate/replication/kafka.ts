/*
 * Kafka replication: every cluster is its own KRaft cluster, and
 * MirrorMaker 2 copies topics and consumer offsets from the source clusters.
 */
import { createHash } from 'node:crypto';
import { podAddress, podNames, replicationSources } from '../naming';
import { NormalizedRequest, ResolvedPlacement } from '../validateRequest';
import {
  ContainerWiring,
  POD_INDEX_ENV,
  POD_NAME_ENV,
  ReplicationWiring,
  configMap,
  fromConfig,
  localPodAddress,
} from './wiring';

// A KRaft cluster id is 16 bytes, base64url without padding; derive it so
// regenerating the manifests never forks a running cluster's identity.
function kraftClusterId(seed: string): string {
  return createHash('sha256')
    .update(seed)
    .digest()
    .subarray(0, 16)
    .toString('base64url');
}

function bootstrapServers(r: NormalizedRequest, c: ResolvedPlacement) {
  return podNames(r, c)
    .map(pod => `${podAddress(r, c, pod)}:${r.port}`)
    .join(',');
}

/** The KRaft and MirrorMaker ConfigMap and container wiring of one Kafka cluster. */
export function kafkaReplication(
  r: NormalizedRequest,
  c: ResolvedPlacement,
  labels: Record<string, string>,
): ReplicationWiring {
  const sources = replicationSources(r, c);
  const advertisedDomain = podAddress(r, c, '').replace(/^\./, '');
  const data: Record<string, string> = {
    'cluster-id': kraftClusterId(`${r.namespace}/${r.name}/${c.name}`),
    // The quorum is local to the cluster: each cluster is its own Kafka.
    'controller-quorum-voters': podNames(r, c)
      .map((pod, i) => `${c.ordinalsStart + i}@${localPodAddress(r, pod)}:9093`)
      .join(','),
    // Brokers advertise names the other clusters' MirrorMaker can resolve.
    'advertised-domain': advertisedDomain,
  };
  if (sources.length > 0) {
    data['mm2.properties'] = `${[
      `# MirrorMaker 2 (dedicated mode) for ${c.name}: pulls from ${sources
        .map(s => s.name)
        .join(', ')}.`,
      `# Run: connect-mirror-maker.sh /etc/kafka/mirror/mm2.properties --clusters ${c.name}`,
      `clusters = ${[c, ...sources].map(s => s.name).join(', ')}`,
      ...[c, ...sources].map(
        s => `${s.name}.bootstrap.servers = ${bootstrapServers(r, s)}`,
      ),
      ...sources.flatMap(s => [
        `${s.name}->${c.name}.enabled = true`,
        `${s.name}->${c.name}.topics = .*`,
        `${s.name}->${c.name}.groups = .*`,
      ]),
      'sync.group.offsets.enabled = true',
      'emit.checkpoints.enabled = true',
      'emit.heartbeats.enabled = true',
      `replication.factor = ${Math.min(3, c.replicas)}`,
    ].join('\n')}\n`;
  }
  const wiring: ContainerWiring = {
    // Node ids follow the ordinals, which are unique across clusters.
    command: [
      'sh',
      '-c',
      `export KAFKA_NODE_ID=$POD_INDEX KAFKA_ADVERTISED_LISTENERS=PLAINTEXT://$POD_NAME.$ADVERTISED_DOMAIN:${r.port}; exec /etc/kafka/docker/run`,
    ],
    env: [
      POD_INDEX_ENV,
      POD_NAME_ENV,
      fromConfig(r, 'ADVERTISED_DOMAIN', 'advertised-domain'),
      fromConfig(r, 'CLUSTER_ID', 'cluster-id'),
      fromConfig(
        r,
        'KAFKA_CONTROLLER_QUORUM_VOTERS',
        'controller-quorum-voters',
      ),
      { name: 'KAFKA_PROCESS_ROLES', value: 'broker,controller' },
      {
        name: 'KAFKA_LISTENERS',
        value: `PLAINTEXT://:${r.port},CONTROLLER://:9093`,
      },
      {
        name: 'KAFKA_LISTENER_SECURITY_PROTOCOL_MAP',
        value: 'PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
      },
      { name: 'KAFKA_CONTROLLER_LISTENER_NAMES', value: 'CONTROLLER' },
      { name: 'KAFKA_LOG_DIRS', value: '/var/lib/kafka/data' },
    ],
    volumes: [{ name: 'replication' }],
    volumeMounts: [{ name: 'replication', mountPath: '/etc/kafka/mirror' }],
  };
  return { object: configMap(r, labels, data), wiring };
}
