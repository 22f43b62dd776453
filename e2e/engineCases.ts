/*
 * The demo databases the engine-failover browser test switches over and
 * back, one per engine whose provider changes the engine itself: the
 * entity, its clusters, the words its failover dialog shows, and how its
 * engine is asked for role, source and a write (see ./engineProbes).
 */
import { kubectl } from './clusters';
import {
  EngineCase,
  EngineSource,
  execInFirstPod,
  ok,
  pause,
  writeByExit,
} from './engineProbes';

/** `Key: value` lines of the mysql client's vertical (-E) output. */
function verticalFields(text: string): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const m = /^\s*([A-Za-z_]+): ?(.*)$/.exec(line);
    if (m) fields[m[1]] = m[2];
  }
  return fields;
}

const mysql: EngineCase = {
  engine: 'mysql',
  entity: 'orders-mysql',
  namespace: 'databases',
  container: 'mysql',
  primary: 'eu-central',
  replica: 'eu-west',
  dialog: {
    commands: ['SET PERSIST super_read_only=ON', 'WAIT_FOR_EXECUTED_GTID_SET'],
    unit: 'transactions',
  },
  roleSource: 'the engine (mysqld_exporter)',
  role: {
    command: ['mysql', '-N', '-e', 'SELECT @@super_read_only, @@read_only'],
    parse(r) {
      const [superReadOnly, readOnly] = ok(r, 'mysql').trim().split(/\s+/);
      if (superReadOnly === '0' && readOnly === '0') return 'primary';
      if (superReadOnly === '1' && readOnly === '1') return 'replica';
      throw new Error(
        `super_read_only=${superReadOnly}, read_only=${readOnly}: neither a writable primary nor a fenced replica`,
      );
    },
  },
  source: {
    command: ['mysql', '-E', '-e', 'SHOW REPLICA STATUS'],
    parse(r) {
      const f = verticalFields(ok(r, 'mysql'));
      if (!f.Source_Host) return undefined;
      return {
        from: `channel '${f.Channel_Name}' from ${f.Source_Host}`,
        running:
          f.Replica_IO_Running === 'Yes' && f.Replica_SQL_Running === 'Yes',
      };
    },
  },
  write: writeByExit(
    () => mysql,
    ['mysql', '-e', 'CREATE DATABASE IF NOT EXISTS e2e_check'],
    /^ERROR 1290 \(HY000\)/m,
  ),
};

const psql = (sql: string) => [
  'psql',
  '-X',
  '-At',
  '-v',
  'ON_ERROR_STOP=1',
  '-U',
  'postgres',
  '-c',
  sql,
];

const postgresql: EngineCase = {
  engine: 'postgresql',
  entity: 'inventory-kubefed',
  namespace: 'databases',
  container: 'postgres',
  primary: 'us-east',
  replica: 'eu-west',
  dialog: {
    commands: [
      'ALTER SYSTEM SET default_transaction_read_only = on',
      'pg_last_wal_replay_lsn()',
      'pg_rewind',
    ],
    unit: 'WAL bytes',
  },
  roleSource: 'the engine (postgres_exporter)',
  role: {
    command: psql('SELECT pg_is_in_recovery()'),
    parse(r) {
      const inRecovery = ok(r, 'psql').trim();
      if (inRecovery === 'f') return 'primary';
      if (inRecovery === 't') return 'replica';
      throw new Error(`pg_is_in_recovery() answered ${inRecovery}`);
    },
  },
  source: {
    command: psql('SELECT status, sender_host FROM pg_stat_wal_receiver'),
    parse(r) {
      const row = ok(r, 'psql').trim();
      if (!row) return undefined;
      const [status, host] = row.split('|');
      return { from: host, running: status === 'streaming' };
    },
  },
  write: writeByExit(
    () => postgresql,
    psql('CREATE TABLE IF NOT EXISTS e2e_check (id int)'),
    /^ERROR: {2}cannot execute CREATE TABLE in a read-only transaction/m,
  ),
};

/** `db.hello()` of the pod, parsed from mongosh's JSON. */
function hello(r: ReturnType<typeof execInFirstPod>) {
  return JSON.parse(ok(r, 'mongosh')) as {
    isWritablePrimary: boolean;
    secondary: boolean;
    primary?: string;
  };
}

const HELLO = ['mongosh', '--quiet', '--eval', 'JSON.stringify(db.hello())'];

const mongodb: EngineCase = {
  engine: 'mongodb',
  entity: 'sessions-mongodb',
  namespace: 'databases',
  container: 'mongod',
  primary: 'eu-central',
  replica: 'eu-west',
  dialog: {
    commands: ['rs.reconfig', 'replSetStepDown'],
    unit: 'optime seconds',
  },
  roleSource: 'the engine (mongodb_exporter)',
  role: {
    command: HELLO,
    parse: r => (hello(r).isWritablePrimary ? 'primary' : 'replica'),
  },
  source: {
    command: HELLO,
    parse(r) {
      const h = hello(r);
      // A secondary follows the elected primary; the primary follows none.
      if (h.isWritablePrimary || !h.primary) return undefined;
      return { from: h.primary, running: h.secondary };
    },
  },
  write: writeByExit(
    () => mongodb,
    [
      'mongosh',
      '--quiet',
      '--eval',
      "db.getSiblingDB('app').e2e.insertOne({check: 1})",
    ],
    /MongoServerError\[NotWritablePrimary\]: not primary/,
  ),
};

