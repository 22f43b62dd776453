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
import { GenericStatefulSetProvider } from './GenericStatefulSetProvider';
import { PostgresExec } from './postgresExec';
import { mcsConninfo, PostgresPod } from './postgresPod';
import { describePostgresStreamingSteps } from './postgresSteps';
import { bytesBehind, emergencyWindow, requireCaughtUp } from './postgresWal';

import {
  FENCE_STATEMENTS,
  lsnBytesBehind,
  PROMOTE_STATEMENTS,
  psql,
  REJOIN_PREPARE_STATEMENTS,
  rejoinScript,
  requireNoPassword,
  UNFENCE_STATEMENTS,
} from './postgresCommands';

export { describePostgresStreamingSteps } from './postgresSteps';

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
  readonly #pods: PostgresExec;

  constructor(options?: PostgresStreamingProviderOptions) {
    this.#fallback = options?.fallback ?? new GenericStatefulSetProvider();
    this.#conninfo = options?.primaryConninfo ?? mcsConninfo;
    this.#pollMs = options?.pollIntervalMs ?? 200;
    this.#execTimeoutMs = options?.execTimeoutMs ?? 30_000;
    this.#pods = new PostgresExec(this.#execTimeoutMs);
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
    if (!(await this.#pods.canExec(target))) {
      return { ...(await this.#fallback.readLag(target, ctx)), lsnBytes: null };
    }
    const state = await this.#pods.state(target);
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
    if (!(await this.#pods.canExec(target))) return undefined;
    const { lostBytes, lastReceivedLsn } = await emergencyWindow(
      this.#pods,
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
    if (!(await this.#pods.canExec(source)))
      return this.#fallback.fence(source, target, ctx);
    const before = await this.#pods.state(source);
    if (before.inRecovery) {
      throw new Error(
        `${source.cluster} is a standby (pg_is_in_recovery() is true), not the primary to fence; refresh the topology and plan again`,
      );
    }
    const previous = await this.#pods.roleOf(source);
    await this.#pods.write(source, ctx, psql(...FENCE_STATEMENTS));
    await this.#pods.annotateRole(source, 'fenced', null);
    return {
      fencedAtLsn: (await this.#pods.state(source)).lsn,
      // A re-run finds its own mark: the side was active before it.
      previousRole:
        previous.role === 'fenced' ? 'active' : previous.role ?? 'active',
      previousSource: previous.source,
    };
  }

  async unfence(
    source: FailoverSide,
    undo: UndoData,
    ctx: FailoverCallContext,
  ): Promise<void> {
    if (!(await this.#pods.canExec(source))) {
      await this.#fallback.unfence(source, undo, ctx);
      return;
    }
    // A primary read-only by design before the run is not one this
    // provider fails over: unfencing always makes it writable again.
    const state = await this.#pods.state(source);
    if (!state.inRecovery && state.readOnlyDefault) {
      await this.#pods.write(source, ctx, psql(...UNFENCE_STATEMENTS));
    }
    if (typeof undo.previousRole === 'string') {
      await this.#pods.annotateRole(
        source,
        undo.previousRole,
        typeof undo.previousSource === 'string' ? undo.previousSource : null,
      );
    }
  }

  async waitCaughtUp(
    target: FailoverSide,
    source: FailoverSide,
    ctx: FailoverCallContext & { timeoutMs: number },
  ): Promise<PostgresLagReading> {
    if (!(await this.#pods.canExec(target, source))) {
      const lag = await this.#fallback.waitCaughtUp(target, source, ctx);
      return { ...lag, lsnBytes: null };
    }
    let behind = 'not read yet';
    return pollUntil(
      async () => {
        const { bytes, target: t } = await bytesBehind(
          this.#pods,
          target,
          source,
        );
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
    if (!(await this.#pods.canExec(target)))
      return this.#fallback.promote(target, source, ctx);
    const state = await this.#pods.state(target);
    if (!state.inRecovery) return { alreadyPrimary: true };
    let window: UndoData = { lostBytes: 0 };
    if (ctx.emergency)
      window = await emergencyWindow(this.#pods, target, source);
    else await requireCaughtUp(this.#pods, target, source);
    await this.#pods.write(target, ctx, psql(...PROMOTE_STATEMENTS));
    await this.#pods.annotateRole(target, 'active', null);
    return { ...window, promotedAtLsn: (await this.#pods.state(target)).lsn };
  }

  async abortPromotion(
    target: FailoverSide,
    source: FailoverSide,
    ctx: FailoverCallContext,
  ): Promise<void> {
    if (!(await this.#pods.canExec(target, source))) {
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
    if (!(await this.#pods.canExec(target)))
      return this.#fallback.isPromoted(target, ctx);
    return !(await this.#pods.state(target)).inRecovery;
  }

  async markFenced(
    old: FailoverSide,
    primary: FailoverSide,
    ctx: FailoverCallContext,
  ): Promise<void> {
    if (!(await this.#pods.canExec(old))) {
      await this.#fallback.markFenced(old, primary, ctx);
      return;
    }
    const state = await this.#pods.state(old);
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
      this.#conninfo(primary, (await this.#pods.load(primary)).pod),
    );
    if (!(await this.#pods.canExec(old, primary))) {
      await this.#fallback.reattach?.(old, primary, undo, ctx);
      return;
    }
    if ((await this.#pods.state(old)).inRecovery) return;
    // pg_rewind reads the new timeline from the primary's control file.
    await this.#pods.write(primary, ctx, psql('CHECKPOINT'));
    await this.#pods.write(old, ctx, psql(...REJOIN_PREPARE_STATEMENTS));
    await this.#pods.write(old, ctx, rejoinScript(conninfo), {
      timeoutMs: this.#execTimeoutMs * 4,
      failure: `${old.cluster} could not rejoin ${primary.cluster} as a standby; its server may be stopped: rewind or re-clone it from ${primary.cluster} by hand`,
    });
    await pollUntil(
      async () => ((await this.#pods.state(old)).inRecovery ? true : undefined),
      {
        timeoutMs: this.#execTimeoutMs,
        intervalMs: this.#pollMs,
        signal: ctx.signal,
        describe: () =>
          `${old.cluster} did not come back as a standby of ${primary.cluster}`,
      },
    );
    // The old side's other pods streamed from its first pod and took its
    // shutdown checkpoint, past the fork: each is rewound and pointed at
    // the new primary the same way.
    await this.#pods.writeOnStandbys(old, ctx, rejoinScript(conninfo), {
      timeoutMs: this.#execTimeoutMs * 4,
      failure: `A standby of ${old.cluster} could not be pointed at ${primary.cluster}; rewind or re-clone it from ${primary.cluster} by hand`,
    });
    await this.#pods.annotateRole(old, 'passive', primary.cluster);
  }

  async verifyRoles(
    primary: FailoverSide,
    old: FailoverSide | undefined,
    ctx: FailoverCallContext,
  ): Promise<string[]> {
    if (!(await this.#pods.canExec(primary)))
      return this.#fallback.verifyRoles(primary, old, ctx);
    const problems: string[] = [];
    const p = await this.#pods.state(primary);
    if (p.inRecovery) problems.push(`${primary.cluster} is still in recovery`);
    if (p.readOnlyDefault) {
      problems.push(`${primary.cluster} has default_transaction_read_only on`);
    }
    if (old) {
      const o = await this.#pods.state(old).catch(() => undefined);
      if (o && !o.inRecovery && !o.readOnlyDefault) {
        problems.push(`${old.cluster} still accepts writes as a primary`);
      }
    }
    return problems;
  }
}
