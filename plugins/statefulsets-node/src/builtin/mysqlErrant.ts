/*
 * Transactions one MySQL server executed that another lacks, by GTID set
 * difference: errant transactions of an old source (which must never be
 * attached to the new primary) and the data-loss window of a promotion,
 * both counted in transactions.
 */
import { FailoverCallContext, UndoData } from '../failover';
import { gtidDifference } from './gtidSet';
import { MysqlServer } from './mysqlExec';
import { readServerState, ServerState } from './mysqlState';

/** Errant transactions: what `old` executed that `primary` lacks. */
export function errantMessage(
  old: MysqlServer,
  primary: MysqlServer,
  errant: { gtids: string; transactions: number },
): string {
  return `${old.side.cluster} (${old.pod}) has ${errant.transactions} errant transaction(s) that ${primary.side.cluster} never executed (${errant.gtids}); replicating would diverge. Keep ${old.side.cluster} fenced, then either apply those transactions on ${primary.side.cluster} or rebuild ${old.pod} from ${primary.side.cluster} (CLONE, or an empty data volume), and retry`;
}

/** Throws the errant-transaction message when `old` executed transactions `primary` lacks. */
export function requireNoErrant(
  old: MysqlServer,
  oldState: ServerState,
  primary: MysqlServer,
  primaryState: ServerState,
): void {
  const errant = gtidDifference(
    oldState.gtidExecuted,
    primaryState.gtidExecuted,
  );
  if (errant.transactions > 0) {
    throw new Error(errantMessage(old, primary, errant));
  }
}

/**
 * The transactions of `sourceSet` the target lacks: the data a promotion
 * leaves behind, recorded with the run (unknown when the source's set is).
 */
export function lossWindow(
  target: ServerState,
  sourceSet: string | undefined,
): UndoData {
  if (sourceSet === undefined) {
    return { sourceGtidExecuted: null, lostTransactions: null };
  }
  const lost = gtidDifference(sourceSet, target.gtidExecuted);
  return {
    sourceGtidExecuted: sourceSet,
    lostTransactions: lost.transactions,
    lostGtids: lost.gtids,
  };
}

/** Reads both servers and refuses when `old` executed transactions `primary` lacks. */
export async function checkNoErrant(
  old: MysqlServer,
  primary: MysqlServer,
  ctx: FailoverCallContext,
): Promise<void> {
  const [o, p] = await Promise.all([
    readServerState(old, ctx),
    readServerState(primary, ctx),
  ]);
  requireNoErrant(old, o, primary, p);
}
