/*
 * Wraps a failover provider so that the lag a failover acts on (the lag
 * recorded at fence time, the catch-up wait, the last known lag of an
 * emergency) comes from the lag source, like the lag the plan was checked
 * against; a provider that waits on the engine's own positions (GTID sets,
 * LSNs) keeps its wait, which a lag in seconds cannot match. Fencing,
 * promotion and everything else stay with the provider.
 * Runs planned without an engine, and engines the source has no query for,
 * keep the provider's own lag.
 */
import {
  EngineDataLoss,
  ExternalLagReading,
  FailoverStepDescriptions,
  FailoverStepSides,
} from '@multicluster/backstage-plugin-statefulsets-common';
import {
  describeProviderSteps,
  FailoverCallContext,
  FailoverReplicationProvider,
  FailoverSide,
  LagReading,
  LagSource,
  LagTarget,
  UndoData,
  waitForCatchUp,
  WorkloadRef,
} from '@multicluster/backstage-plugin-statefulsets-node';
import { LagSourceReplicationProvider } from './LagSourceReplicationProvider';

/** A failover provider whose lag readings come from a lag source. */
export class LagSourceFailoverProvider
  extends LagSourceReplicationProvider
  implements FailoverReplicationProvider
{
  readonly #inner: FailoverReplicationProvider;
  readonly #lag: LagSource;
  readonly #pollMs: number;

  constructor(
    inner: FailoverReplicationProvider,
    lag: LagSource,
    options?: {
      /** How often the catch-up wait asks the lag source (default 1000 ms; Prometheus scrapes no faster). */
      pollIntervalMs?: number;
    },
  ) {
    super(inner, lag);
    this.#inner = inner;
    this.#lag = lag;
    this.#pollMs = options?.pollIntervalMs ?? 1000;
  }

  #target(
    target: FailoverSide,
    ctx: FailoverCallContext,
    source?: FailoverSide,
  ): LagTarget | undefined {
    if (!ctx.engine || !this.#lag.supportsEngine(ctx.engine)) return undefined;
    return {
      engine: ctx.engine,
      namespace: target.workload.namespace,
      workload: target.workload.name,
      cluster: target.cluster,
      source: source?.cluster,
    };
  }

  supportsWorkload(workload: WorkloadRef, engine?: string): boolean {
    return this.#inner.supportsWorkload(workload, engine);
  }

  describeSteps(sides: FailoverStepSides): FailoverStepDescriptions {
    return describeProviderSteps(this.#inner, sides);
  }

  async readLag(
    target: FailoverSide,
    ctx: FailoverCallContext,
  ): Promise<LagReading> {
    const lagTarget = this.#target(target, ctx);
    if (!lagTarget) return this.#inner.readLag(target, ctx);
    return toLagReading(
      await this.#lag.readLag(lagTarget, { signal: ctx.signal }),
    );
  }

  async waitCaughtUp(
    target: FailoverSide,
    source: FailoverSide,
    ctx: FailoverCallContext & { timeoutMs: number; since?: number },
  ): Promise<LagReading> {
    const lagTarget = this.#target(target, ctx, source);
    if (!lagTarget || this.#inner.catchUpInEngine) {
      return this.#inner.waitCaughtUp(target, source, ctx);
    }
    return waitForCatchUp({
      readLag: async () =>
        toLagReading(
          await this.#lag.readLag(lagTarget, { signal: ctx.signal }),
        ),
      target,
      source,
      ctx,
      intervalMs: this.#pollMs,
    });
  }

  fence(
    source: FailoverSide,
    target: FailoverSide,
    ctx: FailoverCallContext,
  ): Promise<UndoData> {
    return this.#inner.fence(source, target, ctx);
  }

  unfence(
    source: FailoverSide,
    undo: UndoData,
    ctx: FailoverCallContext,
  ): Promise<void> {
    return this.#inner.unfence(source, undo, ctx);
  }

  promote(
    target: FailoverSide,
    source: FailoverSide,
    ctx: FailoverCallContext & { fenced?: UndoData; emergency: boolean },
  ): Promise<UndoData> {
    return this.#inner.promote(target, source, ctx);
  }

  abortPromotion(
    target: FailoverSide,
    source: FailoverSide,
    ctx: FailoverCallContext,
  ): Promise<void> {
    return this.#inner.abortPromotion(target, source, ctx);
  }

  isPromoted(target: FailoverSide, ctx: FailoverCallContext): Promise<boolean> {
    return this.#inner.isPromoted(target, ctx);
  }

  async readDataLoss(
    target: FailoverSide,
    source: FailoverSide,
    ctx: FailoverCallContext,
  ): Promise<Omit<EngineDataLoss, 'provider'> | undefined> {
    return this.#inner.readDataLoss?.(target, source, ctx);
  }

  markFenced(
    old: FailoverSide,
    primary: FailoverSide,
    ctx: FailoverCallContext,
  ): Promise<void> {
    return this.#inner.markFenced(old, primary, ctx);
  }

  async reattach(
    old: FailoverSide,
    primary: FailoverSide,
    undo: UndoData,
    ctx: FailoverCallContext,
  ): Promise<void> {
    await this.#inner.reattach?.(old, primary, undo, ctx);
  }

  verifyRoles(
    primary: FailoverSide,
    old: FailoverSide | undefined,
    ctx: FailoverCallContext,
  ): Promise<string[]> {
    return this.#inner.verifyRoles(primary, old, ctx);
  }
}

function toLagReading(reading: ExternalLagReading): LagReading {
  return { seconds: reading.seconds, observedAt: reading.observedAt };
}