/** `curl -s -X <method> localhost:9200<path>` in the first pod, parsed. */
function esCurl(cluster: string, method: string, path: string, body?: object) {
  const r = execInFirstPod(elasticsearch, cluster, [
    'curl',
    '-s',
    '-X',
    method,
    `localhost:9200${path}`,
    ...(body
      ? ['-H', 'Content-Type: application/json', '-d', JSON.stringify(body)]
      : []),
  ]);
  return JSON.parse(ok(r, 'curl'));
}

const elasticsearch: EngineCase = {
  engine: 'elasticsearch',
  entity: 'search-elasticsearch',
  namespace: 'databases',
  container: 'elasticsearch',
  primary: 'eu-west',
  replica: 'us-east',
  dialog: {
    commands: ['index.blocks.write', '_ccr/pause_follow', '_ccr/unfollow'],
    unit: 'operations',
  },
  roleSource: "the engine (Elasticsearch CCR's follower indices)",
  // The remote cluster is reached through the leader's transport proxy.
  sourceMark: cluster => `.${cluster}.`,
  read(cluster) {
    const [info] = esCurl(cluster, 'GET', '/products/_ccr/info')
      .follower_indices as Array<{ remote_cluster: string; status: string }>;
    if (!info) return { role: 'primary' };
    const remote = esCurl(cluster, 'GET', '/_remote/info')[info.remote_cluster];
    return {
      role: 'replica',
      source: {
        from: `${info.remote_cluster} at ${remote?.proxy_address}`,
        running: info.status === 'active' && remote?.connected === true,
      },
    };
  },
  write(cluster) {
    const r = esCurl(cluster, 'POST', '/products/_doc', { sku: 'e2e' });
    if (r.result === 'created') return 'accepted';
    if (/a following engine does not accept operations/.test(r.error?.reason))
      return 'refused';
    return `failed otherwise: ${JSON.stringify(r)}`;
  },
};

/** The MirrorMaker 2 configuration of events-kafka (it runs in us-east). */
function mm2Properties(): string {
  return kubectl(
    'us-east',
    'get',
    'configmap',
    '-n',
    'databases',
    'events-kafka-mirrormaker2',
    '-o',
    'jsonpath={.data.mm2\\.properties}',
  );
}

const KAFKA_BIN = '/opt/kafka/bin';

/** The end offset of partition 0 of the test topic on `cluster`'s brokers. */
function endOffset(cluster: string): number {
  const out = ok(
    execInFirstPod(kafka, cluster, [
      `${KAFKA_BIN}/kafka-get-offsets.sh`,
      '--bootstrap-server',
      'localhost:9092',
      '--topic',
      'e2e-check',
      '--partitions',
      '0',
    ]),
    'kafka-get-offsets.sh',
  );
  return Number(out.trim().split(':')[2] ?? 0);
}

const kafka: EngineCase = {
  engine: 'kafka',
  entity: 'events-kafka',
  namespace: 'databases',
  workload: 'events-kafka',
  container: 'kafka',
  primary: 'eu-central',
  replica: 'us-east',
  dialog: {
    commands: ['kafka-get-offsets.sh', 'mm2.properties'],
    unit: 'offsets',
  },
  roleSource: "the engine (MirrorMaker 2's running flows)",
  sourceMark: cluster => `${cluster}->`,
  read(cluster): { role: 'primary' | 'replica'; source?: EngineSource } {
    const text = mm2Properties();
    const enabled = (from: string, to: string) =>
      new RegExp(`^${from}->${to}\\.enabled\\s*=\\s*true\\s*$`, 'm').test(text);
    const other = cluster === 'eu-central' ? 'us-east' : 'eu-central';
    if (enabled(cluster, other) && !enabled(other, cluster)) {
      return { role: 'primary' };
    }
    if (enabled(other, cluster) && !enabled(cluster, other)) {
      return {
        role: 'replica',
        source: { from: `${other}->${cluster}`, running: true },
      };
    }
    throw new Error(`mm2.properties runs no single flow:\n${text}`);
  },
  // Kafka has no read-only switch: a write is the database's when
  // MirrorMaker 2 carries it to the other side. On the old primary (its
  // producers stopped by the switchover) it stays where it was written.
  write(cluster) {
    const other = cluster === 'eu-central' ? 'us-east' : 'eu-central';
    const before = endOffset(other);
    const r = execInFirstPod(kafka, cluster, [
      `${KAFKA_BIN}/kafka-producer-perf-test.sh`,
      '--topic',
      'e2e-check',
      '--num-records',
      '1',
      '--record-size',
      '100',
      '--throughput',
      '-1',
      '--producer-props',
      'bootstrap.servers=localhost:9092',
    ]);
    if (r.code !== 0) return `failed (exit ${r.code}): ${r.stderr}`;
    for (let i = 0; i < 20; i++) {
      if (endOffset(other) > before) return 'accepted';
      pause(500);
    }
    return 'refused';
  },
};

/** The engines whose demo database the browser test fails over and back. */
export const ENGINE_CASES: EngineCase[] = [
  mysql,
  postgresql,
  mongodb,
  elasticsearch,
  kafka,
];
