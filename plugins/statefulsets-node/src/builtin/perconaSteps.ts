/*
 * What the Percona XtraDB Cluster provider changes and runs, in one place,
 * so the plan shows each step as it will happen: the operator's fields it
 * sets (Percona's documented order for turning cross-site replication
 * around: the old source becomes a replica of the new one first, then the
 * new one becomes the source, so there are never two sources) and the read
 * statements it runs through exec (no secrets: the password is the pod's
 * MYSQL_ROOT_PASSWORD).
 */
import {
  describeWorkload,
  FailoverStepDescriptions,
  FailoverStepSides,
} from '@multicluster/backstage-plugin-statefulsets-common';
import { pxcNameOf } from './perconaSites';
import { mysqlSql } from './mysqlSteps';

function resourceOf(w: FailoverStepSides['sourceWorkload']): string {
  const name = w ? pxcNameOf(w.name) ?? w.name : '?';
  return `PerconaXtraDBCluster ${w?.namespace ?? '?'}/${name}`;
}

/** The PXC provider's steps, each with the fields it sets and the statements it runs. */
export function describePerconaXtraDbSteps(
  sides: FailoverStepSides,
): FailoverStepDescriptions {
  const source = sides.sourceCluster ?? '?';
  const target = sides.targetCluster;
  const src = `${source}/${resourceOf(sides.sourceWorkload)}`;
  const tgt = `${target}/${resourceOf(sides.targetWorkload)}`;
  const demote = (to: string) =>
    `${src}: spec.pxc.replicationChannels[*].isSource = false, sourcesList = the hosts ${to}'s exposed pxc pods publish (the operator sets read_only on every pxc pod and starts the channel from them)`;
  const promote = [
    `${tgt}: spec.pxc.replicationChannels[*].isSource = true, sourcesList removed (the operator stops and removes the channel and clears read_only on every pxc pod)`,
    `wait until ${target}'s pxc pods answer read_only = 0 with no replica channel (${mysqlSql.readState}; ${mysqlSql.replicaStatus})`,
  ];
  return {
    fenceMethod: `percona-xtradb-cluster: ${describeWorkload(
      sides.sourceWorkload,
    )}'s PerconaXtraDBCluster in ${source} is turned into a replica of ${target} (isSource: false; the operator makes it read_only), then ${target} waits until it has executed the fenced source's @@gtid_executed (WAIT_FOR_EXECUTED_GTID_SET) before it becomes the source`,
    fence: [
      `refused unless ${target}'s pxc pods are exposed (spec.pxc.expose) and publish their hosts`,
      demote(target),
      `wait until every pxc pod of ${source} answers read_only = 1 (${mysqlSql.readState})`,
    ],
    promote: [
      `${target}: ${mysqlSql
        .waitFor(`<@@gtid_executed of ${source}>`, 0)
        .replace(', 0)', ', <timeout>)')} on its replication pod`,
      ...promote,
    ],
    fenceOldSource: [`once ${source} answers: ${demote(target)}`],
    promoteWithoutSource: [
      ...promote,
      `data-loss window: the transactions of ${source}'s @@gtid_executed missing from ${target}'s (GTID set difference), counted and recorded with the run; unknown while ${source} does not answer`,
    ],
    reattach: [
      `${src}: already a replica of ${target} since the fence (isSource: false, sourcesList = ${target}'s hosts); refused if it has transactions ${target} lacks`,
      `wait until ${source}'s replication pod runs the channel from ${target} (${mysqlSql.replicaStatus})`,
    ],
  };
}
