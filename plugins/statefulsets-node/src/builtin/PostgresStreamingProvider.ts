/*
 * Failover of PostgreSQL StatefulSets that replicate by streaming
 * replication across Kubernetes clusters without an operator: every step
 * runs SQL or the server's own tools in the primary pod of a side
 * (the StatefulSet's first ordinal, see postgresPod) through `pods/exec`, so the roles change in the engine
 * and not only in annotations.
 *
 * Fencing keeps the source up and readable: `default_transaction_read_only`
 * is set with ALTER SYSTEM (it survives a restart) and reloaded, and the
 * client sessions are ended so none keeps a read-write default. A client
 * that sets the parameter back in its own session could still write; the
 * fence is against applications, not against an administrator. The target
 * is promoted with `pg_promote()` only once its replay LSN reached the
 * fenced source's current LSN. The old primary rejoins through pg_rewind,
 * which rewinds it when its WAL went past the fork (its shutdown checkpoint
 * always does) and writes `standby.signal` and `primary_conninfo`; this
 * needs `wal_log_hints = on` or data checksums, and a container whose
 * server can be stopped and started with pg_ctl without ending the pod.
 * Where a side's connection cannot exec into pods, the generic provider
 * acts instead (role annotations and scaling). CloudNativePG clusters keep
 * their operator's path (CloudNativePgProvider).
 */
