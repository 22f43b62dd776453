/*
 * The replica-set moves the MongoDB provider builds its steps from: waiting
 * on the set's status, finding the primary's pod, raising the target's
 * priorities through the primary (or with force from the target), and the
 * newest optime known of a source that may be gone and what the target
 * lacks of it.
 */
import { EngineDataLoss } from '@multicluster/backstage-plugin-statefulsets-common';
import { FailoverCallContext } from '../failover';
import {
  hostOnSide,
  MongoSide,
  mongoJson,
  podOfHost,
  readReplicaSet,
  ReplicaSetStatus,
  sideOptimeMs,
} from './mongoExec';
import { mongoJs, raiseTarget } from './mongoSteps';

/** The unit MongoDB's data-loss window is stated in. */
export const OPTIME_UNIT = 'optime seconds';

/** Polls the set from `m` until `done` holds; throws `failure()` past the deadline. */
export async function pollReplicaSet(
  m: MongoSide,
  done: (rs: ReplicaSetStatus) => boolean,
  timeoutMs: number,
  failure: (rs: ReplicaSetStatus | undefined) => string,
  ctx: Pick<FailoverCallContext, 'signal'>,
  pollMs: number,
): Promise<ReplicaSetStatus> {
  const end = Date.now() + timeoutMs;
  let last: ReplicaSetStatus | undefined;
  for (;;) {
    const read = await readReplicaSet(m, ctx).catch(() => undefined);
    last = read ?? last;
    if (read && done(read)) return read;
    if (Date.now() >= end) throw new Error(failure(last));
    if (ctx.signal?.aborted) throw ctx.signal.reason ?? new Error('aborted');
    await new Promise(r => setTimeout(r, pollMs));
  }
}

/**
 * The newest optime the target's view holds of the source: the primary's
 * when there is one, else the source's members' (their last heartbeat),
 * or, when the source's StatefulSet cannot be read, every unreachable
 * member's.
 */
export function sourceOptime(
  rs: ReplicaSetStatus,
  source: MongoSide | undefined,
  sourceCluster: string,
): { ms: number; known: boolean; what: string } {
  const members = rs.members.filter(x =>
    source ? hostOnSide(x.name, source) : x.health !== 1,
  );
  const primary = rs.primary;
  const ms = Math.max(
    0,
    ...members.map(x => x.optimeMs),
    ...(primary ? [primary.optimeMs] : []),
  );
  let what = `${sourceCluster}'s members (last heartbeat)`;
  if (primary) what = `the primary ${primary.name}`;
  else if (!source) what = `the unreachable members (last heartbeat)`;
  return { ms, known: members.length > 0 || !!primary, what };
}

/** The pod of the primary when it belongs to one of the sides, with that side. */
export function primaryPodOf(
  rs: ReplicaSetStatus,
  sides: MongoSide[],
): { side: MongoSide; pod: string } | undefined {
  if (!rs.primary) return undefined;
  const side = sides.find(m => hostOnSide(rs.primary!.name, m));
  return side && { side, pod: podOfHost(rs.primary.name) };
}

/**
 * Raises the target's priorities: through the primary (one of the sides),
 * or, with `force`, from the target member that answered, keeping only the
 * members it reaches (the emergency path for a lost majority).
 */
export async function raisePriorities(
  rs: ReplicaSetStatus,
  t: MongoSide,
  others: MongoSide[],
  ctx: Pick<FailoverCallContext, 'signal'>,
  force: boolean,
): Promise<void> {
  let conf = raiseTarget(rs.conf as any, h => hostOnSide(h, t));
  if (force) {
    const reached = new Set(
      rs.members.filter(x => x.health === 1).map(x => x.name),
    );
    conf = {
      ...conf,
      members: conf.members.filter((x: any) => reached.has(x.host)),
    };
    await mongoJson(t, rs.pod, mongoJs.reconfig(conf, true), ctx);
    return;
  }
  const primary = primaryPodOf(rs, [t, ...others]);
  if (!primary) {
    throw new Error(
      `the primary (${rs.primary?.name ?? 'none'}) is in neither ${
        t.side.cluster
      } nor ${others
        .map(o => o.side.cluster)
        .join(
          ', ',
        )}: rs.reconfig must run on it; retry once the set has elected a primary there`,
    );
  }
  if (JSON.stringify(conf.members) !== JSON.stringify(rs.conf.members)) {
    await mongoJson(
      primary.side,
      primary.pod,
      mongoJs.reconfig(conf, false),
      ctx,
    );
  }
}

/**
 * Moves the election to the target without the source: with a primary
 * (a majority survived) only the priorities change; without one, a forced
 * configuration of the members the target reaches elects again. A primary
 * outside both sides cannot be reconfigured through exec: the priorities
 * are then forced from the target, every reachable member kept.
 */
export async function electInEmergency(
  rs: ReplicaSetStatus,
  t: MongoSide,
  s: MongoSide | undefined,
  ctx: Pick<FailoverCallContext, 'signal'>,
): Promise<{ forced: boolean; removedMembers?: string[] }> {
  if (!rs.primary) {
    await raisePriorities(rs, t, [], ctx, true);
    return {
      forced: true,
      removedMembers: rs.members.filter(x => x.health !== 1).map(x => x.name),
    };
  }
  if (primaryPodOf(rs, s ? [t, s] : [t])) {
    await raisePriorities(rs, t, s ? [s] : [], ctx, false);
    return { forced: false };
  }
  await raisePriorities(rs, t, [], ctx, true);
  return {
    forced: true,
    removedMembers: rs.members.filter(x => x.health !== 1).map(x => x.name),
  };
}

/** Waits until a member of `t`'s cluster is the elected primary. */
export function waitPrimaryOn(
  t: MongoSide,
  timeoutMs: number,
  pollMs: number,
  ctx: FailoverCallContext,
) {
  return pollReplicaSet(
    t,
    rs => !!rs.primary && hostOnSide(rs.primary.name, t),
    timeoutMs,
    rs =>
      `no member of ${
        t.side.cluster
      } was elected primary within ${timeoutMs}ms (primary: ${
        rs?.primary?.name ?? 'none'
      }); check rs.status() on ${t.pods[0]}`,
    ctx,
    pollMs,
  );
}

/**
 * What the target lacks of the source in optime seconds: the source's
 * newest optime (read from it, else from the target's last heartbeat)
 * minus the target's.
 */
export function optimeLoss(
  rs: ReplicaSetStatus,
  t: MongoSide,
  s: MongoSide | undefined,
  sourceCluster: string,
): Omit<EngineDataLoss, 'provider'> {
  const from = sourceOptime(rs, s, sourceCluster);
  const have = sideOptimeMs(rs, t);
  if (!from.known) {
    return {
      amount: null,
      unit: OPTIME_UNIT,
      detail: `${t.side.cluster} knows no optime of ${sourceCluster}'s members`,
    };
  }
  return {
    amount: Math.max(0, from.ms - have) / 1000,
    unit: OPTIME_UNIT,
    detail: `optime of ${from.what} (${new Date(
      from.ms,
    ).toISOString()}) minus ${t.side.cluster}'s newest (${new Date(
      have,
    ).toISOString()}), read with rs.status() on ${rs.pod}`,
  };
}
