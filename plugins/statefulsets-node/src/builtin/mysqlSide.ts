/*
 * The MySQL server a failover side acts on: its StatefulSet's primary pod,
 * read only from a StatefulSet stamped for the run's entity, and its state
 * read within a bound when the side may be down.
 */
import { FailoverCallContext, FailoverSide } from '../failover';
import { answerWithin, stampedStatefulSet } from './ExecEngineProvider';
import { MysqlServer, mysqlServerOf } from './mysqlExec';
import { readServerState, ServerState } from './mysqlState';

/**
 * The side's primary server, or undefined when only the fallback can act.
 * Refuses a StatefulSet not stamped for the run's entity: every exec
 * changes or reads that entity's database.
 */
export async function sideServer(
  side: FailoverSide,
  ctx: FailoverCallContext,
): Promise<MysqlServer | undefined> {
  return mysqlServerOf(side, await stampedStatefulSet(side, ctx));
}

/**
 * A side's server state when it answers within `ms`, else undefined: a
 * dead source must not hold up an emergency promotion or a plan.
 */
export async function sideStateIfAnswering(
  side: FailoverSide,
  ctx: FailoverCallContext,
  ms: number,
): Promise<ServerState | undefined> {
  return answerWithin(
    sideServer(side, ctx).then(s => (s ? readServerState(s, ctx) : undefined)),
    ms,
  );
}
