/*
 * Failover of Elasticsearch clusters replicated by cross-cluster
 * replication (CCR), by the engine's own REST API called with `curl`
 * through `pods/exec` into each cluster's first pod. A switchover fences
 * the leader cluster with `index.blocks.write` on its leader indices,
 * waits until each follower index's global checkpoint equals its leader's,
 * promotes the target's follower indices (pause_follow → _close →
 * _ccr/unfollow → _open) and drops its auto-follow patterns, then the old
 * leader follows the new one: a remote cluster to it (added through
 * `_cluster/settings` when none leads there), each index deleted and
 * recreated as a follower (Elasticsearch cannot turn an index into a
 * follower in place), and an auto-follow pattern. An emergency failover
 * records the operations the followers lacked at the last reading; an old
 * leader that comes back with operations past the checkpoint its indices
 * were promoted at is reported and kept fenced, never deleted. The role
 * annotations follow each change. Where a side cannot be exec'd into, the
 * generic provider acts instead.
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
  autoFollowPatterns,
  esCalls,
  followerIndices,
  followerPositions,
  leaderIndices,
  maxSeqNos,
  missingOperations,
  promoteFollowers,
  setWriteBlock,
  writeBlocked,
} from './elasticsearchCcr';
import { EsNode, esNodeOf, esRequest } from './elasticsearchExec';
import {
  ANNOTATION_ES_PROMOTED_AT,
  divergence,
  divergenceMessage,
  followCluster,
} from './elasticsearchFollow';
import { describeElasticsearchSteps } from './elasticsearchSteps';
import {
  EngineFallback,
  ExecEngineProvider,
  mirrorAnnotations,
  restoreRole,
} from './ExecEngineProvider';

const POLL_MS = 500;

/** Elasticsearch CCR (engine `elasticsearch`): switchover, failover and failback. */
export class ElasticsearchCcrProvider
  extends ExecEngineProvider<EsNode>
  implements FailoverReplicationProvider
{
  readonly id = 'elasticsearch-ccr';
  protected readonly engine = 'elasticsearch';

  constructor(options?: { fallback?: EngineFallback }) {
    super(options?.fallback);
  }

  protected describe(sides: FailoverStepSides): FailoverStepDescriptions {
    return describeElasticsearchSteps(sides);
  }

  protected reach(side: FailoverSide, sts: KubeObject): EsNode | undefined {
    return esNodeOf(side, sts);
  }

  async readLag(
    target: FailoverSide,
    ctx: FailoverCallContext,
  ): Promise<LagReading> {
    return this.either(
      target,
      async n => {
        const positions = await followerPositions(n, ctx);
        const observedAt = new Date(ctx.now()).toISOString();
        if (!positions.length) return { seconds: null, observedAt };
        const behind = positions.filter(
          p => p.leaderMaxSeqNo > p.followerCheckpoint || p.readExceptions > 0,
        );
        const seconds = Math.max(
          0,
          ...behind.map(p => p.sinceLastReadMs / 1000),
        );
        return { seconds, observedAt };
      },
      f => f.readLag(target, ctx),
      ctx,
    );
  }

  /** Operations the target's follower indices lack of their leaders (reads only). */
  async readDataLoss(
    target: FailoverSide,
    source: FailoverSide,
    ctx: FailoverCallContext,
  ): Promise<Omit<EngineDataLoss, 'provider'> | undefined> {
    const t = await this.engineOn(target, ctx);
    if (!t) return undefined;
    const positions = await followerPositions(t, ctx);
    const stale = positions.filter(p => p.readExceptions > 0);
    return {
      amount: missingOperations(positions),
      unit: 'operations',
      detail: `sum over ${
        target.cluster
      }'s follower indices of leader_max_seq_no − follower_global_checkpoint (GET /_ccr/stats)${
        stale.length
          ? `; ${
              source.cluster
            } does not answer, so these are from the last reading ${Math.round(
              Math.max(...stale.map(p => p.sinceLastReadMs)) / 1000,
            )} s ago`
          : ''
      }`,
    };
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
        const rerun = annotations[ANNOTATION_ROLE] === 'fenced';
        const indices = await leaderIndices(s, ctx);
        const blockedBefore = rerun ? [] : await writeBlocked(s, indices, ctx);
        if (!rerun)
          await mirrorAnnotations(s.side, { [ANNOTATION_ROLE]: 'fenced' });
        await setWriteBlock(s, indices, true, ctx);
        return {
          previousRole: rerun
            ? 'active'
            : annotations[ANNOTATION_ROLE] ?? 'active',
          previousSource: annotations[ANNOTATION_REPLICATION_SOURCE] ?? null,
          pod: s.pod,
          indices,
          blockedBefore,
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
        const before = new Set(
          (undo.blockedBefore as string[] | undefined) ?? [],
        );
        const indices = ((undo.indices as string[] | undefined) ?? []).filter(
          i => !before.has(i),
        );
        await setWriteBlock(s, indices, false, ctx);
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
    const t = await this.engineOn(target, ctx);
    if (!t) return this.fallback.waitCaughtUp(target, source, ctx);
    const deadline = Date.now() + ctx.timeoutMs;
    for (;;) {
      const positions = await followerPositions(t, ctx);
      const behind = positions.filter(
        p => p.followerCheckpoint !== p.leaderMaxSeqNo || p.readExceptions > 0,
      );
      if (positions.length && !behind.length) {
        return { seconds: 0, observedAt: new Date(ctx.now()).toISOString() };
      }
      if (Date.now() >= deadline || ctx.signal?.aborted) {
        throw new Error(
          positions.length
            ? `${target.cluster} did not catch up with ${
                source.cluster
              } within ${Math.round(ctx.timeoutMs / 1000)}s: ${behind
                .map(
                  p =>
                    `${p.index} at ${p.followerCheckpoint} of ${
                      p.leaderMaxSeqNo
                    }${p.readExceptions ? ' (cannot read the leader)' : ''}`,
                )
                .join(', ')}; check GET /_ccr/stats on ${t.pod}`
            : `${target.cluster} (${t.pod}) has no following index (GET /_ccr/stats lists none); it does not replicate from ${source.cluster}`,
        );
      }
      await new Promise(r => setTimeout(r, POLL_MS));
    }
  }

  async promote(
    target: FailoverSide,
    source: FailoverSide,
    ctx: FailoverCallContext & { fenced?: UndoData; emergency: boolean },
  ): Promise<UndoData> {
    return this.either(
      target,
      async t => {
        const followers = await followerIndices(t, ctx);
        const positions = await followerPositions(t, ctx).catch(() => []);
        const seqNos = await maxSeqNos(t, ctx);
        const aliases = new Set(followers.map(f => f.remoteCluster));
        const patterns = (await autoFollowPatterns(t, ctx)).filter(p =>
          aliases.has(p.remoteCluster),
        );
        await promoteFollowers(t, followers, ctx);
        for (const p of patterns) {
          await esRequest(t, esCalls.deleteAutoFollow(p.name), ctx);
        }
        const promotedAt: Record<string, number> = {};
        for (const f of followers) promotedAt[f.index] = seqNos[f.index] ?? -1;
        await mirrorAnnotations(t.side, {
          [ANNOTATION_ROLE]: 'active',
          [ANNOTATION_REPLICATION_SOURCE]: null,
          ...(followers.length && {
            [ANNOTATION_ES_PROMOTED_AT]: JSON.stringify(promotedAt),
          }),
        });
        return {
          pod: t.pod,
          followers: followers.map(f => ({ ...f })),
          autoFollowPatterns: patterns.flatMap(p => p.patterns),
          promotedAt,
          lostOperations: missingOperations(positions),
        };
      },
      f => f.promote(target, source, ctx),
      ctx,
    );
  }

  /** Makes `replica` follow every index `primary` leads; the annotations follow. */
  async #followAll(
    replica: EsNode,
    primary: EsNode,
    ctx: FailoverCallContext,
    patterns?: string[],
  ): Promise<void> {
    await followCluster(replica, primary, ctx, patterns);
    await mirrorAnnotations(replica.side, {
      [ANNOTATION_ROLE]: 'passive',
      [ANNOTATION_REPLICATION_SOURCE]: primary.side.cluster,
      [ANNOTATION_ES_PROMOTED_AT]: null,
    });
  }

  async #pair(a: FailoverSide, b: FailoverSide, ctx: FailoverCallContext) {
    return Promise.all([this.engineOn(a, ctx), this.engineOn(b, ctx)]);
  }

  async abortPromotion(
    target: FailoverSide,
    source: FailoverSide,
    ctx: FailoverCallContext,
  ): Promise<void> {
    const [t, s] = await this.#pair(target, source, ctx);
    if (!t || !s) return this.fallback.abortPromotion(target, source, ctx);
    return this.#followAll(t, s, ctx);
  }

  async isPromoted(
    target: FailoverSide,
    ctx: FailoverCallContext,
  ): Promise<boolean> {
    return this.either(
      target,
      async t => (await followerIndices(t, ctx)).length === 0,
      f => f.isPromoted(target, ctx),
      ctx,
    );
  }

  async markFenced(
    old: FailoverSide,
    primary: FailoverSide,
    ctx: FailoverCallContext,
  ): Promise<void> {
    const [o, p] = await this.#pair(old, primary, ctx);
    if (!o || !p) return this.fallback.markFenced(old, primary, ctx);
    // Fenced first: whatever else happens, it takes no more writes.
    await setWriteBlock(o, await leaderIndices(o, ctx), true, ctx);
    const diverged = await divergence(o, p, ctx);
    if (diverged.length) {
      await mirrorAnnotations(o.side, { [ANNOTATION_ROLE]: 'fenced' });
      return undefined;
    }
    return this.#followAll(o, p, ctx);
  }

  async reattach(
    old: FailoverSide,
    primary: FailoverSide,
    undo: UndoData,
    ctx: FailoverCallContext,
  ): Promise<void> {
    const [o, p] = await this.#pair(old, primary, ctx);
    if (!o || !p) return this.fallback.reattach(old, primary, undo, ctx);
    const diverged = await divergence(o, p, ctx);
    if (diverged.length) throw new Error(divergenceMessage(o, p, diverged));
    const patterns = undo.autoFollowPatterns as string[] | undefined;
    return this.#followAll(o, p, ctx, patterns);
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
    const followers = await followerIndices(p, ctx);
    if (followers.length) {
      problems.push(
        `${primary.cluster} (${p.pod}) still follows: ${followers
          .map(f => f.index)
          .join(', ')}`,
      );
    }
    const leading = await leaderIndices(p, ctx);
    const blocked = await writeBlocked(p, leading, ctx);
    if (blocked.length) {
      problems.push(
        `${primary.cluster} (${p.pod}) blocks writes on ${blocked.join(', ')}`,
      );
    }
    if (o) {
      const oldLeading = await leaderIndices(o, ctx);
      const oldBlocked = new Set(await writeBlocked(o, oldLeading, ctx));
      const writable = oldLeading.filter(i => !oldBlocked.has(i));
      if (writable.length) {
        problems.push(
          `${o.side.cluster} (${o.pod}) still takes writes on ${writable.join(
            ', ',
          )}`,
        );
      }
      const diverged = await divergence(o, p, ctx);
      if (diverged.length) problems.push(divergenceMessage(o, p, diverged));
    }
    return problems;
  }
}
