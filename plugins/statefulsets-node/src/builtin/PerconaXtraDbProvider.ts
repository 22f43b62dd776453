/*
 * Failover of Percona XtraDB Cluster cross-site replication through the
 * operator's own fields, in Percona's documented order: the source's
 * replication channels become a replica's of the target's exposed pxc pods
 * (`isSource: false` with a `sourcesList`; the operator makes every pxc pod
 * read_only: that is the fence), the target waits until it has executed
 * the fenced source's @@gtid_executed, then its channels become the
 * source's (`isSource: true`, no `sourcesList`; the operator stops the
 * channel and clears read_only). The old source already replicates from
 * the new one, so the reattach only checks it does. The operator offers no
 * fence of its own without a source to follow (a replica channel must name
 * one), so an emergency promotes alone and points the old source at the
 * new one once it answers. Exec only reads: the servers' flags, GTID sets
 * and replica status, as the data-loss window and the checks need them.
 * StatefulSets not run by a PerconaXtraDBCluster go to the fallback.
 */
import {
  EngineDataLoss,
  FailoverStepDescriptions,
  FailoverStepSides,
  ReplicationLink,
} from '@multicluster/backstage-plugin-statefulsets-common';
import {
  FailoverCallContext,
  FailoverReplicationProvider,
  FailoverSide,
  LagReading,
  pollUntil,
  UndoData,
  WorkloadRef,
} from '../failover';
import { lagFromAnnotations } from './GenericStatefulSetProvider';
import { gtidDifference } from './gtidSet';
import { MySqlGtidProvider } from './MySqlGtidProvider';
import { runSql } from './mysqlExec';
import {
  followsHosts,
  isReplicaSite,
  patchChannels,
  publishedSources,
  pxcNameOf,
  pxcServers,
  PxcChannel,
  reloadPxcSite,
  sourceChannels,
} from './perconaSites';
import { describePerconaXtraDbSteps } from './perconaSteps';
import { mysqlSql } from './mysqlSteps';
import { lagOfChannels, readReplicaStatus } from './mysqlState';
import { dataLossInTransactions } from './mysqlWording';
import {
  followSite,
  stampedSite,
  stampedSites,
  OperatorWait,
  pxcState,
  replicationPodServer,
  requireSitesAgree,
  waitSiteReadOnly,
} from './perconaServers';
import { answerWithin, EngineFallback } from './ExecEngineProvider';

/**
 * Percona XtraDB Clusters replicating across sites (engine `mysql`, the
 * operator's StatefulSets): switchover, emergency failover and failback by
 * flipping `spec.pxc.replicationChannels`.
 */
export class PerconaXtraDbProvider implements FailoverReplicationProvider {
  readonly id = 'percona-xtradb-cluster';
  readonly catchUpInEngine = true;
  readonly #fallback: EngineFallback;
  readonly #pollMs: number;
  readonly #operatorTimeoutMs: number;
  readonly #peekMs: number;

  constructor(options?: {
    fallback?: EngineFallback;
    pollIntervalMs?: number;
    /** How long the operator may take to apply a channel change (default 60 s). */
    operatorTimeoutMs?: number;
    /** How long a read of a source that may be down may take (default 3 s). */
    sourcePeekMs?: number;
  }) {
    this.#fallback = options?.fallback ?? new MySqlGtidProvider();
    this.#pollMs = options?.pollIntervalMs ?? 200;
    this.#operatorTimeoutMs = options?.operatorTimeoutMs ?? 60_000;
    this.#peekMs = options?.sourcePeekMs ?? 3_000;
  }

  /** The topology reads PXC roles from the operator's convention already. */
  supports(): boolean {
    return false;
  }

  async readReplication(): Promise<ReplicationLink[]> {
    return [];
  }

  supportsWorkload(workload: WorkloadRef, engine?: string): boolean {
    return (
      workload.kind === 'StatefulSet' &&
      (engine === undefined || engine === 'mysql') &&
      pxcNameOf(workload.name) !== undefined
    );
  }

  describeSteps(sides: FailoverStepSides): FailoverStepDescriptions {
    return describePerconaXtraDbSteps(sides);
  }

