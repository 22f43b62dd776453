/*
 * The engine-specific replication wiring of one cluster: the ConfigMap
 * (or, for PostgreSQL, the CloudNativePG Cluster) that tells each side where
 * its data comes from, and the container settings that make a pod join.
 */
import { createHash } from 'node:crypto';
import {
  clusterServiceAddress,
  headlessServiceName,
  podAddress,
  podNames,
  primaryCluster,
  replicationSources,
} from './naming';
import { KubeObject } from './types';
import { NormalizedRequest, ResolvedPlacement } from './validateRequest';

/**
 * What an engine adds to a cluster's StatefulSet container. Per-cluster
 * values are read from the cluster's ConfigMap, never written into the pod
 * template, so the template is the same everywhere and a federated
 * StatefulSet needs overrides only for what truly differs (size, ordinals,
 * role).
 */
export interface ContainerWiring {
  command?: string[];
  args?: string[];
  env: Array<Record<string, unknown>>;
  /** Volumes projected from the replication ConfigMap (all keys when `items` is absent). */
  volumes: Array<{ name: string; items?: string[] }>;
  volumeMounts: Array<{ name: string; mountPath: string; subPath?: string }>;
}

// The ordinal of a pod, from the label the StatefulSet controller sets
// (Kubernetes 1.28+); with spec.ordinals.start it is the real ordinal.
const POD_INDEX_ENV = {
  name: 'POD_INDEX',
  valueFrom: {
    fieldRef: { fieldPath: "metadata.labels['apps.kubernetes.io/pod-index']" },
  },
};
const POD_NAME_ENV = {
  name: 'POD_NAME',
  valueFrom: { fieldRef: { fieldPath: 'metadata.name' } },
};

function fromConfig(r: NormalizedRequest, name: string, key: string) {
  return {
    name,
    valueFrom: {
      configMapKeyRef: { name: replicationConfigMapName(r), key },
    },
  };
}

/** Name of the Secret the generated workloads expect (created outside git). */
export function credentialsSecretName(r: NormalizedRequest): string {
  return `${r.name}-credentials`;
}

function fromSecret(r: NormalizedRequest, name: string, key: string) {
  return {
    name,
    valueFrom: { secretKeyRef: { name: credentialsSecretName(r), key } },
  };
}

// A KRaft cluster id is 16 bytes, base64url without padding; derive it so
// regenerating the manifests never forks a running cluster's identity.
function kraftClusterId(seed: string): string {
  return createHash('sha256')
    .update(seed)
    .digest()
    .subarray(0, 16)
    .toString('base64url');
}

function localPodAddress(r: NormalizedRequest, pod: string): string {
  return `${pod}.${headlessServiceName(r)}.${r.namespace}.svc.cluster.local`;
}

/** Name of the ConfigMap holding the replication settings. */
export function replicationConfigMapName(r: NormalizedRequest): string {
  return `${r.name}-replication`;
}

function configMap(
  r: NormalizedRequest,
  labels: Record<string, string>,
  data: Record<string, string>,
): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: {
      name: replicationConfigMapName(r),
      namespace: r.namespace,
      labels,
    },
    data,
  };
}

