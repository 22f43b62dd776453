/*
 * The role changes of a MySQL server beyond its flags: the StatefulSet's
 * role annotations mirror what the engine does, and a server made a
 * replica of another runs the replication statements and has its cluster's
 * join script rewritten, so a restarted pod rejoins the new topology.
 */
import { FailoverCallContext } from '../failover';
import { MysqlServer, runSql } from './mysqlExec';
import { rewriteJoinScript } from './mysqlJoinScript';
import { readReplicaStatus, runsOnlyFrom } from './mysqlState';
import { mysqlSql } from './mysqlSteps';
import { annotateRole } from './ExecEngineProvider';

/**
 * Makes `replica` a read-only replica of `primary`'s server reached at
 * `host`, unless it already is.
 */
export async function followPrimary(
  replica: MysqlServer,
  primary: MysqlServer,
  host: string,
  ctx: FailoverCallContext,
): Promise<void> {
  const channels = await readReplicaStatus(replica, ctx);
  // A channel from the primary's cluster that runs is kept as it is.
  const sql = runsOnlyFrom(channels, primary.side.cluster)
    ? mysqlSql.fence
    : mysqlSql.follow({
        host,
        port: primary.port,
        channel: primary.side.cluster,
      });
  await runSql(replica, sql, ctx);
  await annotateRole(replica.side, 'passive', primary.side.cluster);
  await rewriteJoinScript(replica, {
    source: false,
    channel: primary.side.cluster,
    host,
    port: primary.port,
  });
}
