/*
 * What a MySQL server reports of itself, read through exec and parsed: its
 * read-only flags and @@gtid_executed, its replication channels (SHOW
 * REPLICA STATUS), and what follows from them (the lag, whether it is a
 * writable primary, whether a channel from a given source already runs).
 */
import { FailoverCallContext } from '../failover';
import { MysqlServer, parseVertical, runSql } from './mysqlExec';
import { mysqlSql } from './mysqlSteps';

/** A server's read-only flags and executed GTID set. */
export interface ServerState {
  superReadOnly: boolean;
  readOnly: boolean;
  gtidExecuted: string;
}

/** One replication channel of SHOW REPLICA STATUS, column → value. */
export type ReplicaChannel = Record<string, string | null>;

/** The state row of `mysqlSql.readState`, as `mysql -E` prints it. */
export function parseServerState(stdout: string): ServerState {
  const [row] = parseVertical(stdout);
  return {
    superReadOnly: row?.super_read_only === '1',
    readOnly: row?.read_only === '1',
    gtidExecuted: (row?.gtid_executed ?? '').replace(/\s+/g, ''),
  };
}

/** Reads a server's flags and @@gtid_executed. */
export async function readServerState(
  s: MysqlServer,
  ctx: FailoverCallContext,
): Promise<ServerState> {
  return parseServerState(
    await runSql(s, mysqlSql.readState, ctx, { vertical: true }),
  );
}

/** Reads a server's replication channels (none on a primary). */
export async function readReplicaStatus(
  s: MysqlServer,
  ctx: FailoverCallContext,
): Promise<ReplicaChannel[]> {
  return parseVertical(
    await runSql(s, mysqlSql.replicaStatus, ctx, { vertical: true }),
  );
}

/** The largest Seconds_Behind_Source of the channels; null without channels or while one is not measured. */
export function lagOfChannels(channels: ReplicaChannel[]): number | null {
  const seconds = channels.map(r => r.Seconds_Behind_Source);
  if (seconds.length === 0 || seconds.some(v => v === null || v === undefined))
    return null;
  return Math.max(...seconds.map(Number));
}

/** A writable server without replication: what a promotion leaves. */
export function isWritablePrimary(
  state: ServerState,
  channels: ReplicaChannel[],
): boolean {
  return !state.readOnly && !state.superReadOnly && !channels.length;
}

/** Whether the only channel is the one from `sourceCluster` and it runs (then it is kept as it is). */
export function runsOnlyFrom(
  channels: ReplicaChannel[],
  sourceCluster: string,
): boolean {
  return (
    channels.length === 1 &&
    channels[0].Channel_Name === sourceCluster &&
    channels[0].Replica_IO_Running !== 'No' &&
    channels[0].Replica_SQL_Running === 'Yes'
  );
}
