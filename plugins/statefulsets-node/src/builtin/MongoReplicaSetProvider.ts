/*
 * Failover of a MongoDB replica set whose members span clusters, by the
 * engine's own election, through `pods/exec` into the members: a
 * switchover gives the target cluster's members the highest priority
 * (rs.reconfig), then steps the primary down with a catch-up period, so
 * the target, holding the primary's last write, is elected and stays
 * primary. An emergency with a majority of votes left needs no forced
 * change (the set elects; the priorities make it stay on the target);
 * without a majority, and only with the failover's force, the target
 * reconfigures the set with force to the members it reaches, and the data
 * lost is stated in optime seconds. The role annotations follow the engine
 * so the topology shows who is primary. Where a side cannot be exec'd
 * into, the generic provider acts instead.
 */
import {
  ANNOTATION_REPLICATION_SOURCE,
  ANNOTATION_ROLE,
  EngineDataLoss,
  FailoverStepDescriptions,
  FailoverStepSides,
  KubeObject,
} from '@multicluster/backstage-plugin-statefulsets-common';
import {
  FailoverCallContext,
  FailoverReplicationProvider,
  FailoverSide,
  LagReading,
  UndoData,
} from '../failover';
import {
  hostOnSide,
  MongoSide,
  mongoJson,
  mongoSideOf,
  podOfHost,
  readReplicaSet,
  sideOptimeMs,
} from './mongoExec';
import {
  electInEmergency,
  optimeLoss,
  pollReplicaSet,
  primaryPodOf,
  raisePriorities,
  sourceOptime,
  waitPrimaryOn,
} from './mongoElection';
import { CATCH_UP_SECS, describeMongoSteps, mongoJs } from './mongoSteps';
import {
  annotateRole,
  EngineFallback,
  restoreRole,
  ExecEngineProvider,
} from './ExecEngineProvider';

/**
 * MongoDB replica sets spanning clusters (engine `mongodb`): switchover,
 * emergency failover and failback by elections the priorities steer.
 */
