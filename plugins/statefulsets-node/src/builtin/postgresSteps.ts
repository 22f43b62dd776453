/*
 * The PostgreSQL streaming-replication provider's steps in words, for the
 * failover dialog: the statements and tools each step runs (no secrets)
 * and the data-loss window in WAL bytes.
 */
import {
  describeWorkload,
  FailoverStepDescriptions,
  FailoverStepSides,
} from '@multicluster/backstage-plugin-statefulsets-common';
import {
  FENCE_STATEMENTS,
  PROMOTE_STATEMENTS,
  REJOIN_PREPARE_STATEMENTS,
} from './postgresCommands';

/** The provider's steps in words: the commands each one runs, and the data-loss window in WAL bytes. */
export function describePostgresStreamingSteps(
  sides: FailoverStepSides,
): FailoverStepDescriptions {
  const src = `${describeWorkload(sides.sourceWorkload)} in ${
    sides.sourceCluster ?? '?'
  }`;
  const tgt = `${describeWorkload(sides.targetWorkload)} in ${
    sides.targetCluster
  }`;
  const fence = FENCE_STATEMENTS.map(s => `${src}: ${s}`);
  const promote = PROMOTE_STATEMENTS.map(s => `${tgt}: ${s}`);
  return {
    fenceMethod: `PostgreSQL streaming replication: ${src} is made read-only (ALTER SYSTEM SET default_transaction_read_only = on, sessions ended) and stays up`,
    fence,
    promote: [
      `${tgt}: wait until pg_last_wal_replay_lsn() reaches the source's pg_current_wal_lsn() (data-loss window: 0 bytes of WAL)`,
      ...promote,
    ],
    fenceOldSource: fence,
    promoteWithoutSource: [
      `${tgt}: no LSN check; data-loss window: the WAL bytes the source wrote past the target's pg_last_wal_receive_lsn(), recorded with the run (unknown while the source does not answer)`,
      ...promote,
    ],
    reattach: [
      `${sides.targetCluster}: CHECKPOINT`,
      ...REJOIN_PREPARE_STATEMENTS.map(s => `${src}: ${s}`),
      `${src}: pg_ctl stop -m fast; pg_rewind --source-server=<${sides.targetCluster} primary> --write-recovery-conf (standby.signal, primary_conninfo); pg_ctl start`,
      `${src}: the same in each other pod of the StatefulSet (they streamed from its first pod), pointed at the ${sides.targetCluster} primary`,
    ],
  };
}
