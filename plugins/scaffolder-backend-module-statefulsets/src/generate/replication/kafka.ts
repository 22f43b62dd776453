/*
 * Kafka replication: every cluster is its own KRaft cluster (combined
 * broker and controller nodes), and MirrorMaker 2, run in each cluster that
 * receives data, copies topics and consumer offsets from the source clusters.
 */
import { createHash } from 'node:crypto';
import { podAddress, podNames, replicationSources } from '../naming';
import { NormalizedRequest, ResolvedPlacement } from '../validateRequest';
import {
  MM2_PROPERTIES,
  kafkaReplicationFactor,
  mirrorMakerDeployment,
  mirrorMakerProperties,
} from './kafkaMirrorMaker';
import {
  ContainerWiring,
  POD_INDEX_ENV,
  POD_NAME_ENV,
  ReplicationWiring,
  configMap,
  fromConfig,
  localPodAddress,
} from './wiring';

const ADVERTISED_HOSTS = 'advertised-hosts';
const CONFIG_DIR = '/etc/kafka/multicluster';
// The apache/kafka image runs as appuser (uid and gid 1000); a fresh volume
// belongs to root, so the pod's fsGroup is what lets Kafka create its log dir.
const KAFKA_GID = 1000;

// A KRaft cluster id is 16 bytes, base64url without padding; derive it so
// regenerating the manifests never forks a running cluster's identity.
function kraftClusterId(seed: string): string {
  return createHash('sha256')
    .update(seed)
    .digest()
    .subarray(0, 16)
    .toString('base64url');
}

/** In-sync copies a write with acks=all needs: all but one, at least one. */
function minInSyncReplicas(c: ResolvedPlacement): number {
  return Math.max(1, kafkaReplicationFactor(c) - 1);
}

/**
 * Brokers a cluster can lose at once: every node is a KRaft voter, and a
 * quorum of n survives (n-1)/2 losses, none below three; a partition with
 * its minimum of in-sync copies survives factor - min ISR.
 */
function kafkaToleratedFailures(c: ResolvedPlacement): number {
  return Math.min(
    Math.floor((c.replicas - 1) / 2),
    kafkaReplicationFactor(c) - minInSyncReplicas(c),
  );
}

/** What a valid Kafka request still deserves a warning for. */
export function kafkaWarnings(r: NormalizedRequest): string[] {
  return r.clusters
    .filter(c => c.replicas < 3)
    .map(
      c =>
        `kafka: cluster ${c.name} has ${c.replicas} KRaft voter(s), so its quorum tolerates no failure and its PodDisruptionBudget allows no eviction (node drains wait for it); give it 3 replicas`,
    );
}

// Per-cluster values come from the ConfigMap, so the pod template stays
// the same in every cluster.
const FACTOR_SETTINGS = [
  'KAFKA_DEFAULT_REPLICATION_FACTOR',
  'KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR',
  'KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR',
  'KAFKA_SHARE_COORDINATOR_STATE_TOPIC_REPLICATION_FACTOR',
];
const MIN_ISR_SETTINGS = [
  'KAFKA_MIN_INSYNC_REPLICAS',
  'KAFKA_TRANSACTION_STATE_LOG_MIN_ISR',
  'KAFKA_SHARE_COORDINATOR_STATE_TOPIC_MIN_ISR',
];

function brokerWiring(r: NormalizedRequest): ContainerWiring {
  // Each broker advertises the name the other clusters' MirrorMaker
  // resolves, looked up by pod name; node ids follow the ordinals, which
  // are unique across clusters.
  const script = [
    `host=$(sed -n "s/^$POD_NAME=//p" ${CONFIG_DIR}/${ADVERTISED_HOSTS})`,
    `[ -n "$host" ] || { echo "no advertised host for $POD_NAME in ${CONFIG_DIR}/${ADVERTISED_HOSTS}" >&2; exit 1; }`,
    `export KAFKA_NODE_ID=$POD_INDEX KAFKA_ADVERTISED_LISTENERS=PLAINTEXT://$host:${r.port}`,
    'exec /etc/kafka/docker/run',
  ].join('\n');
  return {
    command: ['sh', '-c', script],
    env: [
      POD_INDEX_ENV,
      POD_NAME_ENV,
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
      ...FACTOR_SETTINGS.map(n => fromConfig(r, n, 'replication-factor')),
      ...MIN_ISR_SETTINGS.map(n => fromConfig(r, n, 'min-insync-replicas')),
      // A directory inside the volume: its root holds lost+found.
      { name: 'KAFKA_LOG_DIRS', value: '/var/lib/kafka/data/logs' },
    ],
    volumes: [{ name: 'replication', items: [ADVERTISED_HOSTS] }],
    volumeMounts: [{ name: 'replication', mountPath: CONFIG_DIR }],
    podSecurityContext: { fsGroup: KAFKA_GID },
  };
}

/** The KRaft and MirrorMaker ConfigMap, the MirrorMaker Deployment and the container wiring of one Kafka cluster. */
export function kafkaReplication(
  r: NormalizedRequest,
  c: ResolvedPlacement,
  labels: Record<string, string>,
): ReplicationWiring {
  const sources = replicationSources(r, c);
  const pods = podNames(r, c);
  const data: Record<string, string> = {
    'cluster-id': kraftClusterId(`${r.namespace}/${r.name}/${c.name}`),
    // The quorum is local to the cluster: each cluster is its own Kafka.
    'controller-quorum-voters': pods
      .map((pod, i) => `${c.ordinalsStart + i}@${localPodAddress(r, pod)}:9093`)
      .join(','),
    [ADVERTISED_HOSTS]: `${pods
      .map(pod => `${pod}=${podAddress(r, c, pod)}`)
      .join('\n')}\n`,
    'replication-factor': String(kafkaReplicationFactor(c)),
    'min-insync-replicas': String(minInSyncReplicas(c)),
  };
  const companions: ReplicationWiring['companions'] = [];
  if (sources.length > 0) {
    data[MM2_PROPERTIES] = mirrorMakerProperties(r, c, sources);
    companions.push({
      file: 'mirrormaker.yaml',
      object: mirrorMakerDeployment(r, c, data[MM2_PROPERTIES]),
    });
  }
  return {
    object: configMap(r, labels, data),
    wiring: brokerWiring(r),
    companions,
    maxUnavailable: kafkaToleratedFailures(c),
  };
}
