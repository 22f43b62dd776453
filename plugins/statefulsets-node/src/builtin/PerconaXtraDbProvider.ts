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
import { ReplicationProvider } from '../types';
import {
  lagFromAnnotations,
  requireSideStamped,
} from './GenericStatefulSetProvider';
import { gtidDifference } from './gtidSet';
import { MySqlGtidProvider } from './MySqlGtidProvider';
import { MysqlServer, runSql } from './mysqlExec';
import {
  followsHosts,
  isReplicaSite,
  loadPxcSite,
  notExposedMessage,
  patchChannels,
  publishedSources,
  pxcNameOf,
  pxcServers,
  PxcChannel,
  PxcSite,
  reloadPxcSite,
  replicaChannels,
  replicationServer,
  sourceChannels,
} from './perconaSites';
import { describePerconaXtraDbSteps } from './perconaSteps';
import { mysqlSql } from './mysqlSteps';
import {
  answerWithin,
  lagOfChannels,
  readReplicaStatus,
  readServerState,
  ServerState,
} from './mysqlState';
import { dataLossInTransactions } from './mysqlWording';

type Fallback = FailoverReplicationProvider &
  ReplicationProvider &
  Required<Pick<FailoverReplicationProvider, 'reattach'>>;

/**
 * Percona XtraDB Clusters replicating across sites (engine `mysql`, the
 * operator's StatefulSets): switchover, emergency failover and failback by
 * flipping `spec.pxc.replicationChannels`.
 */
export class PerconaXtraDbProvider implements FailoverReplicationProvider {
  readonly id = 'percona-xtradb-cluster';
  readonly catchUpInEngine = true;
  readonly #fallback: Fallback;
  readonly #pollMs: number;
  readonly #operatorTimeoutMs: number;
  readonly #peekMs: number;

  constructor(options?: {
    fallback?: Fallback;
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

  /** The side's site; refuses a workload not stamped for the run's entity. */
  async #site(
    side: FailoverSide,
    ctx: FailoverCallContext,
  ): Promise<PxcSite | undefined> {
    const site = await loadPxcSite(side);
    if (site) requireSideStamped(side, site.workload, ctx);
    return site;
  }

  /** Both sides' sites, or undefined when either is not a PXC (the fallback acts). */
  async #sites(
    a: FailoverSide,
    b: FailoverSide,
    ctx: FailoverCallContext,
  ): Promise<[PxcSite, PxcSite] | undefined> {
    const [x, y] = await Promise.all([this.#site(a, ctx), this.#site(b, ctx)]);
    return x && y ? [x, y] : undefined;
  }

  /** A server's state; super_read_only counts as read_only (the operator sets both). */
  async #state(s: MysqlServer, ctx: FailoverCallContext): Promise<ServerState> {
    const state = await readServerState(s, ctx);
    return { ...state, readOnly: state.readOnly || state.superReadOnly };
  }

  /** The site's replication pod's server. */
  async #server(site: PxcSite): Promise<MysqlServer> {
    return replicationServer(site, await pxcServers(site));
  }