import {
  FailoverStepDescriptions,
  FailoverStepSides,
  describeWorkload,
  KubeObject,
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
import {
  GenericStatefulSetProvider,
  requireSideStamped,
} from './GenericStatefulSetProvider';
import { mcsConninfo, PostgresPod, postgresPodOf } from './postgresPod';
import {
  FENCE_STATEMENTS,
  laterLsn,
  lsnBytesBehind,
  parseState,
  PostgresState,
  PROMOTE_STATEMENTS,
  psql,
  REJOIN_PREPARE_STATEMENTS,
  rejoinScript,
  requireNoPassword,
  STATE_QUERY,
  UNFENCE_STATEMENTS,
} from './postgresCommands';

/** A lag reading with the WAL bytes behind, PostgreSQL's own unit. */
export interface PostgresLagReading extends LagReading {
  /** WAL bytes the target has not replayed (received but not replayed, when read on the target alone). */
  lsnBytes: number | null;
}

/** How the provider reaches the database pods. */
export interface PostgresStreamingProviderOptions {
  /**
   * The libpq connection string (without a password) by which the old
   * primary's pod reaches the new primary, for pg_rewind and
   * `primary_conninfo`; by default the new primary pod's Multi-Cluster
   * Services name (mcsConninfo).
   */
  primaryConninfo?(primary: FailoverSide, pod: PostgresPod): string;
  /**
   * Acts where a side's connection cannot exec into pods; by default the
   * generic provider (role annotations, scaling to zero).
   */
  fallback?: FailoverReplicationProvider;
  pollIntervalMs?: number;
  /** Deadline of one command (the rejoin gets four times this). */
  execTimeoutMs?: number;
}

/** How long a side's answer to "can the engine be reached through exec" holds. */
const REACH_TTL_MS = 60_000;

/** Options of one command. */
interface RunOptions {
  timeoutMs?: number;
  /** What a non-zero exit means, for the error. */
  failure?: string;
}

/** How long an emergency waits for a source that may be gone. */
const PROBE_TIMEOUT_MS = 5000;

/** Whether the container has the client tools the provider runs. */
const TOOLS_PROBE = ['psql', '--version'];

/**
 * Refuses a StatefulSet an operator controls (Zalando's Patroni, …): the
 * operator decides the primary and would undo or fight a promotion.
 */
function requireNoOperator(side: FailoverSide, obj: KubeObject): void {
  const owner = obj.metadata.ownerReferences?.find(
    r => (r as Record<string, unknown>).controller === true,
  );
  if (owner) {
    throw new Error(
      `StatefulSet ${side.workload.namespace}/${side.workload.name} in ${side.cluster} is controlled by ${owner.kind} ${owner.name} (${owner.apiVersion}); its operator decides the primary, so fail it over through the operator, not by promoting PostgreSQL directly`,
    );
  }
}

/**
 * PostgreSQL StatefulSets with streaming replication: fences, promotes and
 * rejoins through SQL and pg_rewind run in the pods.
 */
export class PostgresStreamingProvider implements FailoverReplicationProvider {
  readonly id = 'postgresql-streaming';
  /** waitCaughtUp compares LSNs: a lag in seconds never replaces it. */
  readonly catchUpInEngine = true;
  readonly #conninfo: (primary: FailoverSide, pod: PostgresPod) => string;
  readonly #pollMs: number;
  readonly #execTimeoutMs: number;
  readonly #fallback: FailoverReplicationProvider;
  readonly #reachable = new Map<string, { ok: boolean; until: number }>();

  constructor(options?: PostgresStreamingProviderOptions) {
    this.#fallback = options?.fallback ?? new GenericStatefulSetProvider();
    this.#conninfo = options?.primaryConninfo ?? mcsConninfo;
    this.#pollMs = options?.pollIntervalMs ?? 200;
    this.#execTimeoutMs = options?.execTimeoutMs ?? 30_000;
  }

  /** The topology keeps its readers; this provider acts only in failovers. */
  supports(): boolean {
    return false;
  }

  async readReplication(): Promise<[]> {
    return [];
  }

  supportsWorkload(workload: WorkloadRef, engine?: string): boolean {
    return workload.kind === 'StatefulSet' && engine === 'postgresql';
  }

  describeSteps(sides: FailoverStepSides): FailoverStepDescriptions {
    return describePostgresStreamingSteps(sides);
  }

  async readLag(
    target: FailoverSide,
    ctx: FailoverCallContext,
  ): Promise<PostgresLagReading> {
    if (!(await this.#canExec(target))) {
      return { ...(await this.#fallback.readLag(target, ctx)), lsnBytes: null };
    }
    const state = await this.#state(target);
    if (!state.inRecovery) return { seconds: null, lsnBytes: null };
    return {
      seconds: state.secondsBehind,
      observedAt: state.observedAt,
      lsnBytes:
        state.receivedLsn && state.lsn
          ? lsnBytesBehind(state.lsn, state.receivedLsn)
          : null,
    };
  }

  /** What a promotion now would give up, in WAL bytes, for the plan. */
  async readDataLoss(
    target: FailoverSide,
    source: FailoverSide,
  ): Promise<
    { amount: number | null; unit: string; detail: string } | undefined
  > {
    if (!(await this.#canExec(target))) return undefined;
    const { lostBytes, lastReceivedLsn } = await this.#emergencyWindow(
      target,
      source,
    );
    return {
      amount: lostBytes,
      unit: 'WAL bytes',
      detail:
        lostBytes === null
          ? `${source.cluster} did not answer; ${target.cluster} received its WAL up to ${lastReceivedLsn}`
          : `${source.cluster}'s pg_current_wal_lsn() against the WAL ${target.cluster} received (up to ${lastReceivedLsn})`,
    };
  }

  async fence(
    source: FailoverSide,
    target: FailoverSide,
    ctx: FailoverCallContext,
  ): Promise<UndoData> {
    if (!(await this.#canExec(source)))
      return this.#fallback.fence(source, target, ctx);
    const before = await this.#state(source);
    if (before.inRecovery) {
      throw new Error(
        `${source.cluster} is a standby (pg_is_in_recovery() is true), not the primary to fence; refresh the topology and plan again`,
      );
    }
    await this.#write(source, ctx, psql(...FENCE_STATEMENTS));
    return { fencedAtLsn: (await this.#state(source)).lsn };
  }

  async unfence(
    source: FailoverSide,
    undo: UndoData,
    ctx: FailoverCallContext,
  ): Promise<void> {
    if (!(await this.#canExec(source))) {
      await this.#fallback.unfence(source, undo, ctx);
      return;
    }
    // A primary read-only by design before the run is not one this
    // provider fails over: unfencing always makes it writable again.
    const state = await this.#state(source);
    if (state.inRecovery || !state.readOnlyDefault) return;
    await this.#write(source, ctx, psql(...UNFENCE_STATEMENTS));
  }

  async waitCaughtUp(
    target: FailoverSide,
    source: FailoverSide,
    ctx: FailoverCallContext & { timeoutMs: number },
  ): Promise<PostgresLagReading> {
    if (!(await this.#canExec(target, source))) {
      const lag = await this.#fallback.waitCaughtUp(target, source, ctx);
      return { ...lag, lsnBytes: null };
    }
    let behind = 'not read yet';
    return pollUntil(
      async () => {
        const { bytes, target: t } = await this.#bytesBehind(target, source);
        behind = `${bytes} bytes of WAL behind (replayed up to ${t.lsn})`;
        if (bytes > 0) return undefined;
        return { seconds: 0, observedAt: t.observedAt, lsnBytes: 0 };
      },
      {
        timeoutMs: ctx.timeoutMs,
        intervalMs: this.#pollMs,
        signal: ctx.signal,
        describe: () =>
          `${target.cluster} did not replay the fenced ${source.cluster}'s WAL: ${behind}`,
      },
    );
  }

  async promote(
    target: FailoverSide,
    source: FailoverSide,
    ctx: FailoverCallContext & { fenced?: UndoData; emergency: boolean },
  ): Promise<UndoData> {
    if (!(await this.#canExec(target)))
      return this.#fallback.promote(target, source, ctx);
    const state = await this.#state(target);
    if (!state.inRecovery) return { alreadyPrimary: true };
    let window: UndoData = { lostBytes: 0 };
    if (ctx.emergency) window = await this.#emergencyWindow(target, source);
    else await this.#requireCaughtUp(target, source);
    await this.#write(target, ctx, psql(...PROMOTE_STATEMENTS));
    return { ...window, promotedAtLsn: (await this.#state(target)).lsn };
  }

  async abortPromotion(
    target: FailoverSide,
    source: FailoverSide,
    ctx: FailoverCallContext,
  ): Promise<void> {
    if (!(await this.#canExec(target, source))) {
      await this.#fallback.abortPromotion(target, source, ctx);
      return;
    }
    // A standby that never left recovery has nothing to undo; one that did
    // has written on a new timeline and can only follow the source again.
    if (!(await this.isPromoted(target, ctx))) return;
    await this.reattach(target, source, {}, ctx);
  }

  async isPromoted(
    target: FailoverSide,
    ctx: FailoverCallContext,
  ): Promise<boolean> {
    if (!(await this.#canExec(target)))
      return this.#fallback.isPromoted(target, ctx);
    return !(await this.#state(target)).inRecovery;
  }

  async markFenced(
    old: FailoverSide,
    primary: FailoverSide,
    ctx: FailoverCallContext,
  ): Promise<void> {
    if (!(await this.#canExec(old))) {
      await this.#fallback.markFenced(old, primary, ctx);
      return;
    }
    const state = await this.#state(old);
    if (state.inRecovery || state.readOnlyDefault) return;
    await this.fence(old, primary, ctx);
  }

  async reattach(
    old: FailoverSide,
    primary: FailoverSide,
    undo: UndoData,
    ctx: FailoverCallContext,
  ): Promise<void> {
    // Checked before anything runs: the rejoin command is journaled.
    const conninfo = requireNoPassword(
      this.#conninfo(primary, (await this.#load(primary)).pod),
    );
    if (!(await this.#canExec(old, primary))) {
      await this.#fallback.reattach?.(old, primary, undo, ctx);
      return;
    }
    if ((await this.#state(old)).inRecovery) return;
    // pg_rewind reads the new timeline from the primary's control file.
    await this.#write(primary, ctx, psql('CHECKPOINT'));
    await this.#write(old, ctx, psql(...REJOIN_PREPARE_STATEMENTS));
    await this.#write(old, ctx, rejoinScript(conninfo), {
      timeoutMs: this.#execTimeoutMs * 4,
      failure: `${old.cluster} could not rejoin ${primary.cluster} as a standby; its server may be stopped: rewind or re-clone it from ${primary.cluster} by hand`,
    });
    await pollUntil(
      async () => ((await this.#state(old)).inRecovery ? true : undefined),
      {
        timeoutMs: this.#execTimeoutMs,
        intervalMs: this.#pollMs,
        signal: ctx.signal,
        describe: () =>
          `${old.cluster} did not come back as a standby of ${primary.cluster}`,
      },
    );
  }

  async verifyRoles(
    primary: FailoverSide,
    old: FailoverSide | undefined,
    ctx: FailoverCallContext,
  ): Promise<string[]> {
    if (!(await this.#canExec(primary)))
      return this.#fallback.verifyRoles(primary, old, ctx);
    const problems: string[] = [];
    const p = await this.#state(primary);
    if (p.inRecovery) problems.push(`${primary.cluster} is still in recovery`);
    if (p.readOnlyDefault) {
      problems.push(`${primary.cluster} has default_transaction_read_only on`);
    }
    if (old) {
      const o = await this.#state(old).catch(() => undefined);
      if (o && !o.inRecovery && !o.readOnlyDefault) {
        problems.push(`${old.cluster} still accepts writes as a primary`);
      }
    }
    return problems;
  }

  /** The LSN check of a switchover: the target replayed all the fenced source wrote. */
  async #requireCaughtUp(
    target: FailoverSide,
    source: FailoverSide,
  ): Promise<void> {
    const { bytes } = await this.#bytesBehind(target, source);
    if (bytes > 0) {
      throw new Error(
        `${target.cluster} is ${bytes} bytes of WAL behind the fenced ${source.cluster}; not promoting (wait for catch-up, or fail over as an emergency)`,
      );
    }
  }

  /**
   * What an emergency promotion gives up, in WAL bytes: what the source
   * wrote past all the target received (a promotion replays what it
   * received). Unknown (null) when the source does not answer; the last
   * received LSN then marks where its lost writes start.
   */
  async #emergencyWindow(
    target: FailoverSide,
    source: FailoverSide,
  ): Promise<{ lastReceivedLsn: string | null; lostBytes: number | null }> {
    const t = await this.#state(target);
    const received = laterLsn(t.receivedLsn, t.lsn);
    const s = await this.#run(source, psql(STATE_QUERY), {
      timeoutMs: PROBE_TIMEOUT_MS,
    })
      .then(parseState)
      .catch(() => undefined);
    return {
      lastReceivedLsn: received ?? null,
      lostBytes:
        s?.lsn && !s.inRecovery && received
          ? lsnBytesBehind(received, s.lsn)
          : null,
    };
  }

  async #bytesBehind(
    target: FailoverSide,
    source: FailoverSide,
  ): Promise<{ bytes: number; target: PostgresState }> {
    const [s, t] = await Promise.all([
      this.#state(source),
      this.#state(target),
    ]);
    if (!s.lsn || !t.lsn) {
      throw new Error(
        `No WAL position from ${s.lsn ? target.cluster : source.cluster}`,
      );
    }
    return { bytes: lsnBytesBehind(t.lsn, s.lsn), target: t };
  }

  /**
   * Whether the engine can be reached in every side's pod: the connection
   * can exec and the container has PostgreSQL's client tools (`psql` and
   * `pg_ctl`); else the fallback acts, as for databases nobody can exec
   * into. The answer is kept for a minute per workload.
   */
  async #canExec(...sides: FailoverSide[]): Promise<boolean> {
    for (const side of sides) {
      if (typeof side.client.exec !== 'function') return false;
      const key = `${side.cluster}/${side.workload.namespace}/${side.workload.name}`;
      const known = this.#reachable.get(key);
      if (known && known.until > Date.now()) {
        if (!known.ok) return false;
        continue;
      }
      const { target } = (await this.#load(side)).pod;
      const probe = await side.client.exec(target, TOOLS_PROBE, {
        timeoutMs: PROBE_TIMEOUT_MS,
      });
      // 126/127: the shell found no such program, as in a container without them.
      const ok = probe.exitCode !== 126 && probe.exitCode !== 127;
      this.#reachable.set(key, { ok, until: Date.now() + REACH_TTL_MS });
      if (!ok) return false;
    }
    return true;
  }

  async #state(side: FailoverSide): Promise<PostgresState> {
    return parseState(await this.#run(side, psql(STATE_QUERY)));
  }

  /** A side's StatefulSet as it is now, and its PostgreSQL pod. */
  async #load(
    side: FailoverSide,
  ): Promise<{ obj: KubeObject; pod: PostgresPod }> {
    const obj = await side.client.get<KubeObject>(
      side.client.pathOf(side.workload),
    );
    if (!obj) {
      throw new Error(
        `StatefulSet ${side.workload.namespace}/${side.workload.name} not found in ${side.cluster}`,
      );
    }
    return { obj, pod: postgresPodOf(side, obj) };
  }

  /** Runs a changing command, after checking the workload is the run entity's and no operator's. */
  async #write(
    side: FailoverSide,
    ctx: FailoverCallContext,
    command: string[],
    options?: RunOptions,
  ): Promise<string> {
    const { obj, pod } = await this.#load(side);
    requireSideStamped(side, obj, ctx);
    requireNoOperator(side, obj);
    return this.#exec(side, pod, command, options);
  }

  async #run(
    side: FailoverSide,
    command: string[],
    options?: RunOptions,
  ): Promise<string> {
    return this.#exec(side, (await this.#load(side)).pod, command, options);
  }

  async #exec(
    side: FailoverSide,
    pod: PostgresPod,
    command: string[],
    options?: RunOptions,
  ): Promise<string> {
    const exec = side.client.exec?.bind(side.client);
    if (!exec) {
      throw new Error(
        `The connection to ${side.cluster} cannot exec into pods, which the PostgreSQL provider needs; grant pods/exec to the backend's identity`,
      );
    }
    const { target } = pod;
    const result = await exec(target, command, {
      timeoutMs: options?.timeoutMs ?? this.#execTimeoutMs,
    });
    if (result.exitCode !== 0) {
      const why = options?.failure ?? `A command failed in ${side.cluster}`;
      throw new Error(
        `${why} (pod ${target.namespace}/${target.pod}, exit ${
          result.exitCode
        }): ${result.stderr.trim() || result.stdout.trim()}`,
      );
    }
    return result.stdout;
  }
}

/** The provider's steps in words: the commands each one runs, and the data-loss window in WAL bytes. */
export function describePostgresStreamingSteps(
  sides: FailoverStepSides,
): FailoverStepDescriptions {
  const src = `${describeWorkload(sides.sourceWorkload)} in ${
    sides.sourceCluster ?? '?'
  }`;
  const tgt = `${describeWorkload(sides.targetWorkload)} in ${
    sides.targetCluster
  }`;
  const fence = FENCE_STATEMENTS.map(s => `${src}: ${s}`);
  const promote = PROMOTE_STATEMENTS.map(s => `${tgt}: ${s}`);
  return {
    fenceMethod: `PostgreSQL streaming replication: ${src} is made read-only (ALTER SYSTEM SET default_transaction_read_only = on, sessions ended) and stays up`,
    fence,
    promote: [
      `${tgt}: wait until pg_last_wal_replay_lsn() reaches the source's pg_current_wal_lsn() (data-loss window: 0 bytes of WAL)`,
      ...promote,
    ],
    fenceOldSource: fence,
    promoteWithoutSource: [
      `${tgt}: no LSN check; data-loss window: the WAL bytes the source wrote past the target's pg_last_wal_receive_lsn(), recorded with the run (unknown while the source does not answer)`,
      ...promote,
    ],
    reattach: [
      `${sides.targetCluster}: CHECKPOINT`,
      ...REJOIN_PREPARE_STATEMENTS.map(s => `${src}: ${s}`),
      `${src}: pg_ctl stop -m fast; pg_rewind --source-server=<${sides.targetCluster} primary> --write-recovery-conf (standby.signal, primary_conninfo); pg_ctl start`,
    ],
  };
}