function mysql(
  r: NormalizedRequest,
  c: ResolvedPlacement,
  labels: Record<string, string>,
) {
  const sources = replicationSources(r, c);
  const index = r.clusters.findIndex(o => o.name === c.name);
  const cnf = [
    '[mysqld]',
    'gtid_mode=ON',
    'enforce_gtid_consistency=ON',
    'log_bin=binlog',
    'binlog_format=ROW',
    'log_replica_updates=ON',
  ];
  if (r.strategy === 'active-active') {
    // Interleaved auto-increment values keep the sides' keys apart.
    cnf.push(
      `auto_increment_increment=${r.clusters.length}`,
      `auto_increment_offset=${index + 1}`,
    );
  }
  const serverIds = podNames(r, c)
    .map((pod, i) => `${pod}=${c.ordinalsStart + i + 1}`)
    .join('\n');
  const data: Record<string, string> = {
    'replication.cnf': `${cnf.join('\n')}\n`,
    'server-ids': `${serverIds}\n`,
  };
  // Every side gets the replication user, since any side may become the
  // source after a failover; it is created outside the binary log, so no
  // side holds a transaction the others lack.
  data['10-replication-user.sh'] = [
    '#!/bin/sh',
    'mysql -uroot -p"$MYSQL_ROOT_PASSWORD" <<SQL',
    'SET sql_log_bin=0;',
    "CREATE USER IF NOT EXISTS 'replicator'@'%' IDENTIFIED BY '$REPLICATION_PASSWORD' REQUIRE SSL;",
    "GRANT REPLICATION SLAVE ON *.* TO 'replicator'@'%';",
    'SET sql_log_bin=1;',
    'SQL',
    '',
  ].join('\n');
  const statements = sources.flatMap(s => {
    const host = podAddress(r, s, podNames(r, s)[0]);
    return [
      `CHANGE REPLICATION SOURCE TO SOURCE_HOST='${host}', SOURCE_PORT=${r.port}, SOURCE_USER='replicator', SOURCE_PASSWORD='$REPLICATION_PASSWORD', SOURCE_AUTO_POSITION=1, SOURCE_SSL=1 FOR CHANNEL '${s.name}';`,
      `START REPLICA FOR CHANNEL '${s.name}';`,
    ];
  });
  if (c.role === 'passive') {
    // Persisted rather than in my.cnf, so a promotion's SET PERSIST
    // super_read_only=OFF survives restarts.
    statements.push(
      'SET PERSIST read_only=ON;',
      'SET PERSIST super_read_only=ON;',
    );
  }
  // Present on every side (empty where there is no source) so the pod
  // template is the same in every cluster. The image's entrypoint runs these
  // once, when the data directory is new.
  data['20-replica-source.sh'] = [
    '#!/bin/sh',
    sources.length > 0
      ? `# ${c.name} replicates from ${sources.map(s => s.name).join(', ')}.`
      : `# ${c.name} is the source; it replicates from no other cluster.`,
    ...(statements.length > 0
      ? ['mysql -uroot -p"$MYSQL_ROOT_PASSWORD" <<SQL', ...statements, 'SQL']
      : []),
    '',
  ].join('\n');
  const initScripts = ['10-replication-user.sh', '20-replica-source.sh'];
  const wiring: ContainerWiring = {
    // server_id must be unique across every cluster; the ordinals already are.
    command: [
      'sh',
      '-c',
      'exec docker-entrypoint.sh mysqld --server-id=$((POD_INDEX + 1))',
    ],
    env: [
      POD_INDEX_ENV,
      fromSecret(r, 'MYSQL_ROOT_PASSWORD', 'root-password'),
      fromSecret(r, 'REPLICATION_PASSWORD', 'replication-password'),
    ],
    volumes: [
      { name: 'replication-conf', items: ['replication.cnf'] },
      { name: 'replication-init', items: initScripts },
    ],
    volumeMounts: [
      {
        name: 'replication-conf',
        mountPath: '/etc/mysql/conf.d/replication.cnf',
        subPath: 'replication.cnf',
      },
      { name: 'replication-init', mountPath: '/docker-entrypoint-initdb.d' },
    ],
  };
  return { object: configMap(r, labels, data), wiring };
}

function mongodb(r: NormalizedRequest, labels: Record<string, string>) {
  let voters = 0;
  const members = r.clusters.flatMap(c =>
    podNames(r, c).map((pod, i) => {
      // A replica set allows at most seven voting members.
      const votes = voters < 7 ? 1 : 0;
      voters += votes;
      // Non-voters cannot be elected; among voters the active side is preferred.
      let priority = c.role === 'active' ? 2 : 1;
      if (votes === 0) priority = 0;
      return {
        _id: c.ordinalsStart + i,
        host: `${podAddress(r, c, pod)}:${r.port}`,
        priority,
        votes,
        tags: { cluster: c.name, region: c.region ?? 'unknown' },
      };
    }),
  );
  const config = { _id: r.name, members };
  const data = {
    'replicaset.json': `${JSON.stringify(config, null, 2)}\n`,
    'initiate.js': `// Run once, against ${
      podNames(r, primaryCluster(r))[0]
    }, to form the replica set across all clusters.\nrs.initiate(JSON.parse(require('fs').readFileSync('/etc/mongo/replicaset.json', 'utf8')));\n`,
  };
  const wiring: ContainerWiring = {
    args: ['--replSet', r.name, '--bind_ip_all'],
    env: [],
    volumes: [{ name: 'replication' }],
    volumeMounts: [{ name: 'replication', mountPath: '/etc/mongo' }],
  };
  return { object: configMap(r, labels, data), wiring };
}

function bootstrapServers(r: NormalizedRequest, c: ResolvedPlacement) {
  return podNames(r, c)
    .map(pod => `${podAddress(r, c, pod)}:${r.port}`)
    .join(',');
}