  /** A site's executed set when it answers within the peek bound. */
  async #gtidIfAnswering(
    side: FailoverSide,
    ctx: FailoverCallContext,
  ): Promise<string | undefined> {
    const read = this.#site(side, ctx).then(async site =>
      site
        ? (await this.#state(await this.#server(site), ctx)).gtidExecuted
        : undefined,
    );
    return answerWithin(read, this.#peekMs);
  }

  /** Polls until every pxc pod of a site is (or is not) read_only. */
  async #waitReadOnly(
    site: PxcSite,
    readOnly: boolean,
    ctx: FailoverCallContext,
  ): Promise<void> {
    const servers = await pxcServers(site);
    let last = '';
    await pollUntil(
      async () => {
        const states = await Promise.all(
          servers.map(s => this.#state(s, ctx).catch(() => undefined)),
        );
        const off = servers.filter((_, i) => states[i]?.readOnly !== readOnly);
        last = off.map(s => s.pod).join(', ');
        return off.length ? undefined : true;
      },
      {
        timeoutMs: this.#operatorTimeoutMs,
        intervalMs: this.#pollMs,
        signal: ctx.signal,
        describe: () =>
          `the operator in ${site.side.cluster} did not make ${last} ${
            readOnly ? 'read_only' : 'writable'
          }; check the operator's log and the resource's status`,
      },
    );
  }

  async readLag(
    target: FailoverSide,
    ctx: FailoverCallContext,
  ): Promise<LagReading> {
    const site = await this.#site(target, ctx);
    if (!site) return this.#fallback.readLag(target, ctx);
    const rows = target.client.exec
      ? await readReplicaStatus(await this.#server(site), ctx)
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
    const site = await this.#site(target, ctx);
    if (!site) return this.#fallback.readDataLoss?.(target, source, ctx);
    const have = await this.#state(await this.#server(site), ctx);
    const want = await this.#gtidIfAnswering(source, ctx);
    const lost =
      want === undefined ? undefined : gtidDifference(want, have.gtidExecuted);
    return dataLossInTransactions(source.cluster, target.cluster, lost);
  }

  /** Points `site`'s channels at `to`'s published hosts, unless they already are. */
  async #follow(site: PxcSite, to: PxcSite): Promise<PxcChannel[]> {
    const sources = await publishedSources(to);
    if (!sources.length) throw new Error(notExposedMessage(to));
    if (!site.channels.length) {
      throw new Error(
        `PerconaXtraDBCluster ${site.resource.metadata.name} in ${site.side.cluster} has no spec.pxc.replicationChannels; cross-site replication is not set up there`,
      );
    }
    if (!followsHosts(site.channels, sources)) {
      await patchChannels(site, replicaChannels(site.channels, sources));
    }
    return site.channels;
  }

  async fence(
    source: FailoverSide,
    target: FailoverSide,
    ctx: FailoverCallContext,
  ): Promise<UndoData> {
    const sites = await this.#sites(source, target, ctx);
    if (!sites) return this.#fallback.fence(source, target, ctx);
    const [src, tgt] = sites;
    const previousChannels = await this.#follow(src, tgt);
    await this.#waitReadOnly(src, true, ctx);
    const fenced = await this.#state(await this.#server(src), ctx);
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
    const site = await this.#site(source, ctx);
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
    if (!isReplicaSite(channels)) await this.#waitReadOnly(site, false, ctx);
  }

  async waitCaughtUp(
    target: FailoverSide,
    source: FailoverSide,
    ctx: FailoverCallContext & { timeoutMs: number; since?: number },
  ): Promise<LagReading> {
    const sites = await this.#sites(target, source, ctx);
    if (!sites) return this.#fallback.waitCaughtUp(target, source, ctx);
    const [tgt, src] = sites;
    const [t, s] = await Promise.all([this.#server(tgt), this.#server(src)]);
    const want = (await this.#state(s, ctx)).gtidExecuted;
    const seconds = Math.max(1, Math.ceil(ctx.timeoutMs / 1000));
    const answer = await runSql(t, mysqlSql.waitFor(want, seconds), ctx, {
      timeoutMs: seconds * 1000 + 5_000,
    });
    if (answer.trim() !== '0') {
      const have = (await this.#state(t, ctx)).gtidExecuted;
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
    const site = await this.#site(target, ctx);
    if (!site) return this.#fallback.promote(target, source, ctx);
    const before = (await this.#state(await this.#server(site), ctx))
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
    const sites = await this.#sites(target, source, ctx);
    if (!sites) {
      await this.#fallback.abortPromotion(target, source, ctx);
      return;
    }
    await this.#follow(sites[0], sites[1]);
  }

  async isPromoted(
    target: FailoverSide,
    ctx: FailoverCallContext,
  ): Promise<boolean> {
    const site = await this.#site(target, ctx);
    if (!site) return this.#fallback.isPromoted(target, ctx);
    if (isReplicaSite(site.channels)) return false;
    const server = await this.#server(site);
    const [state, channels] = await Promise.all([
      this.#state(server, ctx),
      readReplicaStatus(server, ctx),
    ]);
    return !state.readOnly && channels.length === 0;
  }

  async markFenced(
    old: FailoverSide,
    primary: FailoverSide,
    ctx: FailoverCallContext,
  ): Promise<void> {
    const sites = await this.#sites(old, primary, ctx);
    if (!sites) {
      await this.#fallback.markFenced(old, primary, ctx);
      return;
    }
    // The operator's read_only comes with following the new source; any
    // transactions only the old source has are reported by verifyRoles.
    await this.#follow(sites[0], sites[1]);
  }

  /** Refuses when `old` executed transactions `primary` lacks. */
  async #requireNoErrant(
    old: PxcSite,
    primary: PxcSite,
    ctx: FailoverCallContext,
  ): Promise<void> {
    const [o, p] = await Promise.all([
      this.#server(old).then(s => this.#state(s, ctx)),
      this.#server(primary).then(s => this.#state(s, ctx)),
    ]);
    const errant = gtidDifference(o.gtidExecuted, p.gtidExecuted);
    if (errant.transactions > 0) {
      throw new Error(
        `${old.side.cluster} has ${errant.transactions} transaction(s) that ${primary.side.cluster} never executed (${errant.gtids}); the sites have diverged. Keep ${old.side.cluster} a replica, then apply those transactions on ${primary.side.cluster} or rebuild ${old.side.cluster} from a backup of ${primary.side.cluster}`,
      );
    }
  }

  async reattach(
    old: FailoverSide,
    primary: FailoverSide,
    undo: UndoData,
    ctx: FailoverCallContext,
  ): Promise<void> {
    const sites = await this.#sites(old, primary, ctx);
    if (!sites) {
      await this.#fallback.reattach(old, primary, undo, ctx);
      return;
    }
    const [o, p] = sites;
    await this.#follow(o, p);
    const hosts = new Set((await publishedSources(p)).map(s => s.host));
    const server = await this.#server(await reloadPxcSite(o));
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
    await this.#requireNoErrant(o, p, ctx);
  }

  async verifyRoles(
    primary: FailoverSide,
    old: FailoverSide | undefined,
    ctx: FailoverCallContext,
  ): Promise<string[]> {
    const p = await this.#site(primary, ctx);
    const o = old && (await this.#site(old, ctx));
    if (!p || (old && !o)) {
      return this.#fallback.verifyRoles(primary, old, ctx);
    }
    const problems: string[] = [];
    if (isReplicaSite(p.channels)) {
      problems.push(
        `${primary.cluster}'s replication channels are not the source`,
      );
    }
    const ps = await this.#server(p);
    const [state, rows] = await Promise.all([
      this.#state(ps, ctx),
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
        const st = await this.#state(s, ctx).catch(() => undefined);
        if (st && !st.readOnly) {
          problems.push(`${old!.cluster} (${s.pod}) still takes writes`);
        }
      }
      await this.#requireNoErrant(o, p, ctx).catch(e =>
        problems.push((e as Error).message),
      );
    }
    return problems;
  }
}
