/*
 * Failover of GTID-replicated MySQL StatefulSets by the engine itself,
 * through `pods/exec` into each cluster's primary pod (its first ordinal):
 * the source is fenced with super_read_only (the pod keeps running), the
 * target waits until it has executed the fenced source's @@gtid_executed,
 * drops its replication and becomes writable, and the old source then
 * replicates from it on a channel named after the new source's cluster.
 * The other pods of each cluster keep following their own cluster's
 * primary. An emergency failover records both GTID sets so the data lost
 * is stated in transactions, and an old source that comes back with
 * transactions the new primary lacks (errant) is reported, never attached.
 * The role annotations follow each change, so whoever reads them (the
 * topology, the exporter's consumers) sees what the engine does, and so
 * does each cluster's generated join script, which a restarted pod runs
 * again: the new primary's joins nothing, the old one's joins the new
 * primary (otherwise a restart would rejoin the old topology). Where a
 * side cannot be exec'd into, the generic provider acts instead.
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
import { gtidDifference } from './gtidSet';
import {
  addressSeenBy,
  KnownAddress,
  MysqlAddress,
  mysqlPeerAddress,
} from './mysqlAddress';
import { checkNoErrant, lossWindow, requireNoErrant } from './mysqlErrant';
import { MysqlServer, mysqlServerOf, runSql } from './mysqlExec';
import { followPrimary } from './mysqlFollow';
import { rewriteJoinScript } from './mysqlJoinScript';
import { sideServer, sideStateIfAnswering } from './mysqlSide';
import {
  isWritablePrimary,
  lagOfChannels,
  readReplicaStatus,
  readServerState,
  ServerState,
} from './mysqlState';
import { describeMySqlSteps, mysqlSql } from './mysqlSteps';
import {
  dataLossInTransactions,
  notCaughtUpMessage,
  oldSourceProblems,
  primaryProblems,
} from './mysqlWording';
import {
  annotateRole,
  EngineFallback,
  restoreRole,
  ExecEngineProvider,
} from './ExecEngineProvider';

export { mysqlPeerAddress } from './mysqlAddress';
export type { KnownAddress, MysqlAddress } from './mysqlAddress';
export { errantMessage } from './mysqlErrant';

/**
 * GTID-replicated MySQL StatefulSets (engine `mysql`): switchover,
 * emergency failover and failback by the engine's own statements.
 */
