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
  ANNOTATION_REPLICATION_LAG_OBSERVED_AT,
  EngineDataLoss,
  ANNOTATION_REPLICATION_LAG_SECONDS,
  ANNOTATION_REPLICATION_SOURCE,
  ANNOTATION_ROLE,
  FailoverStepDescriptions,
  FailoverStepSides,
  KubeObject,
  ReplicationLink,
} from '@multicluster/backstage-plugin-statefulsets-common';
import {
  FailoverCallContext,
  FailoverReplicationProvider,
  FailoverSide,
  LagReading,
  UndoData,
  WorkloadRef,
} from '../failover';
import { ReplicationProvider } from '../types';
import {
  GenericStatefulSetProvider,
  requireSideStamped,
} from './GenericStatefulSetProvider';
import { gtidDifference } from './gtidSet';
import { rewriteJoinScript } from './mysqlJoinScript';
import { describeMySqlSteps, mysqlSql } from './mysqlSteps';
import { MysqlServer, mysqlServerOf, parseVertical, runSql } from './mysqlExec';

type Fallback = FailoverReplicationProvider &
  ReplicationProvider &
  Required<Pick<FailoverReplicationProvider, 'reattach'>>;

/** How another server of the topology is reached across clusters, as seen in the engine. */
export interface KnownAddress {
  host: string;
  pod: string;
  cluster: string;
}

/**
 * Where a server is reached from another cluster. `known` is another
 * primary's address as a replica used it, when the provider saw one.
 */
export type MysqlAddress = (
  server: MysqlServer,
  known?: KnownAddress,
) => string;

/**
 * The address the topology already uses, with the pod and cluster swapped
 * (`<pod>.<cluster>.<svc>.<ns>.svc.clusterset.local` with MCS, a per-pod
 * Service name with Istio); the Multi-Cluster Services name when no address
 * is known.
 */
export const mysqlPeerAddress: MysqlAddress = (s, known) => {
  if (!known) {
    return `${s.pod}.${s.side.cluster}.${s.serviceName}.${s.namespace}.svc.clusterset.local`;
  }
  const [first, ...rest] = known.host.split('.');
  return [
    first.split(known.pod).join(s.pod),
    ...rest.map(l => (l === known.cluster ? s.side.cluster : l)),
  ].join('.');
};

interface ServerState {
  superReadOnly: boolean;
  readOnly: boolean;
  gtidExecuted: string;
}

/** Errant transactions: what `old` executed that `primary` lacks. */
export function errantMessage(
  old: MysqlServer,
  primary: MysqlServer,
  errant: { gtids: string; transactions: number },
): string {
  return `${old.side.cluster} (${old.pod}) has ${errant.transactions} errant transaction(s) that ${primary.side.cluster} never executed (${errant.gtids}); replicating would diverge. Keep ${old.side.cluster} fenced, then either apply those transactions on ${primary.side.cluster} or rebuild ${old.pod} from ${primary.side.cluster} (CLONE, or an empty data volume), and retry`;
}

/**
 * GTID-replicated MySQL StatefulSets (engine `mysql`): switchover,
 * emergency failover and failback by the engine's own statements.
 */
export class MySqlGtidProvider implements FailoverReplicationProvider {
  readonly id = 'mysql-gtid';
  readonly catchUpInEngine = true;
  readonly #fallback: Fallback;
  readonly #address: MysqlAddress;
  readonly #peekMs: number;

  constructor(options?: {
    fallback?: Fallback;
    address?: MysqlAddress;
    /** How long a read of a source that may be down may take (default 3 s). */
    sourcePeekMs?: number;
  }) {
    this.#fallback = options?.fallback ?? new GenericStatefulSetProvider();
    this.#address = options?.address ?? mysqlPeerAddress;
    this.#peekMs = options?.sourcePeekMs ?? 3_000;
  }

  /**
   * The topology reads the watch cache, where the engine's roles are not:
   * it keeps coming from the other providers.
   */
  supports(): boolean {
    return false;
  }

  async readReplication(): Promise<ReplicationLink[]> {
    return [];
  }

  supportsWorkload(workload: WorkloadRef, engine?: string): boolean {
    return workload.kind === 'StatefulSet' && engine === 'mysql';
  }

  describeSteps(sides: FailoverStepSides): FailoverStepDescriptions {
    return describeMySqlSteps(sides);
  }

