/*
 * The steps that change the database's roles through the replication
 * provider: fence the source, wait for the target to catch up, promote it,
 * fence the old primary for good, make it a replica, and verify.
 */
import {
  pollUntil,
  UndoData,
  untilAborted,
} from '@multicluster/backstage-plugin-statefulsets-node';
import { isUnreachable } from '../changeJournal';
import { LeaseLostError } from '../DatabaseFailoverStore';
import { objectPath } from '../kubePaths';
import {
  iso,
  message,
  RunContext,
  StepResult,
  stopReason,
} from '../runContext';
import { budgetLeft, budgetSpent, withTimeout } from '../stepWatch';
import { lagAtFenceTime } from './lagAtFence';
import { StepHandler, StepServices } from './types';

async function fenceOldSourceNow(
  ctx: RunContext,
  services: StepServices,
  deferrable: boolean,
): Promise<StepResult> {
  const { source, target, provider, router, route, call, run } = ctx;
  // The copies of the route in clusters that were down when traffic was
  // fenced or moved still point at the old side.
  const unreachable = new Set<string>();
  for (const kind of ['fence-traffic', 'move-traffic']) {
    const outcome = run.steps.find(s => s.kind === kind)?.outcome as
      | { unreachable?: string[] }
      | undefined;
    for (const c of outcome?.unreachable ?? []) unreachable.add(c);
  }
  try {
    await provider!.markFenced(source!, target, call);
    if (unreachable.size > 0 && router.id !== 'none') {
      const change = await router.moveTraffic(
        route,
        source!.cluster,
        target.cluster,
        { onlyClusters: [...unreachable].sort() },
      );
      if (change.unreachable.length) {
        throw new Error(
          `the route could not be changed in ${change.unreachable.join(', ')}`,
        );
      }
    }
    return { outcome: { fencedAt: iso(services.now()) } };
  } catch (err) {
    if (err instanceof LeaseLostError) throw err;
    if (ctx.call.signal?.aborted) throw stopReason(ctx.call.signal);
    if (!deferrable) throw err;
    return {
      status: 'deferred',
      outcome: {
        reason: `${source!.cluster} could not be fenced yet: ${message(err)}`,
      },
    };
  }
}

/** A deferred reattach: the old primary answered again. */
async function reattachLater(
  ctx: RunContext,
  services: StepServices,
): Promise<StepResult> {
  const fence = ctx.run.steps.find(s => s.kind === 'fence');
  try {
    await ctx.provider!.reattach?.(
      ctx.source!,
      ctx.target,
      ((fence?.outcome?.undo as UndoData) ?? {}) as UndoData,
      ctx.call,
    );
    return { outcome: { reattachedAt: iso(services.now()) } };
  } catch (err) {
    if (err instanceof LeaseLostError || !isUnreachable(err)) throw err;
    return {
      status: 'deferred',
      outcome: { reason: `${ctx.source!.cluster} does not answer yet` },
    };
  }
}

async function verify(
  ctx: RunContext,
  services: StepServices,
): Promise<StepResult> {
  const { run, source, target, provider, router, route, call } = ctx;
  let oldReachable =
    !run.steps.some(s => s.status === 'deferred') &&
    (run.mode === 'failover'
      ? run.steps.find(s => s.kind === 'fence-old-source')?.status ===
        'succeeded'
      : true);
  let problems: string[] = [];
  let notVerified: string | undefined;
  await pollUntil(
    async () => {
      problems = [];
      if (oldReachable && source) {
        // An old primary that stopped answering after it was fenced does
        // not make the switch fail: it is left out of the check.
        try {
          await withTimeout(
            source.client.get(objectPath(source.workload)),
            services.healthProbeTimeoutMs,
            `${source.cluster} did not answer within ${services.healthProbeTimeoutMs} ms`,
          );
        } catch (err) {
          if (isUnreachable(err)) {
            oldReachable = false;
            notVerified = `${source.cluster} did not answer (${message(
              err,
            )}); its role was not verified`;
          }
        }
      }
      if (run.mode !== 'drain') {
        problems.push(
          ...(await provider!.verifyRoles(
            target,
            oldReachable ? source : undefined,
            call,
          )),
        );
      }
      if (router.id !== 'none') {
        const weights = await router.readWeights(route);
        const want = run.mode === 'drain' ? 0 : 100;
        if ((weights[target.cluster] ?? 0) !== want) {
          problems.push(
            `${target.cluster} gets ${
              weights[target.cluster] ?? 0
            }% of the traffic, expected ${want}%`,
          );
        }
      }
      return problems.length === 0 ? true : undefined;
    },
    {
      timeoutMs: services.verifyTimeoutMs,
      intervalMs: 100,
      signal: call.signal,
      describe: () => `verification failed: ${problems.join('; ')}`,
    },
  );
  return {
    outcome: {
      verifiedAt: iso(services.now()),
      ...(notVerified ? { warning: notVerified } : {}),
    },
  };
}

/** Stops the source taking writes. */
export const fence: StepHandler = {
  async perform(ctx, _step, record, services) {
    const { source, target, provider, call } = ctx;
    const lag = await provider!
      .readLag(target, call)
      .catch(() => ({ seconds: null, observedAt: undefined }));
    await record(lagAtFenceTime('lagAtFence', lag, services.now()));
    const undo = await provider!.fence(source!, target, call);
    return { outcome: { undo } };
  },
  async compensate(ctx, step) {
    const outcome = step.outcome as UndoData | undefined;
    await ctx.provider!.unfence(
      ctx.source!,
      ((outcome?.undo as UndoData) ?? {}) as UndoData,
      ctx.call,
    );
  },
};

