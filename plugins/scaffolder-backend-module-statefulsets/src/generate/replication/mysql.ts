/*
 * MySQL replication: GTID-based channels from each source cluster, set up
 * once by init scripts, with server ids kept unique across clusters.
 */
import { podAddress, podNames, replicationSources } from '../naming';
import { NormalizedRequest, ResolvedPlacement } from '../validateRequest';
import {
  ContainerWiring,
  POD_INDEX_ENV,
  ReplicationWiring,
  configMap,
  fromSecret,
} from './wiring';

/** The replication ConfigMap and container wiring of one MySQL cluster. */
export function mysqlReplication(
  r: NormalizedRequest,
  c: ResolvedPlacement,
  labels: Record<string, string>,
): ReplicationWiring {
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