function kafka(
  r: NormalizedRequest,
  c: ResolvedPlacement,
  labels: Record<string, string>,
) {
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

function elasticsearch(
  r: NormalizedRequest,
  c: ResolvedPlacement,
  labels: Record<string, string>,
) {
  const sources = replicationSources(r, c);
  const remote = sources
    .map(
      s =>
        `cluster.remote.${s.name}.seeds: [${podNames(r, s)
          .map(pod => `"${podAddress(r, s, pod)}:9300"`)
          .join(', ')}]`,
    )
    .join('\n');
  const autoFollow = Object.fromEntries(
    sources.map(s => [
      `${r.name}-from-${s.name}`,
      {
        remote_cluster: s.name,
        // Active-active must not follow the other side's followers back.
        leader_index_patterns: ['*'],
        leader_index_exclusion_patterns:
          r.strategy === 'active-active' ? ['*-from-*'] : [],
        follow_index_pattern:
          r.strategy === 'active-active'
            ? `{{leader_index}}-from-${s.name}`
            : '{{leader_index}}',
      },
    ]),
  );
  const data: Record<string, string> = {
    // Each cluster is its own Elasticsearch cluster; CCR links them.
    'cluster-name': `${r.name}-${c.name}`,
    'seed-hosts': podNames(r, c)
      .map(pod => localPodAddress(r, pod))
      .join(','),
    'initial-master-nodes': podNames(r, c).join(','),
  };
  if (sources.length > 0) {
    // Apply with PUT _cluster/settings and PUT _ccr/auto_follow/<name>.
    data['remote-clusters.yml'] = `${remote}\n`;
    data['auto-follow.json'] = `${JSON.stringify(autoFollow, null, 2)}\n`;
  }
  const wiring: ContainerWiring = {
    env: [
      POD_NAME_ENV,
      { name: 'node.name', value: '$(POD_NAME)' },
      fromConfig(r, 'cluster.name', 'cluster-name'),
      fromConfig(r, 'discovery.seed_hosts', 'seed-hosts'),
      fromConfig(r, 'cluster.initial_master_nodes', 'initial-master-nodes'),
      fromSecret(r, 'ELASTIC_PASSWORD', 'elastic-password'),
    ],
    volumes: [{ name: 'replication' }],
    volumeMounts: [
      {
        name: 'replication',
        mountPath: '/usr/share/elasticsearch/config/replication',
      },
    ],
  };
  return { object: configMap(r, labels, data), wiring };
}

/** The replication ConfigMap (if the engine needs one) and container wiring of a cluster. */
export function replicationFor(
  r: NormalizedRequest,
  c: ResolvedPlacement,
  labels: Record<string, string>,
): { object?: KubeObject; wiring: ContainerWiring } {
  switch (r.engine) {
    case 'mysql':
      return mysql(r, c, labels);
    case 'mongodb':
      return mongodb(r, labels);
    case 'kafka':
      return kafka(r, c, labels);
    case 'elasticsearch':
      return elasticsearch(r, c, labels);
    default:
      return { wiring: { env: [], volumes: [], volumeMounts: [] } };
  }
}

/** The CloudNativePG `Cluster` of one cluster, wired into the distributed replica topology. */
export function cnpgCluster(
  r: NormalizedRequest,
  c: ResolvedPlacement,
  meta: {
    labels: Record<string, string>;
    annotations: Record<string, string>;
    podLabels: Record<string, string>;
  },
): KubeObject {
  const primary = primaryCluster(r);
  const peerName = (o: ResolvedPlacement) => `${r.name}-${o.name}`;
  // The primary's `source` is where it would replicate from once demoted.
  const fallback = r.clusters.find(o => o.name !== c.name);
  const source = c.name === primary.name ? fallback ?? c : primary;
  const spec: Record<string, unknown> = {
    instances: c.replicas,
    imageName: `${r.image}:${r.version}`,
    enablePDB: true,
    storage: {
      size: r.storage.size,
      ...(c.storageClass ?? r.storage.storageClass
        ? { storageClass: c.storageClass ?? r.storage.storageClass }
        : {}),
    },
    inheritedMetadata: { labels: meta.podLabels },
    bootstrap:
      c.name === primary.name
        ? { initdb: { database: 'app', owner: 'app' } }
        : { pg_basebackup: { source: peerName(primary) } },
    replica: {
      self: peerName(c),
      primary: peerName(primary),
      source: peerName(source),
    },
    externalClusters: r.clusters.map(o => ({
      name: peerName(o),
      connectionParameters: {
        host: clusterServiceAddress(r, o),
        user: 'streaming_replica',
        dbname: 'postgres',
        sslmode: 'verify-full',
      },
      sslKey: { name: `${r.name}-replication`, key: 'tls.key' },
      sslCert: { name: `${r.name}-replication`, key: 'tls.crt' },
      sslRootCert: { name: `${r.name}-ca`, key: 'ca.crt' },
    })),
  };
  if (r.resources) {
    spec.resources = r.resources;
  }
  return {
    apiVersion: 'postgresql.cnpg.io/v1',
    kind: 'Cluster',
    metadata: {
      name: r.name,
      namespace: r.namespace,
      labels: meta.labels,
      annotations: meta.annotations,
    },
    spec,
  };
}