  /**
   * The side's primary server, or undefined when only the fallback can act.
   * Refuses a StatefulSet not stamped for the run's entity: every exec
   * changes or reads that entity's database.
   */
  async #server(
    side: FailoverSide,
    ctx: FailoverCallContext,
  ): Promise<MysqlServer | undefined> {
    const sts = await side.client.get<KubeObject>(
      side.client.pathOf(side.workload),
    );
    if (!sts) {
      throw new Error(
        `StatefulSet ${side.workload.namespace}/${side.workload.name} not found in ${side.cluster}`,
      );
    }
    requireSideStamped(side, sts, ctx);
    return mysqlServerOf(side, sts);
  }

  /** Mirrors the engine's role in the StatefulSet's role annotations. */
  async #annotate(
    server: MysqlServer,
    role: string,
    source: string | null,
  ): Promise<void> {
    const { side } = server;
    await side.client.mergePatch(side.client.pathOf(side.workload), {
      metadata: {
        annotations: {
          [ANNOTATION_ROLE]: role,
          [ANNOTATION_REPLICATION_SOURCE]: source,
          // The exporter publishes a fresh lag for the new role.
          [ANNOTATION_REPLICATION_LAG_SECONDS]: null,
          [ANNOTATION_REPLICATION_LAG_OBSERVED_AT]: null,
        },
      },
    });
  }

  /** Runs `engine` on the side's primary server, or `generic` on the fallback. */
  async #either<T>(
    side: FailoverSide,
    engine: (server: MysqlServer) => Promise<T>,
    generic: (fallback: Fallback) => Promise<T>,
    ctx: FailoverCallContext,
  ): Promise<T> {
    const server = await this.#server(side, ctx);
    return server ? engine(server) : generic(this.#fallback);
  }

  async #state(s: MysqlServer, ctx: FailoverCallContext): Promise<ServerState> {
    const [row] = parseVertical(
      await runSql(s, mysqlSql.readState, ctx, { vertical: true }),
    );
    return {
      superReadOnly: row?.super_read_only === '1',
      readOnly: row?.read_only === '1',
      gtidExecuted: (row?.gtid_executed ?? '').replace(/\s+/g, ''),
    };
  }

  /**
   * A side's server state when it answers within `#peekMs`, else undefined:
   * a dead source must not hold up an emergency promotion or a plan.
   */
  async #stateIfAnswering(
    side: FailoverSide,
    ctx: FailoverCallContext,
  ): Promise<ServerState | undefined> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const read = this.#server(side, ctx)
      .then(s => (s ? this.#state(s, ctx) : undefined))
      .catch(() => undefined);
    const late = new Promise<undefined>(resolve => {
      timer = setTimeout(() => resolve(undefined), this.#peekMs);
    });
    try {
      return await Promise.race([read, late]);
    } finally {
      clearTimeout(timer);
    }
  }

  async #replicaStatus(
    s: MysqlServer,
    ctx: FailoverCallContext,
  ): Promise<Array<Record<string, string | null>>> {
    return parseVertical(
      await runSql(s, mysqlSql.replicaStatus, ctx, { vertical: true }),
    );
  }

  /** How `target` reaches `source`'s server, from its replica status (undefined when it does not). */
  async #addressSeenBy(
    target: FailoverSide,
    source: MysqlServer,
    ctx: FailoverCallContext,
  ): Promise<KnownAddress | undefined> {
    const t = await this.#server(target, ctx).catch(() => undefined);
    if (!t) return undefined;
    const channels = await this.#replicaStatus(t, ctx).catch(() => []);
    const channel =
      channels.find(c => c.Channel_Name === source.side.cluster) ?? channels[0];
    return channel?.Source_Host
      ? {
          host: channel.Source_Host,
          pod: source.pod,
          cluster: source.side.cluster,
        }
      : undefined;
  }

  async readLag(
    target: FailoverSide,
    ctx: FailoverCallContext,
  ): Promise<LagReading> {
    return this.#either(
      target,
      async s => {
        const rows = await this.#replicaStatus(s, ctx);
        const seconds = rows.map(r => r.Seconds_Behind_Source);
        const observedAt = new Date(ctx.now()).toISOString();
        if (seconds.length === 0 || seconds.some(v => v === null)) {
          return { seconds: null, observedAt };
        }
        return { seconds: Math.max(...seconds.map(Number)), observedAt };
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
    const t = await this.#server(target, ctx);
    if (!t) return undefined;
    const have = await this.#state(t, ctx);
    const want = await this.#stateIfAnswering(source, ctx);
    if (!want) {
      return {
        amount: null,
        unit: 'transactions',
        detail: `${source.cluster} does not answer; the transactions it has that ${target.cluster} lacks are reported as errant when it comes back`,
      };
    }
    const lost = gtidDifference(want.gtidExecuted, have.gtidExecuted);
    return {
      amount: lost.transactions,
      unit: 'transactions',
      detail: `${source.cluster}'s @@gtid_executed minus ${target.cluster}'s${
        lost.gtids ? ` (${lost.gtids})` : ''
      }`,
    };
  }

  async fence(
    source: FailoverSide,
    target: FailoverSide,
    ctx: FailoverCallContext,
  ): Promise<UndoData> {
    return this.#either(
      source,
      async s => {
        const annotations = s.statefulSet.metadata.annotations ?? {};
        const previousRole = annotations[ANNOTATION_ROLE];
        // Marked first: a re-run finds the mark and knows the flags it found
        // were this fence's, on a primary that took writes before.
        const rerun = previousRole === 'fenced';
        const before = rerun
          ? { superReadOnly: false, readOnly: false }
          : await this.#state(s, ctx);
        if (!rerun) await this.#annotate(s, 'fenced', null);
        await runSql(s, mysqlSql.fence, ctx);
        const fenced = await this.#state(s, ctx);
        const knownAddress = await this.#addressSeenBy(target, s, ctx);
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
    return this.#either(
      source,
      async s => {
        const sql = mysqlSql.restoreFlags({
          superReadOnly: undo.superReadOnly === true,
          readOnly: undo.readOnly === true,
        });
        await runSql(s, sql, ctx);
        await this.#annotate(
          s,
          String(undo.previousRole ?? 'active'),
          typeof undo.previousSource === 'string' ? undo.previousSource : null,
        );
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
      this.#server(target, ctx),
      this.#server(source, ctx),
    ]);
    if (!t || !s) return this.#fallback.waitCaughtUp(target, source, ctx);
    const [want, have] = await Promise.all([
      this.#state(s, ctx),
      this.#state(t, ctx),
    ]);
    const errant = gtidDifference(have.gtidExecuted, want.gtidExecuted);
    if (errant.transactions > 0) throw new Error(errantMessage(t, s, errant));
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
      const now = await this.#state(t, ctx);
      const missing = gtidDifference(want.gtidExecuted, now.gtidExecuted);
      throw new Error(
        `${target.cluster} did not execute ${source.cluster}'s transactions within ${seconds}s: ${missing.transactions} transaction(s) still missing (${missing.gtids}); check SHOW REPLICA STATUS on ${t.pod}`,
      );
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
      sourceSet = (await this.#stateIfAnswering(source, ctx))?.gtidExecuted;
    }
    if (sourceSet === undefined) {
      return { sourceGtidExecuted: null, lostTransactions: null };
    }
    const lost = gtidDifference(sourceSet, target.gtidExecuted);
    return {
      sourceGtidExecuted: sourceSet,
      lostTransactions: lost.transactions,
      lostGtids: lost.gtids,
    };
  }

  async promote(
    target: FailoverSide,
    source: FailoverSide,
    ctx: FailoverCallContext & { fenced?: UndoData; emergency: boolean },
  ): Promise<UndoData> {
    return this.#either(
      target,
      async t => {
        const channels = await this.#replicaStatus(t, ctx);
        const before = await this.#state(t, ctx);
        const window = await this.#lossWindow(before, source, ctx);
        await runSql(t, mysqlSql.promote, ctx);
        await this.#annotate(t, 'active', null);
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

  /** Makes `replica` a read-only replica of `primary`'s server, unless it already is. */
  async #follow(
    replica: MysqlServer,
    primary: MysqlServer,
    ctx: FailoverCallContext,
    known?: KnownAddress,
  ): Promise<void> {
    const host = this.#address(primary, known);
    const channels = await this.#replicaStatus(replica, ctx);
    // A channel from the primary's cluster that runs is kept as it is.
    const running =
      channels.length === 1 &&
      channels[0].Channel_Name === primary.side.cluster &&
      channels[0].Replica_IO_Running !== 'No' &&
      channels[0].Replica_SQL_Running === 'Yes';
    const sql = running
      ? mysqlSql.fence
      : mysqlSql.follow({
          host,
          port: primary.port,
          channel: primary.side.cluster,
        });
    await runSql(replica, sql, ctx);
    await this.#annotate(replica, 'passive', primary.side.cluster);
    await rewriteJoinScript(replica, {
      source: false,
      channel: primary.side.cluster,
      host,
      port: primary.port,
    });
  }

  async abortPromotion(
    target: FailoverSide,
    source: FailoverSide,
    ctx: FailoverCallContext,
  ): Promise<void> {
    const [t, s] = await Promise.all([
      this.#server(target, ctx),
      this.#server(source, ctx),
    ]);
    if (!t || !s) return this.#fallback.abortPromotion(target, source, ctx);
    return this.#follow(t, s, ctx);
  }

  async isPromoted(
    target: FailoverSide,
    ctx: FailoverCallContext,
  ): Promise<boolean> {
    return this.#either(
      target,
      async t => {
        const [state, channels] = await Promise.all([
          this.#state(t, ctx),
          this.#replicaStatus(t, ctx),
        ]);
        return !state.readOnly && !state.superReadOnly && !channels.length;
      },
      f => f.isPromoted(target, ctx),
      ctx,
    );
  }

  /** Refuses when `old` executed transactions `primary` lacks. */
  async #requireNoErrant(
    old: MysqlServer,
    primary: MysqlServer,
    ctx: FailoverCallContext,
  ): Promise<void> {
    const [o, p] = await Promise.all([
      this.#state(old, ctx),
      this.#state(primary, ctx),
    ]);
    const errant = gtidDifference(o.gtidExecuted, p.gtidExecuted);
    if (errant.transactions > 0) {
      throw new Error(errantMessage(old, primary, errant));
    }
  }

  async markFenced(
    old: FailoverSide,
    primary: FailoverSide,
    ctx: FailoverCallContext,
  ): Promise<void> {
    const [o, p] = await Promise.all([
      this.#server(old, ctx),
      this.#server(primary, ctx),
    ]);
    if (!o || !p) return this.#fallback.markFenced(old, primary, ctx);
    // Fenced first: whatever else happens, it takes no more writes.
    await runSql(o, mysqlSql.fence, ctx);
    // It follows the new primary only without errant transactions; with
    // them it stays fenced and the failback reports them.
    const errant = await this.#requireNoErrant(o, p, ctx).then(
      () => false,
      () => true,
    );
    if (errant) await this.#annotate(o, 'fenced', null);
    else await this.#follow(o, p, ctx);
    return undefined;
  }

  async reattach(
    old: FailoverSide,
    primary: FailoverSide,
    undo: UndoData,
    ctx: FailoverCallContext,
  ): Promise<void> {
    const [o, p] = await Promise.all([
      this.#server(old, ctx),
      this.#server(primary, ctx),
    ]);
    if (!o || !p) return this.#fallback.reattach(old, primary, undo, ctx);
    await this.#requireNoErrant(o, p, ctx);
    const known = undo.knownAddress as KnownAddress | undefined;
    return this.#follow(o, p, ctx, known);
  }

  async verifyRoles(
    primary: FailoverSide,
    old: FailoverSide | undefined,
    ctx: FailoverCallContext,
  ): Promise<string[]> {
    const p = await this.#server(primary, ctx);
    const o = old && (await this.#server(old, ctx));
    if (!p || (old && !o)) {
      return this.#fallback.verifyRoles(primary, old, ctx);
    }
    const problems: string[] = [];
    const [state, channels] = await Promise.all([
      this.#state(p, ctx),
      this.#replicaStatus(p, ctx),
    ]);
    if (state.superReadOnly || state.readOnly) {
      problems.push(`${primary.cluster} (${p.pod}) is still read-only`);
    }
    if (channels.length) {
      problems.push(
        `${primary.cluster} (${p.pod}) still replicates from ${channels
          .map(c => c.Source_Host)
          .join(', ')}`,
      );
    }
    if (o) {
      const oldState = await this.#state(o, ctx);
      if (!oldState.superReadOnly) {
        problems.push(`${o.side.cluster} (${o.pod}) still takes writes`);
      }
      await this.#requireNoErrant(o, p, ctx).catch(e =>
        problems.push((e as Error).message),
      );
    }
    return problems;
  }
}
