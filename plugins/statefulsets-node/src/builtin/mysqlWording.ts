/*
 * What the MySQL provider says about a run's state in words: the
 * data-loss window the plan shows, a target that did not catch up, and the
 * role problems a verification finds. Each names the server and what to
 * check.
 */
import { EngineDataLoss } from '@multicluster/backstage-plugin-statefulsets-common';
import { MysqlServer } from './mysqlExec';
import { ReplicaChannel, ServerState } from './mysqlState';

/** The data-loss window in transactions; `lost` undefined while the source does not answer. */
export function dataLossInTransactions(
  sourceCluster: string,
  targetCluster: string,
  lost?: { transactions: number; gtids: string },
): Omit<EngineDataLoss, 'provider'> {
  if (!lost) {
    return {
      amount: null,
      unit: 'transactions',
      detail: `${sourceCluster} does not answer; the transactions it has that ${targetCluster} lacks are reported as errant when it comes back`,
    };
  }
  return {
    amount: lost.transactions,
    unit: 'transactions',
    detail: `${sourceCluster}'s @@gtid_executed minus ${targetCluster}'s${
      lost.gtids ? ` (${lost.gtids})` : ''
    }`,
  };
}

/** The target did not execute the fenced source's transactions in time. */
export function notCaughtUpMessage(
  target: MysqlServer,
  sourceCluster: string,
  seconds: number,
  missing: { transactions: number; gtids: string },
): string {
  return `${target.side.cluster} did not execute ${sourceCluster}'s transactions within ${seconds}s: ${missing.transactions} transaction(s) still missing (${missing.gtids}); check SHOW REPLICA STATUS on ${target.pod}`;
}

/** What is wrong with a new primary: still read-only, still replicating. */
export function primaryProblems(
  primary: MysqlServer,
  state: ServerState,
  channels: ReplicaChannel[],
): string[] {
  const { cluster } = primary.side;
  const problems: string[] = [];
  if (state.superReadOnly || state.readOnly) {
    problems.push(`${cluster} (${primary.pod}) is still read-only`);
  }
  if (channels.length) {
    problems.push(
      `${cluster} (${primary.pod}) still replicates from ${channels
        .map(c => c.Source_Host)
        .join(', ')}`,
    );
  }
  return problems;
}

/** What is wrong with an old source: it still takes writes. */
export function oldSourceProblems(
  old: MysqlServer,
  state: ServerState,
): string[] {
  return state.superReadOnly
    ? []
    : [`${old.side.cluster} (${old.pod}) still takes writes`];
}