/** Waits until the target has everything the source wrote. */
export const waitCatchUp: StepHandler = {
  async perform(ctx, _step, _record, services) {
    const { source, target, provider, call } = ctx;
    const steps = ctx.run.steps;
    const fenceStep = steps.find(s => s.kind === 'fence');
    const since = fenceStep?.startedAt
      ? Date.parse(fenceStep.startedAt)
      : services.now();
    const left = budgetLeft(ctx, services.now());
    if (left <= 0) throw budgetSpent(ctx);
    const lag = await untilAborted(
      provider!.waitCaughtUp(target, source!, {
        ...call,
        timeoutMs: Math.min(services.catchUpTimeoutMs, left),
        since,
      }),
      call.signal,
    );
    return {
      outcome: { lagSeconds: lag.seconds, observedAt: lag.observedAt },
    };
  },
};

/** Makes the target the primary. */
export const promote: StepHandler = {
  async perform(ctx, _step, record, services) {
    const { run, source, target, provider, call } = ctx;
    const outcomeOf = (kind: string) =>
      ctx.run.steps.find(s => s.kind === kind)?.outcome as UndoData | undefined;
    // Nothing is promoted once the source has been fenced longer than
    // its budget: the run rolls back and the source takes writes again.
    if (budgetLeft(ctx, services.now()) <= 0) throw budgetSpent(ctx);
    // Older runs' deferred fences of this cluster were planned when it
    // was an old primary; applied after this promotion they would fence
    // the primary.
    const cancelledFences = await services.store.cancelDeferredFences(
      ctx.lease,
      run.entityRef,
      target.cluster,
    );
    const emergency = run.mode === 'failover';
    if (emergency) {
      const lag = await provider!
        .readLag(target, call)
        .catch(() => ({ seconds: null, observedAt: undefined }));
      // Without a reading the plan's last known lag stands, of unknown age.
      await record(
        lagAtFenceTime(
          'lastKnownLag',
          lag.seconds === null
            ? { seconds: run.plan.dataLossWindowSeconds }
            : lag,
          services.now(),
        ),
      );
    }
    const undo = await provider!.promote(target, source!, {
      ...call,
      emergency,
      fenced: (outcomeOf('fence')?.undo ?? undefined) as UndoData | undefined,
    });
    return {
      outcome: { undo, ...(cancelledFences ? { cancelledFences } : {}) },
    };
  },
  attention: ({ src, tgt }) =>
    `${tgt} may be partly promoted while ${src} is fenced: check which side takes writes, finish the promotion of ${tgt} or unfence ${src}, then move traffic.`,
};

/** Fences the old primary for good (later, when it did not answer). */
export const fenceOldSource: StepHandler = {
  async perform(ctx, _step, _record, services) {
    const { run } = ctx;
    // Deferring is for a source that was down: one that answered when
    // the run was planned must be fenced before anything is promoted.
    return fenceOldSourceNow(
      ctx,
      services,
      run.plan.checks.find(c => c.id === 'source-reachable')?.status === 'pass',
    );
  },
  async compensate(ctx, step) {
    // Deferred: nothing reached the cluster. Applied: the source was the
    // primary until this run, give the role back.
    if (step.status !== 'deferred') {
      await ctx.provider!.unfence(ctx.source!, {}, ctx.call);
    }
  },
  finishDeferred: (ctx, _step, services) =>
    fenceOldSourceNow(ctx, services, true),
  deferredDone: () => 'it was fenced',
};

/** Makes the old primary a replica of the new one. */
export const reattach: StepHandler = {
  async perform(ctx, _step, _record, _services) {
    const { source, target, provider, call } = ctx;
    const outcomeOf = (kind: string) =>
      ctx.run.steps.find(s => s.kind === kind)?.outcome as UndoData | undefined;
    try {
      await provider!.reattach?.(
        source!,
        target,
        (outcomeOf('fence')?.undo ?? {}) as UndoData,
        call,
      );
    } catch (err) {
      if (!isUnreachable(err) || call.signal?.aborted) throw err;
      // The old primary stays fenced; it becomes a replica when it
      // answers again.
      return {
        status: 'deferred',
        outcome: {
          reason: `${source!.cluster} did not answer (${message(
            err,
          )}): it stays fenced and is made a replica of ${
            target.cluster
          } as soon as it answers`,
        },
      };
    }
    return { outcome: {} };
  },
  finishDeferred: (ctx, _step, services) => reattachLater(ctx, services),
  deferredDone: target => `it was made a replica of ${target}`,
  attention: ({ src, tgt }) =>
    `${src} stays fenced: make it a replica of ${tgt} by hand (role passive, replication-source ${tgt}, replicas restored).`,
};

/** Checks roles and traffic are where the run put them. */
export const verifyStep: StepHandler = {
  async perform(ctx, _step, _record, services) {
    return verify(ctx, services);
  },
  attention: ({ tgt, route }, step) =>
    `The switch to ${tgt} is done but did not verify (${step.error}): check the roles, pod readiness and ${route}.`,
};
