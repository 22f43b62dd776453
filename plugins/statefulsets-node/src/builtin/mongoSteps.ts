/*
 * What the MongoDB provider runs, in one place, so the plan shows exactly
 * what each step executes (the scripts carry no secret), and the priority
 * rule that makes the election land on the target and stay there.
 */
import {
  describeWorkload,
  FailoverStepDescriptions,
  FailoverStepSides,
} from '@multicluster/backstage-plugin-statefulsets-common';

/** How long a stepped-down primary stays unelectable, in seconds. */
export const STEP_DOWN_SECS = 60;
/** How long a step down waits for an electable secondary to catch up, in seconds. */
export const CATCH_UP_SECS = 10;

/** The mongosh scripts of each provider action. */
export const mongoJs = {
  status: 'rs.status()',
  conf: 'rs.conf()',
  hello: 'db.hello()',
  reconfig(config: unknown, force: boolean): string {
    return `rs.reconfig(${JSON.stringify(config)}, {force: ${force}})`;
  },
  stepDown: `db.adminCommand({replSetStepDown: ${STEP_DOWN_SECS}, secondaryCatchUpPeriodSecs: ${CATCH_UP_SECS}})`,
  unfreeze: 'db.adminCommand({replSetFreeze: 0})',
};

interface ConfMember {
  host: string;
  priority?: number;
  votes?: number;
  hidden?: boolean;
  arbiterOnly?: boolean;
  [k: string]: unknown;
}

function electable(m: ConfMember): boolean {
  return !m.hidden && !m.arbiterOnly && (m.votes ?? 1) > 0;
}

/**
 * The configuration with the target's electable members at the highest
 * priority of the set, and the members that held it lowered to the
 * target's former priority (half of it when the target had none): the
 * priorities swap, so a failback swaps them back. Throws when the target
 * has no electable member.
 */
export function raiseTarget<C extends { members: ConfMember[] }>(
  conf: C,
  onTarget: (host: string) => boolean,
): C {
  const target = conf.members.filter(m => onTarget(m.host) && electable(m));
  if (target.length === 0) {
    throw new Error(
      `no electable member (votes 1, not hidden, not an arbiter) of the replica set is in the target cluster; members: ${conf.members
        .map(m => m.host)
        .join(', ')}`,
    );
  }
  const top = Math.max(1, ...conf.members.map(m => m.priority ?? 1));
  const targetBefore = Math.max(...target.map(m => m.priority ?? 1));
  const lowered =
    targetBefore > 0 && targetBefore < top ? targetBefore : top / 2;
  return {
    ...conf,
    members: conf.members.map(m => {
      if (target.includes(m)) return { ...m, priority: top };
      if (!onTarget(m.host) && (m.priority ?? 1) >= top)
        return { ...m, priority: lowered };
      return m;
    }),
  };
}

function memberPods(w: FailoverStepSides['sourceWorkload']): string {
  return w ? `${w.name}-${w.ordinalsStart}…` : '?';
}

/** The MongoDB provider's steps, each with the mongosh commands it runs and where. */
export function describeMongoSteps(
  sides: FailoverStepSides,
): FailoverStepDescriptions {
  const source = sides.sourceCluster ?? '?';
  const target = sides.targetCluster;
  const srcPods = `${source}/${memberPods(sides.sourceWorkload)}`;
  const tgtPods = `${target}/${memberPods(sides.targetWorkload)}`;
  const raise = `mongosh --eval 'rs.reconfig(<rs.conf() with the priorities of ${target}'s members raised to the set's highest, the members that held it lowered>)' on the primary`;
  return {
    fenceMethod: `mongodb-replica-set: ${describeWorkload(
      sides.sourceWorkload,
    )} in ${source} gives up the primary by an election: ${target}'s members get the highest priority (rs.reconfig), then the primary steps down (replSetStepDown) once a secondary has its last write, and is not electable for ${STEP_DOWN_SECS}s`,
    fence: [
      raise,
      `primary in ${srcPods}: mongosh --eval '${mongoJs.stepDown}' (writes stop; it steps down only when an electable secondary has caught up within ${CATCH_UP_SECS}s)`,
    ],
    promote: [
      `${tgtPods}: mongosh --eval 'rs.status()' until a member of ${target} has the optime of ${source}'s last write`,
      `${tgtPods}: mongosh --eval 'db.hello()' until the elected primary is a member of ${target}`,
    ],
    fenceOldSource: [
      `${srcPods}: once it answers, mongosh --eval '${mongoJs.stepDown}' if it still claims to be primary; its members keep the lowered priority (or stay REMOVED after a forced reconfig)`,
    ],
    promoteWithoutSource: [
      `with a majority of votes left: ${raise} (the set has elected a primary without ${source})`,
      `without a majority: ${tgtPods}: mongosh --eval 'rs.reconfig(<rs.conf() keeping only the members ${target} reaches, ${target}'s priorities raised>, {force: true})' (needs the failover's force)`,
      `data-loss window: ${source}'s last known optime (rs.status() from ${target}) minus ${target}'s newest optime, in seconds, recorded with the run`,
    ],
    reattach: [
      `${srcPods}: mongosh --eval '${mongoJs.unfreeze}' on the stepped-down member (it stays a secondary of ${target}, at the lowered priority)`,
    ],
  };
}