  /** A site's executed set when it answers within the peek bound. */
  async #gtidIfAnswering(
    side: FailoverSide,
    ctx: FailoverCallContext,
  ): Promise<string | undefined> {
    const read = stampedSite(side, ctx).then(async site =>
      site
        ? (await pxcState(await replicationPodServer(site), ctx)).gtidExecuted
        : undefined,
    );
    return answerWithin(read, this.#peekMs);
  }

  #operatorWait(ctx: FailoverCallContext): OperatorWait {
    return {
      timeoutMs: this.#operatorTimeoutMs,
      intervalMs: this.#pollMs,
      ctx,
    };
  }

  async readLag(
    target: FailoverSide,
    ctx: FailoverCallContext,
  ): Promise<LagReading> {
    const site = await stampedSite(target, ctx);
    if (!site) return this.#fallback.readLag(target, ctx);
    const rows = target.client.exec
      ? await readReplicaStatus(await replicationPodServer(site), ctx)
      : [];
    if (!rows.length) {
      // No channel to read (or no exec): an exporter's lag record, if any.
      return lagFromAnnotations(site.workload);
    }
    const observedAt = new Date(ctx.now()).toISOString();
    return { seconds: lagOfChannels(rows), observedAt };
  }

  async readDataLoss(
    target: FailoverSide,
    source: FailoverSide,
    ctx: FailoverCallContext,
  ): Promise<Omit<EngineDataLoss, 'provider'> | undefined> {
    const site = await stampedSite(target, ctx);
    if (!site) return this.#fallback.readDataLoss?.(target, source, ctx);
    const have = await pxcState(await replicationPodServer(site), ctx);
    const want = await this.#gtidIfAnswering(source, ctx);
    const lost =
      want === undefined ? undefined : gtidDifference(want, have.gtidExecuted);
    return dataLossInTransactions(source.cluster, target.cluster, lost);
  }

  async fence(
    source: FailoverSide,
    target: FailoverSide,
    ctx: FailoverCallContext,
  ): Promise<UndoData> {
    const sites = await stampedSites(source, target, ctx);
    if (!sites) return this.#fallback.fence(source, target, ctx);
    const [src, tgt] = sites;
    const previousChannels = await followSite(src, tgt);
    await waitSiteReadOnly(src, true, this.#operatorWait(ctx));
    const fenced = await pxcState(await replicationPodServer(src), ctx);
    return {
      previousChannels: previousChannels as unknown as UndoData[],
      gtidExecuted: fenced.gtidExecuted,
    };
  }

  async unfence(
    source: FailoverSide,
    undo: UndoData,
    ctx: FailoverCallContext,
  ): Promise<void> {
    const site = await stampedSite(source, ctx);
    if (!site) {
      await this.#fallback.unfence(source, undo, ctx);
      return;
    }
    const previous = undo.previousChannels as PxcChannel[] | undefined;
    const channels = previous?.length
      ? previous
      : sourceChannels(site.channels);
    if (JSON.stringify(site.channels) !== JSON.stringify(channels)) {
      await patchChannels(site, channels);
    }
    if (!isReplicaSite(channels))
      await waitSiteReadOnly(site, false, this.#operatorWait(ctx));
  }

  async waitCaughtUp(
    target: FailoverSide,
    source: FailoverSide,
    ctx: FailoverCallContext & { timeoutMs: number; since?: number },
  ): Promise<LagReading> {
    const sites = await stampedSites(target, source, ctx);
    if (!sites) return this.#fallback.waitCaughtUp(target, source, ctx);
    const [tgt, src] = sites;
    const [t, s] = await Promise.all([
      replicationPodServer(tgt),
      replicationPodServer(src),
    ]);
    const want = (await pxcState(s, ctx)).gtidExecuted;
    const seconds = Math.max(1, Math.ceil(ctx.timeoutMs / 1000));
    const answer = await runSql(t, mysqlSql.waitFor(want, seconds), ctx, {
      timeoutMs: seconds * 1000 + 5_000,
    });
    if (answer.trim() !== '0') {
      const have = (await pxcState(t, ctx)).gtidExecuted;
      const missing = gtidDifference(want, have);
      throw new Error(
        `${target.cluster} did not execute ${source.cluster}'s transactions within ${seconds}s: ${missing.transactions} transaction(s) still missing (${missing.gtids}); check SHOW REPLICA STATUS on ${t.pod}`,
      );
    }
    return { seconds: 0, observedAt: new Date(ctx.now()).toISOString() };
  }

  async promote(
    target: FailoverSide,
    source: FailoverSide,
    ctx: FailoverCallContext & { fenced?: UndoData; emergency: boolean },
  ): Promise<UndoData> {
    const site = await stampedSite(target, ctx);
    if (!site) return this.#fallback.promote(target, source, ctx);
    const before = (await pxcState(await replicationPodServer(site), ctx))
      .gtidExecuted;
    const sourceSet =
      typeof ctx.fenced?.gtidExecuted === 'string'
        ? ctx.fenced.gtidExecuted
        : await this.#gtidIfAnswering(source, ctx);
    const lost =
      sourceSet === undefined ? undefined : gtidDifference(sourceSet, before);
    if (isReplicaSite(site.channels)) {
      await patchChannels(site, sourceChannels(site.channels));
    }
    await pollUntil(
      async () => ((await this.isPromoted(target, ctx)) ? true : undefined),
      {
        timeoutMs: this.#operatorTimeoutMs,
        intervalMs: this.#pollMs,
        signal: ctx.signal,
        describe: () =>
          `the operator in ${target.cluster} did not make the site a writable source (read_only off, no replica channel); check the operator's log`,
      },
    );
    return {
      previousChannels: site.channels as unknown as UndoData[],
      gtidExecuted: before,
      sourceGtidExecuted: sourceSet ?? null,
      lostTransactions: lost?.transactions ?? null,
      ...(lost?.gtids ? { lostGtids: lost.gtids } : {}),
    };
  }

  async abortPromotion(
    target: FailoverSide,
    source: FailoverSide,
    ctx: FailoverCallContext,
  ): Promise<void> {
    const sites = await stampedSites(target, source, ctx);
    if (!sites) {
      await this.#fallback.abortPromotion(target, source, ctx);
      return;
    }
    await followSite(sites[0], sites[1]);
  }

  async isPromoted(
    target: FailoverSide,
    ctx: FailoverCallContext,
  ): Promise<boolean> {
    const site = await stampedSite(target, ctx);
    if (!site) return this.#fallback.isPromoted(target, ctx);
    if (isReplicaSite(site.channels)) return false;
    const server = await replicationPodServer(site);
    const [state, channels] = await Promise.all([
      pxcState(server, ctx),
      readReplicaStatus(server, ctx),
    ]);
    return !state.readOnly && channels.length === 0;
  }

  async markFenced(
    old: FailoverSide,
    primary: FailoverSide,
    ctx: FailoverCallContext,
  ): Promise<void> {
    const sites = await stampedSites(old, primary, ctx);
    if (!sites) {
      await this.#fallback.markFenced(old, primary, ctx);
      return;
    }
    // The operator's read_only comes with following the new source; any
    // transactions only the old source has are reported by verifyRoles.
    await followSite(sites[0], sites[1]);
  }

  /** Refuses when `old` executed transactions `primary` lacks. */

  async reattach(
    old: FailoverSide,
    primary: FailoverSide,
    undo: UndoData,
    ctx: FailoverCallContext,
  ): Promise<void> {
    const sites = await stampedSites(old, primary, ctx);
    if (!sites) {
      await this.#fallback.reattach(old, primary, undo, ctx);
      return;
    }
    const [o, p] = sites;
    await followSite(o, p);
    const hosts = new Set((await publishedSources(p)).map(s => s.host));
    const server = await replicationPodServer(await reloadPxcSite(o));
    await pollUntil(
      async () => {
        const rows = await readReplicaStatus(server, ctx);
        return rows.some(
          r =>
            hosts.has(String(r.Source_Host)) && r.Replica_SQL_Running === 'Yes',
        )
          ? true
          : undefined;
      },
      {
        timeoutMs: this.#operatorTimeoutMs,
        intervalMs: this.#pollMs,
        signal: ctx.signal,
        describe: () =>
          `${old.cluster} (${server.pod}) does not replicate from ${primary.cluster}; check SHOW REPLICA STATUS there`,
      },
    );
    await requireSitesAgree(o, p, ctx);
  }

  async verifyRoles(
    primary: FailoverSide,
    old: FailoverSide | undefined,
    ctx: FailoverCallContext,
  ): Promise<string[]> {
    const p = await stampedSite(primary, ctx);
    const o = old && (await stampedSite(old, ctx));
    if (!p || (old && !o)) {
      return this.#fallback.verifyRoles(primary, old, ctx);
    }
    const problems: string[] = [];
    if (isReplicaSite(p.channels)) {
      problems.push(
        `${primary.cluster}'s replication channels are not the source`,
      );
    }
    const ps = await replicationPodServer(p);
    const [state, rows] = await Promise.all([
      pxcState(ps, ctx),
      readReplicaStatus(ps, ctx),
    ]);
    if (state.readOnly) {
      problems.push(`${primary.cluster} (${ps.pod}) is still read_only`);
    }
    if (rows.length) {
      problems.push(
        `${primary.cluster} (${ps.pod}) still replicates from ${rows
          .map(r => r.Source_Host)
          .join(', ')}`,
      );
    }
    if (o) {
      if (!followsHosts(o.channels, await publishedSources(p))) {
        problems.push(
          `${old!.cluster}'s replication channels do not name ${
            primary.cluster
          }'s hosts`,
        );
      }
      for (const s of await pxcServers(o)) {
        const st = await pxcState(s, ctx).catch(() => undefined);
        if (st && !st.readOnly) {
          problems.push(`${old!.cluster} (${s.pod}) still takes writes`);
        }
      }
      await requireSitesAgree(o, p, ctx).catch(e =>
        problems.push((e as Error).message),
      );
    }
    return problems;
  }
}
