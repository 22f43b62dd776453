/*
 * The script that joins a MySQL server to the replication topology each
 * time its container starts, not only when the data directory is new: it
 * adds the channels a server lacks, clones an empty server from its source
 * first, and makes replicas read-only. It never makes a server writable;
 * promotion is a failover's decision.
 */

/** A replication channel: the server a pod copies, named after that server's cluster. */
export interface MysqlChannel {
  name: string;
  host: string;
}

/** What the pods of one cluster replicate from. */
export interface MysqlClusterTopology {
  cluster: string;
  port: number;
  /** The pod at the cluster's first ordinal: the cluster's primary. */
  primaryPod: string;
  /** The channels of the primary pod: the source clusters' primaries (none on the source itself). */
  primaryChannels: MysqlChannel[];
  /** Whether the primary pod is read-only (a passive cluster's). */
  primaryReadOnly: boolean;
  /** The channel of every other pod: its own cluster's primary. */
  followerChannel: MysqlChannel;
}

/** The statements that add one channel; the password stays a shell variable. */
export function channelStatements(
  channel: MysqlChannel,
  port: number,
): string[] {
  return [
    `CHANGE REPLICATION SOURCE TO SOURCE_HOST='${channel.host}', SOURCE_PORT=${port}, SOURCE_USER='replicator', SOURCE_PASSWORD='$REPLICATION_PASSWORD', SOURCE_AUTO_POSITION=1, SOURCE_SSL=1 FOR CHANNEL '${channel.name}';`,
    `START REPLICA FOR CHANNEL '${channel.name}';`,
  ];
}

// The helpers every cluster's script shares. Passwords reach the client in
// an option file (a process substitution), never on a command line. The
// local server is reached over TCP so the image entrypoint's first-run
// server, which listens on the socket only, is not mistaken for it.
const HELPERS = [
  'client() {',
  '  local user=$1 password=$2',
  '  shift 2',
  `  mysql --defaults-extra-file=<(printf '[client]\\nuser=%s\\npassword="%s"\\n' "$user" "$password") -N -B "$@"`,
  '}',
  'local_sql() { client root "$MYSQL_ROOT_PASSWORD" --protocol=tcp -h127.0.0.1 -P"$PORT" "$@"; }',
  'source_sql() { client replicator "$REPLICATION_PASSWORD" --ssl-mode=REQUIRED -h"$1" -P"$PORT" -e "$2"; }',
  '',
  'empty() { [ -z "$(local_sql -e \'SELECT @@GLOBAL.gtid_executed\')" ]; }',
  '',
  '# An empty server (new, or its volume lost) is cloned from its source when',
  '# the source has data. The clone ends by stopping mysqld, so the container',
  '# restarts on the cloned data; a failed clone stops it too, to try again.',
  '# Emptiness is checked again once the source answers: a clone replaces',
  '# whatever the server took meanwhile.',
  'seed() {',
  '  local donor=$1 theirs',
  '  empty || return 0',
  '  until theirs=$(source_sql "$donor" \'SELECT @@GLOBAL.gtid_executed\'); do sleep 5; done',
  '  [ -n "$theirs" ] && empty || return 0',
  '  echo "join: cloning from $donor" >&2',
  '  local_sql <<SQL',
  "SET GLOBAL clone_valid_donor_list='$donor:$PORT';",
  "CLONE INSTANCE FROM 'replicator'@'$donor':$PORT IDENTIFIED BY '$REPLICATION_PASSWORD' REQUIRE SSL;",
  'SQL',
  "  local_sql -e 'SHUTDOWN' 2>/dev/null",
  '  exit 0',
  '}',
  '',
  '# Adds channel $1 from source $2 (its statements on stdin) unless the',
  '# server has it already: a channel a failover changed stays as it is.',
  'join() {',
  '  local statements',
  '  statements=$(cat)',
  `  [ -z "$(local_sql -e "SELECT 1 FROM performance_schema.replication_connection_configuration WHERE CHANNEL_NAME='$1'")" ] || return 0`,
  '  seed "$2"',
  '  echo "join: adding channel $1 from $2" >&2',
  '  printf \'%s\\n\' "$statements" | local_sql',
  '}',
  '',
  "read_only() { local_sql -e 'SET PERSIST read_only=ON; SET PERSIST super_read_only=ON;'; }",
];

function joinLines(channel: MysqlChannel, port: number): string[] {
  return [
    `    join '${channel.name}' '${channel.host}' <<SQL`,
    ...channelStatements(channel, port),
    'SQL',
  ];
}

function header(t: MysqlClusterTopology): string[] {
  const sources = t.primaryChannels.map(ch => ch.name).join(', ');
  return [
    '#!/bin/bash',
    `# Joins a server of ${t.cluster} to the replication topology, on every start.`,
    sources
      ? `# ${t.primaryPod}, the cluster's primary, replicates from ${sources}${
          t.primaryReadOnly ? ' and is read-only' : ''
        };`
      : `# ${t.primaryPod}, the cluster's primary, is the source of the topology;`,
    `# the other pods replicate from ${t.primaryPod} and are read-only.`,
    'set -u',
    `PORT=${t.port}`,
    '',
  ];
}

/** The join script of one cluster, the same for each of its pods. */
export function joinScript(t: MysqlClusterTopology): string {
  const primary = t.primaryChannels.flatMap(ch => joinLines(ch, t.port));
  if (t.primaryReadOnly) primary.push('    read_only');
  if (primary.length === 0) primary.push('    : # nothing to join');
  return [
    ...header(t),
    ...HELPERS,
    '',
    'until local_sql -e "SELECT 1" >/dev/null 2>&1; do sleep 2; done',
    'case "$POD_NAME" in',
    `  '${t.primaryPod}')`,
    ...primary,
    '    ;;',
    '  *)',
    ...joinLines(t.followerChannel, t.port),
    '    read_only',
    '    ;;',
    'esac',
    '',
  ].join('\n');
}
