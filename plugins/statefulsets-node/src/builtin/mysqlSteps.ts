/*
 * The statements the MySQL provider runs, in one place, so the plan shows
 * exactly what each step will execute (without secrets: the replication
 * password stays a variable of the pod's shell).
 */
import {
  describeWorkload,
  FailoverStepDescriptions,
  FailoverStepSides,
} from '@multicluster/backstage-plugin-statefulsets-common';

/** SQL of each provider action. */
export const mysqlSql = {
  readState:
    'SELECT @@GLOBAL.super_read_only AS super_read_only, @@GLOBAL.read_only AS read_only, @@GLOBAL.gtid_executed AS gtid_executed',
  replicaStatus: 'SHOW REPLICA STATUS',
  // super_read_only implies read_only; PERSIST keeps the fence over a restart.
  fence: 'SET PERSIST super_read_only=ON',
  promote:
    'STOP REPLICA; RESET REPLICA ALL; SET PERSIST super_read_only=OFF; SET PERSIST read_only=OFF',
  restoreFlags(flags: { superReadOnly: boolean; readOnly: boolean }): string {
    if (flags.superReadOnly) return 'SET PERSIST super_read_only=ON';
    const readOnly = flags.readOnly ? 'ON' : 'OFF';
    return `SET PERSIST super_read_only=OFF; SET PERSIST read_only=${readOnly}`;
  },
  waitFor(gtidSet: string, seconds: number): string {
    return `SELECT WAIT_FOR_EXECUTED_GTID_SET('${gtidSet}', ${seconds})`;
  },
  follow(source: { host: string; port: number; channel: string }): string {
    return [
      'SET PERSIST super_read_only=ON',
      'STOP REPLICA',
      'RESET REPLICA ALL',
      // The password last, alone in its word: the pod's shell expands it.
      `CHANGE REPLICATION SOURCE TO SOURCE_HOST='${source.host}', SOURCE_PORT=${source.port}, SOURCE_USER='replicator', SOURCE_AUTO_POSITION=1, SOURCE_SSL=1, SOURCE_PASSWORD='$REPLICATION_PASSWORD' FOR CHANNEL '${source.channel}'`,
      `START REPLICA FOR CHANNEL '${source.channel}'`,
    ].join('; ');
  },
};

function primaryPod(w: FailoverStepSides['sourceWorkload']): string {
  return w ? `${w.name}-${w.ordinalsStart}` : '?';
}

/** The MySQL provider's steps, each with the statements it runs and where. */
export function describeMySqlSteps(
  sides: FailoverStepSides,
): FailoverStepDescriptions {
  const source = sides.sourceCluster ?? '?';
  const target = sides.targetCluster;
  const srcPod = `${source}/${primaryPod(sides.sourceWorkload)}`;
  const tgtPod = `${target}/${primaryPod(sides.targetWorkload)}`;
  const fence = [`${srcPod}: ${mysqlSql.fence} (the pod keeps running)`];
  const promote = [
    `${tgtPod}: ${mysqlSql.promote}`,
    `the other pods of ${target} keep replicating from ${tgtPod}`,
    `join.sh of ${target} (replication ConfigMap): ${primaryPod(
      sides.targetWorkload,
    )} joins nothing, so a restart keeps it the source`,
  ];
  const follow = `${srcPod}: ${mysqlSql.fence}; STOP REPLICA; RESET REPLICA ALL; CHANGE REPLICATION SOURCE TO SOURCE_HOST=<${tgtPod}>, SOURCE_AUTO_POSITION=1 FOR CHANNEL '${target}'; START REPLICA FOR CHANNEL '${target}'`;
  return {
    fenceMethod: `mysql-gtid: ${describeWorkload(
      sides.sourceWorkload,
    )} in ${source} is fenced with super_read_only on its primary pod, then ${target} waits until it has executed the fenced source's @@gtid_executed (WAIT_FOR_EXECUTED_GTID_SET) before it is promoted`,
    fence,
    promote: [
      `${tgtPod}: SELECT WAIT_FOR_EXECUTED_GTID_SET(<@@gtid_executed of ${srcPod}>, <timeout>)`,
      ...promote,
    ],
    fenceOldSource: [
      `${srcPod}: ${mysqlSql.fence} once it answers; it follows ${tgtPod} only if it has no errant transactions (GTIDs ${target} lacks), else they are reported`,
    ],
    promoteWithoutSource: [
      ...promote,
      `data-loss window: the transactions of ${srcPod}'s @@gtid_executed missing from ${tgtPod} (GTID set difference), counted and recorded with the run; unknown while ${source} does not answer`,
    ],
    reattach: [
      `refused if ${srcPod} has errant transactions (GTIDs ${target} lacks)`,
      follow,
      `join.sh of ${source} (replication ConfigMap): ${primaryPod(
        sides.sourceWorkload,
      )} joins channel '${target}' and is read-only`,
    ],
  };
}