export class MongoReplicaSetProvider
  extends ExecEngineProvider<MongoSide>
  implements FailoverReplicationProvider
{
  readonly id = 'mongodb-replica-set';
  protected readonly engine = 'mongodb';
  readonly #pollMs: number;
  readonly #electionTimeoutMs: number;

  constructor(options?: {
    fallback?: EngineFallback;
    /** Between two reads while waiting for an election or a catch-up (default 500 ms). */
    pollMs?: number;
    /** How long an election may take after a step down (default 30 s). */
    electionTimeoutMs?: number;
  }) {
    super(options?.fallback);
    this.#pollMs = options?.pollMs ?? 500;
    this.#electionTimeoutMs = options?.electionTimeoutMs ?? 30_000;
  }

  protected describe(sides: FailoverStepSides): FailoverStepDescriptions {
    return describeMongoSteps(sides);
  }

  protected reach(side: FailoverSide, sts: KubeObject): MongoSide | undefined {
    return mongoSideOf(side, sts);
  }

  async readLag(
    target: FailoverSide,
    ctx: FailoverCallContext,
  ): Promise<LagReading> {
    return this.either(
      target,
      async m => {
        const rs = await readReplicaSet(m, ctx);
        const observedAt = new Date(ctx.now()).toISOString();
        if (!rs.primary) return { seconds: null, observedAt };
        const behind = rs.primary.optimeMs - sideOptimeMs(rs, m);
        return { seconds: Math.max(0, behind) / 1000, observedAt };
      },
      f => f.readLag(target, ctx),
      ctx,
    );
  }

  /** Optime seconds the target lacks of the primary (or of the source's last heartbeat). */
  async readDataLoss(
    target: FailoverSide,
    source: FailoverSide,
    ctx: FailoverCallContext,
  ): Promise<Omit<EngineDataLoss, 'provider'> | undefined> {
    const t = await this.engineOn(target, ctx);
    if (!t) return undefined;
    const s = await this.engineOn(source, ctx).catch(() => undefined);
    return optimeLoss(await readReplicaSet(t, ctx), t, s, source.cluster);
  }

  async fence(
    source: FailoverSide,
    target: FailoverSide,
    ctx: FailoverCallContext,
  ): Promise<UndoData> {
    const [s, t] = await Promise.all([
      this.engineOn(source, ctx),
      this.engineOn(target, ctx),
    ]);
    if (!s || !t) return this.fallback.fence(source, target, ctx);
    const rs = await readReplicaSet(s, ctx);
    const annotations = s.statefulSet.metadata.annotations ?? {};
    const undo: UndoData = {
      previousRole:
        annotations[ANNOTATION_ROLE] === 'fenced'
          ? 'active'
          : annotations[ANNOTATION_ROLE] ?? 'active',
      previousSource: annotations[ANNOTATION_REPLICATION_SOURCE] ?? null,
      priorities: Object.fromEntries(
        rs.conf.members.map((x: any) => [x.host, x.priority ?? 1]),
      ),
    };
    await annotateRole(s.side, 'fenced', null);
    await raisePriorities(rs, t, [s], ctx, false);
    // Raised priorities may already have moved the primary (a takeover).
    const raised = await readReplicaSet(s, ctx);
    const primary = primaryPodOf(raised, [s]);
    if (primary) {
      // Writes stop; it steps down once a secondary has its last write.
      await mongoJson(
        s,
        primary.pod,
        mongoJs.stepDown,
        ctx,
        (CATCH_UP_SECS + 15) * 1000,
      );
      undo.steppedDown = primary.pod;
    }
    return undo;
  }

  async unfence(
    source: FailoverSide,
    undo: UndoData,
    ctx: FailoverCallContext,
  ): Promise<void> {
    return this.either(
      source,
      async s => {
        const rs = await readReplicaSet(s, ctx);
        const priorities = (undo.priorities ?? {}) as Record<string, number>;
        const conf = {
          ...rs.conf,
          members: rs.conf.members.map((x: any) =>
            x.host in priorities ? { ...x, priority: priorities[x.host] } : x,
          ),
        };
        const primary = rs.primary && podOfHost(rs.primary.name);
        if (
          primary &&
          JSON.stringify(conf.members) !== JSON.stringify(rs.conf.members)
        ) {
          // The primary may now be in the target: the reconfig runs there
          // through any member of the source's exec, so only when it is ours.
          const onSource = hostOnSide(rs.primary!.name, s);
          if (onSource)
            await mongoJson(s, primary, mongoJs.reconfig(conf, false), ctx);
          else
            throw new Error(
              `the primary ${rs.primary!.name} is outside ${
                source.cluster
              }; restore the priorities with rs.reconfig there: ${JSON.stringify(
                priorities,
              )}`,
            );
        }
        if (typeof undo.steppedDown === 'string') {
          await mongoJson(s, undo.steppedDown, mongoJs.unfreeze, ctx);
        }
        await restoreRole(s.side, undo);
      },
      f => f.unfence(source, undo, ctx),
      ctx,
    );
  }

  async waitCaughtUp(
    target: FailoverSide,
    source: FailoverSide,
    ctx: FailoverCallContext & { timeoutMs: number; since?: number },
  ): Promise<LagReading> {
    const [t, s] = await Promise.all([
      this.engineOn(target, ctx),
      this.engineOn(source, ctx),
    ]);
    if (!t || !s) return this.fallback.waitCaughtUp(target, source, ctx);
    await pollReplicaSet(
      t,
      rs => sideOptimeMs(rs, t) >= sideOptimeMs(rs, s),
      ctx.timeoutMs,
      rs =>
        `${target.cluster} did not reach ${source.cluster}'s optime within ${
          ctx.timeoutMs
        }ms: ${target.cluster} at ${new Date(
          rs ? sideOptimeMs(rs, t) : 0,
        ).toISOString()}, ${source.cluster} at ${new Date(
          rs ? sideOptimeMs(rs, s) : 0,
        ).toISOString()}; check rs.status() on ${t.pods[0]}`,
      ctx,
      this.#pollMs,
    );
    return { seconds: 0, observedAt: new Date(ctx.now()).toISOString() };
  }

  async promote(
    target: FailoverSide,
    source: FailoverSide,
    ctx: FailoverCallContext & { fenced?: UndoData; emergency: boolean },
  ): Promise<UndoData> {
    return this.either(
      target,
      async t => {
        const s = await this.engineOn(source, ctx).catch(() => undefined);
        let rs = await readReplicaSet(t, ctx);
        const lastSource = sourceOptime(rs, s, source.cluster);
        const before = sideOptimeMs(rs, t);
        const undo: UndoData = {
          priorities: Object.fromEntries(
            rs.conf.members.map((x: any) => [x.host, x.priority ?? 1]),
          ),
          forced: false,
        };
        if (ctx.emergency) {
          Object.assign(undo, await electInEmergency(rs, t, s, ctx));
          undo.lostOptimeSeconds = lastSource.known
            ? Math.max(0, lastSource.ms - before) / 1000
            : null;
          undo.lastSourceOptime = lastSource.known
            ? new Date(lastSource.ms).toISOString()
            : null;
          undo.targetOptime = new Date(before).toISOString();
        }
        rs = await waitPrimaryOn(t, this.#electionTimeoutMs, this.#pollMs, ctx);
        undo.primary = rs.primary!.name;
        await annotateRole(t.side, 'active', null);
        return undo;
      },
      f => f.promote(target, source, ctx),
      ctx,
    );
  }

  async abortPromotion(
    target: FailoverSide,
    source: FailoverSide,
    ctx: FailoverCallContext,
  ): Promise<void> {
    const [t, s] = await Promise.all([
      this.engineOn(target, ctx),
      this.engineOn(source, ctx),
    ]);
    if (!t || !s) return this.fallback.abortPromotion(target, source, ctx);
    // The election goes back: the source's members get the priority again.
    const rs = await readReplicaSet(s, ctx);
    await raisePriorities(rs, s, [t], ctx, false);
    const primary = primaryPodOf(rs, [t]);
    if (primary) {
      await mongoJson(
        t,
        primary.pod,
        mongoJs.stepDown,
        ctx,
        (CATCH_UP_SECS + 15) * 1000,
      );
    }
    await waitPrimaryOn(s, this.#electionTimeoutMs, this.#pollMs, ctx);
    await annotateRole(t.side, 'passive', source.cluster);
    return undefined;
  }

  async isPromoted(
    target: FailoverSide,
    ctx: FailoverCallContext,
  ): Promise<boolean> {
    return this.either(
      target,
      async t => {
        const rs = await readReplicaSet(t, ctx);
        return !!rs.primary && hostOnSide(rs.primary.name, t);
      },
      f => f.isPromoted(target, ctx),
      ctx,
    );
  }

  async markFenced(
    old: FailoverSide,
    primary: FailoverSide,
    ctx: FailoverCallContext,
  ): Promise<void> {
    const [o, p] = await Promise.all([
      this.engineOn(old, ctx),
      this.engineOn(primary, ctx),
    ]);
    if (!o || !p) return this.fallback.markFenced(old, primary, ctx);
    for (const pod of o.pods) {
      const hello = await mongoJson(o, pod, mongoJs.hello, ctx).catch(
        () => undefined,
      );
      // A member removed by a forced reconfig answers without a primary; it
      // never takes writes again until it is added back.
      if (hello?.isWritablePrimary) {
        await mongoJson(
          o,
          pod,
          mongoJs.stepDown,
          ctx,
          (CATCH_UP_SECS + 15) * 1000,
        );
      }
    }
    await annotateRole(o.side, 'passive', primary.cluster);
    return undefined;
  }

  async reattach(
    old: FailoverSide,
    primary: FailoverSide,
    undo: UndoData,
    ctx: FailoverCallContext,
  ): Promise<void> {
    const o = await this.engineOn(old, ctx);
    if (!o) return this.fallback.reattach(old, primary, undo, ctx);
    // It stays a secondary (lower priority); the freeze of its step down is lifted.
    if (typeof undo.steppedDown === 'string') {
      await mongoJson(o, undo.steppedDown, mongoJs.unfreeze, ctx);
    }
    await annotateRole(o.side, 'passive', primary.cluster);
    return undefined;
  }

  async verifyRoles(
    primary: FailoverSide,
    old: FailoverSide | undefined,
    ctx: FailoverCallContext,
  ): Promise<string[]> {
    const p = await this.engineOn(primary, ctx);
    const o = old && (await this.engineOn(old, ctx));
    if (!p || (old && !o)) return this.fallback.verifyRoles(primary, old, ctx);
    const problems: string[] = [];
    const rs = await readReplicaSet(p, ctx);
    if (!rs.primary)
      problems.push(`the replica set has no primary (read on ${rs.pod})`);
    else if (!hostOnSide(rs.primary.name, p)) {
      problems.push(
        `the primary is ${rs.primary.name}, not a member of ${primary.cluster}`,
      );
    }
    if (o) {
      const writable = rs.members.filter(
        x => hostOnSide(x.name, o) && x.stateStr === 'PRIMARY',
      );
      for (const x of writable)
        problems.push(`${x.name} in ${o.side.cluster} is still primary`);
    }
    return problems;
  }
}