export class MySqlGtidProvider
  extends ExecEngineProvider<MysqlServer>
  implements FailoverReplicationProvider
{
  readonly id = 'mysql-gtid';
  protected readonly engine = 'mysql';
  readonly #address: MysqlAddress;
  readonly #peekMs: number;

  constructor(options?: {
    fallback?: EngineFallback;
    address?: MysqlAddress;
    /** How long a read of a source that may be down may take (default 3 s). */
    sourcePeekMs?: number;
  }) {
    super(options?.fallback);
    this.#address = options?.address ?? mysqlPeerAddress;
    this.#peekMs = options?.sourcePeekMs ?? 3_000;
  }

  protected describe(sides: FailoverStepSides): FailoverStepDescriptions {
    return describeMySqlSteps(sides);
  }

  protected reach(
    side: FailoverSide,
    sts: KubeObject,
  ): MysqlServer | undefined {
    return mysqlServerOf(side, sts);
  }

  async readLag(
    target: FailoverSide,
    ctx: FailoverCallContext,
  ): Promise<LagReading> {
    return this.either(
      target,
      async s => {
        const rows = await readReplicaStatus(s, ctx);
        const observedAt = new Date(ctx.now()).toISOString();
        return { seconds: lagOfChannels(rows), observedAt };
      },
      f => f.readLag(target, ctx),
      ctx,
    );
  }

  /** The transactions of the source's @@gtid_executed the target lacks (reads only). */
  async readDataLoss(
    target: FailoverSide,
    source: FailoverSide,
    ctx: FailoverCallContext,
  ): Promise<Omit<EngineDataLoss, 'provider'> | undefined> {
    const t = await sideServer(target, ctx);
    if (!t) return undefined;
    const have = await readServerState(t, ctx);
    const want = await sideStateIfAnswering(source, ctx, this.#peekMs);
    const lost = want && gtidDifference(want.gtidExecuted, have.gtidExecuted);
    return dataLossInTransactions(source.cluster, target.cluster, lost);
  }

  async fence(
    source: FailoverSide,
    target: FailoverSide,
    ctx: FailoverCallContext,
  ): Promise<UndoData> {
    return this.either(
      source,
      async s => {
        const annotations = s.statefulSet.metadata.annotations ?? {};
        const previousRole = annotations[ANNOTATION_ROLE];
        // Marked first: a re-run finds the mark and knows the flags it found
        // were this fence's, on a primary that took writes before.
        const rerun = previousRole === 'fenced';
        const before = rerun
          ? { superReadOnly: false, readOnly: false }
          : await readServerState(s, ctx);
        if (!rerun) await annotateRole(s.side, 'fenced', null);
        await runSql(s, mysqlSql.fence, ctx);
        const fenced = await readServerState(s, ctx);
        const knownAddress = await addressSeenBy(
          await sideServer(target, ctx).catch(() => undefined),
          s,
          ctx,
        );
        return {
          previousRole: rerun ? 'active' : previousRole ?? 'active',
          previousSource: annotations[ANNOTATION_REPLICATION_SOURCE] ?? null,
          pod: s.pod,
          ...(knownAddress && { knownAddress }),
          superReadOnly: before.superReadOnly,
          readOnly: before.readOnly,
          gtidExecuted: fenced.gtidExecuted,
        };
      },
      f => f.fence(source, target, ctx),
      ctx,
    );
  }

  async unfence(
    source: FailoverSide,
    undo: UndoData,
    ctx: FailoverCallContext,
  ): Promise<void> {
    return this.either(
      source,
      async s => {
        const sql = mysqlSql.restoreFlags({
          superReadOnly: undo.superReadOnly === true,
          readOnly: undo.readOnly === true,
        });
        await runSql(s, sql, ctx);
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
      sideServer(target, ctx),
      sideServer(source, ctx),
    ]);
    if (!t || !s) return this.fallback.waitCaughtUp(target, source, ctx);
    const [want, have] = await Promise.all([
      readServerState(s, ctx),
      readServerState(t, ctx),
    ]);
    requireNoErrant(t, have, s, want);
    const seconds = Math.max(1, Math.ceil(ctx.timeoutMs / 1000));
    const answer = await runSql(
      t,
      mysqlSql.waitFor(want.gtidExecuted, seconds),
      ctx,
      {
        timeoutMs: seconds * 1000 + 5_000,
      },
    );
    if (answer.trim() !== '0') {
      const now = await readServerState(t, ctx);
      const missing = gtidDifference(want.gtidExecuted, now.gtidExecuted);
      throw new Error(notCaughtUpMessage(t, source.cluster, seconds, missing));
    }
    return { seconds: 0, observedAt: new Date(ctx.now()).toISOString() };
  }

  /**
   * The transactions the source executed that the target lacks: the data a
   * promotion leaves behind. Read from the fence when there was one, from
   * the source when it still answers, else unknown (it is then reported as
   * errant when the old source comes back).
   */
  async #lossWindow(
    target: ServerState,
    source: FailoverSide,
    ctx: FailoverCallContext & { fenced?: UndoData },
  ): Promise<UndoData> {
    let sourceSet =
      typeof ctx.fenced?.gtidExecuted === 'string'
        ? ctx.fenced.gtidExecuted
        : undefined;
    if (sourceSet === undefined) {
      sourceSet = (await sideStateIfAnswering(source, ctx, this.#peekMs))
        ?.gtidExecuted;
    }
    return lossWindow(target, sourceSet);
  }

  async promote(
    target: FailoverSide,
    source: FailoverSide,
    ctx: FailoverCallContext & { fenced?: UndoData; emergency: boolean },
  ): Promise<UndoData> {
    return this.either(
      target,
      async t => {
        const channels = await readReplicaStatus(t, ctx);
        const before = await readServerState(t, ctx);
        const window = await this.#lossWindow(before, source, ctx);
        await runSql(t, mysqlSql.promote, ctx);
        await annotateRole(t.side, 'active', null);
        await rewriteJoinScript(t, { source: true });
        return {
          pod: t.pod,
          previousChannels: channels.map(c => c.Channel_Name ?? ''),
          previousSourceHosts: channels.map(c => c.Source_Host ?? ''),
          gtidExecuted: before.gtidExecuted,
          ...window,
        };
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
      sideServer(target, ctx),
      sideServer(source, ctx),
    ]);
    if (!t || !s) return this.fallback.abortPromotion(target, source, ctx);
    return followPrimary(t, s, this.#address(s), ctx);
  }

  async isPromoted(
    target: FailoverSide,
    ctx: FailoverCallContext,
  ): Promise<boolean> {
    return this.either(
      target,
      async t => {
        const [state, channels] = await Promise.all([
          readServerState(t, ctx),
          readReplicaStatus(t, ctx),
        ]);
        return isWritablePrimary(state, channels);
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
      sideServer(old, ctx),
      sideServer(primary, ctx),
    ]);
    if (!o || !p) return this.fallback.markFenced(old, primary, ctx);
    // Fenced first: whatever else happens, it takes no more writes.
    await runSql(o, mysqlSql.fence, ctx);
    // It follows the new primary only without errant transactions; with
    // them it stays fenced and the failback reports them.
    const errant = await checkNoErrant(o, p, ctx).then(
      () => false,
      () => true,
    );
    if (errant) await annotateRole(o.side, 'fenced', null);
    else await followPrimary(o, p, this.#address(p), ctx);
    return undefined;
  }

  async reattach(
    old: FailoverSide,
    primary: FailoverSide,
    undo: UndoData,
    ctx: FailoverCallContext,
  ): Promise<void> {
    const [o, p] = await Promise.all([
      sideServer(old, ctx),
      sideServer(primary, ctx),
    ]);
    if (!o || !p) return this.fallback.reattach(old, primary, undo, ctx);
    await checkNoErrant(o, p, ctx);
    const known = undo.knownAddress as KnownAddress | undefined;
    return followPrimary(o, p, this.#address(p, known), ctx);
  }

  async verifyRoles(
    primary: FailoverSide,
    old: FailoverSide | undefined,
    ctx: FailoverCallContext,
  ): Promise<string[]> {
    const p = await sideServer(primary, ctx);
    const o = old && (await sideServer(old, ctx));
    if (!p || (old && !o)) {
      return this.fallback.verifyRoles(primary, old, ctx);
    }
    const [state, channels] = await Promise.all([
      readServerState(p, ctx),
      readReplicaStatus(p, ctx),
    ]);
    const problems = primaryProblems(p, state, channels);
    if (o) {
      problems.push(...oldSourceProblems(o, await readServerState(o, ctx)));
      await checkNoErrant(o, p, ctx).catch(e =>
        problems.push((e as Error).message),
      );
    }
    return problems;
  }
}
