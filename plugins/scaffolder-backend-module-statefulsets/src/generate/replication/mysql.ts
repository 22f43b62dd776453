/*
 * MySQL replication: every pod of every cluster in one GTID topology. In
 * each cluster the pod at the first ordinal is the cluster's primary: the
 * source itself on an active side, else a replica of the source clusters'
 * primaries; the other pods replicate from their own cluster's primary and
 * are read-only. A script joins each server on every start (mysqlJoin.ts),
 * and server ids stay unique across clusters.
 */
import { ENGINE_PROFILES } from '../engines';
import { selectorLabels } from '../labels';
import { podAddress, podNames, replicationSources } from '../naming';
import { service } from '../services';
import { NormalizedRequest, ResolvedPlacement } from '../validateRequest';
import { MysqlChannel, MysqlClusterTopology, joinScript } from './mysqlJoin';
import {
  ContainerWiring,
  POD_INDEX_ENV,
  POD_NAME_ENV,
  ReplicationWiring,
  configMap,
  fromSecret,
  localPodAddress,
} from './wiring';

const JOIN_DIR = '/etc/mysql/replication';

/** The pod at a cluster's first ordinal: the one that takes the cluster's writes, and its replicas' source. */
export function mysqlPrimaryPod(
  r: NormalizedRequest,
  c: ResolvedPlacement,
): string {
  return podNames(r, c)[0];
}

/**
 * The data directory, one level below the volume: a new volume's root may
 * hold `lost+found`, and `mysqld --initialize` refuses a non-empty directory.
 */
export function mysqlDataDir(): string {
  return `${ENGINE_PROFILES.mysql.dataPath}/data`;
}

/** Name of the Service that spreads reads over every pod of a cluster. */
export function mysqlReadServiceName(r: NormalizedRequest): string {
  return `${r.name}-read`;
}

/** What each pod of one cluster replicates from. */
export function mysqlTopology(
  r: NormalizedRequest,
  c: ResolvedPlacement,
): MysqlClusterTopology {
  const primaryPod = mysqlPrimaryPod(r, c);
  const primaryChannels: MysqlChannel[] = replicationSources(r, c).map(s => ({
    name: s.name,
    host: podAddress(r, s, mysqlPrimaryPod(r, s)),
  }));
  return {
    cluster: c.name,
    port: r.port,
    primaryPod,
    primaryChannels,
    primaryReadOnly: c.role === 'passive',
    followerChannel: { name: c.name, host: localPodAddress(r, primaryPod) },
  };
}

function serverConfig(r: NormalizedRequest, c: ResolvedPlacement): string {
  const cnf = [
    '[mysqld]',
    `port=${r.port}`,
    'gtid_mode=ON',
    'enforce_gtid_consistency=ON',
    'log_bin=binlog',
    'binlog_format=ROW',
    'log_replica_updates=ON',
    // Re-seeds an empty replica from its source (mysqlJoin.ts).
    'plugin_load_add=mysql_clone.so',
  ];
  if (r.strategy === 'active-active') {
    // Interleaved auto-increment values keep the sides' keys apart.
    const index = r.clusters.findIndex(o => o.name === c.name);
    cnf.push(
      `auto_increment_increment=${r.clusters.length}`,
      `auto_increment_offset=${index + 1}`,
    );
  }
  return `${cnf.join('\n')}\n`;
}

// Every server gets the replication user, since any may become a source
// or a clone donor after a failover; it is created outside the binary log,
// so no server holds a transaction the others lack. The image's entrypoint
// sources this once, on a new data directory (a cloned one brings the user
// along), and its docker_process_sql passes the root password in a file.
const REPLICATION_USER_SCRIPT = [
  'docker_process_sql <<SQL',
  'SET sql_log_bin=0;',
  "CREATE USER IF NOT EXISTS 'replicator'@'%' IDENTIFIED BY '$REPLICATION_PASSWORD' REQUIRE SSL;",
  "GRANT REPLICATION SLAVE, BACKUP_ADMIN ON *.* TO 'replicator'@'%';",
  'SET sql_log_bin=1;',
  'SQL',
  '',
].join('\n');

function containerWiring(r: NormalizedRequest): ContainerWiring {
  return {
    // The join script runs beside mysqld from every start of the container;
    // server_id must be unique across every cluster, and the ordinals are.
    command: [
      'sh',
      '-c',
      `bash ${JOIN_DIR}/join.sh & exec docker-entrypoint.sh mysqld --datadir=${mysqlDataDir()} --server-id=$((POD_INDEX + 1))`,
    ],
    env: [
      POD_INDEX_ENV,
      POD_NAME_ENV,
      fromSecret(r, 'MYSQL_ROOT_PASSWORD', 'root-password'),
      fromSecret(r, 'REPLICATION_PASSWORD', 'replication-password'),
    ],
    volumes: [
      { name: 'replication-conf', items: ['replication.cnf'] },
      { name: 'replication-init', items: ['10-replication-user.sh'] },
      { name: 'replication-join', items: ['join.sh'] },
    ],
    volumeMounts: [
      {
        name: 'replication-conf',
        mountPath: '/etc/mysql/conf.d/replication.cnf',
        subPath: 'replication.cnf',
      },
      { name: 'replication-init', mountPath: '/docker-entrypoint-initdb.d' },
      // A directory, not a subPath, so a changed topology reaches the pod.
      { name: 'replication-join', mountPath: JOIN_DIR },
    ],
  };
}

/** The replication ConfigMap, read Service and container wiring of one MySQL cluster. */
export function mysqlReplication(
  r: NormalizedRequest,
  c: ResolvedPlacement,
  labels: Record<string, string>,
): ReplicationWiring {
  const serverIds = podNames(r, c)
    .map((pod, i) => `${pod}=${c.ordinalsStart + i + 1}`)
    .join('\n');
  const data: Record<string, string> = {
    'replication.cnf': serverConfig(r, c),
    'server-ids': `${serverIds}\n`,
    '10-replication-user.sh': REPLICATION_USER_SCRIPT,
    'join.sh': joinScript(mysqlTopology(r, c)),
  };
  return {
    object: configMap(r, labels, data),
    wiring: containerWiring(r),
    // Writes go to the client Service (the primary alone); reads may use any pod.
    companions: [
      {
        file: 'service-read.yaml',
        object: service(r, mysqlReadServiceName(r), false, selectorLabels(r)),
      },
    ],
  };
}
