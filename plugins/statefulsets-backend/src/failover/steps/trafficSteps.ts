/*
 * The steps that change the traffic route: fence it off the source, move it
 * to the target (now, or later in clusters that did not answer), drain it.
 */
import { FailoverRunStep } from '@multicluster/backstage-plugin-statefulsets-common';
import { UndoData } from '@multicluster/backstage-plugin-statefulsets-node';
import { iso, RunContext, StepResult } from '../runContext';
import { StepHandler, StepServices } from './types';

/** Moves one cluster's share to the others, in proportion to what they already get. */
export function redistribute(
  weights: Record<string, number>,
  drained: string,
): Record<string, number> {
  const others = Object.keys(weights)
    .filter(c => c !== drained)
    .sort();
  const next: Record<string, number> = { [drained]: 0 };
  if (others.length === 0) return { ...weights };
  const otherTotal = others.reduce((a, c) => a + (weights[c] ?? 0), 0);
  let assigned = 0;
  others.forEach((c, i) => {
    const share =
      otherTotal > 0
        ? Math.floor((100 * (weights[c] ?? 0)) / otherTotal)
        : Math.floor(100 / others.length);
    next[c] = share;
    assigned += share;
    if (i === others.length - 1) next[c] += 100 - assigned;
  });
  return next;
}

/** Whether every cluster listed is the run's old source, and that source is fenced. */
export function onlyFencedOldSource(
  ctx: RunContext,
  clusters: string[],
): boolean {
  const source = ctx.source?.cluster;
  if (!source || clusters.some(c => c !== source)) return false;
  const fenced = ctx.run.steps.find(
    s => s.kind === 'fence' || s.kind === 'fence-old-source',
  );
  return fenced?.status === 'succeeded' || fenced?.status === 'deferred';
}

/** A deferred move of the route copies in clusters that did not answer. */
async function moveRouteLater(
  ctx: RunContext,
  step: FailoverRunStep,
  services: StepServices,
): Promise<StepResult> {
  const unreachable =
    (step.outcome as { unreachable?: string[] } | undefined)?.unreachable ?? [];
  const change = await ctx.router.moveTraffic(
    ctx.route,
    ctx.source?.cluster,
    ctx.target.cluster,
    { onlyClusters: unreachable },
  );
  if (change.unreachable.length) {
    return {
      status: 'deferred',
      outcome: { ...step.outcome, unreachable: change.unreachable },
    };
  }
  return { outcome: { movedAt: iso(services.now()) } };
}

/** Sets the route's weights back to what the step read before it wrote. */
async function restoreWeights(
  ctx: RunContext,
  step: FailoverRunStep,
): Promise<void> {
  const outcome = step.outcome as UndoData | undefined;
  const inputs = step.inputs as UndoData | undefined;
  if (!inputs?.weights) {
    // Nothing was read, so nothing was written.
    if (outcome?.undo) {
      await ctx.router.restore(ctx.route, outcome.undo as UndoData);
    }
    return;
  }
  const change = await ctx.router.setWeights(
    ctx.route,
    inputs.weights as Record<string, number>,
  );
  if (change.unreachable.length) {
    throw new Error(
      `the route could not be restored in ${change.unreachable.join(
        ', ',
      )}: set its weights back to ${JSON.stringify(inputs.weights)}`,
    );
  }
}

/** Weights: the source's share to the target. */
export const fenceTraffic: StepHandler = {
  async perform(ctx, _step, record, _services) {
    const { run, source, target, router, route } = ctx;
    const { weights } = (await record({
      weights: await router.readWeights(route),
    })) as { weights: Record<string, number> };
    const next = { ...weights };
    const share = next[source!.cluster] ?? 0;
    next[source!.cluster] = 0;
    next[target.cluster] = (next[target.cluster] ?? 0) + share;
    const change = await router.setWeights(route, next);
    // In an emergency the copies of the route in clusters that are down
    // (the source's own, typically) are repaired with the deferred fence.
    if (change.unreachable.length && run.mode !== 'failover') {
      throw new Error(
        `the route could not be changed in ${change.unreachable.join(', ')}`,
      );
    }
    return {
      outcome: {
        undo: change.undo,
        weights: next,
        unreachable: change.unreachable,
      },
    };
  },
  compensate: restoreWeights,
};

/** Points the route at the new primary. */
export const moveTraffic: StepHandler = {
  async perform(ctx, _step, record, _services) {
    const { run, source, target, router, route } = ctx;
    const steps = run.steps;
    if (router.id === 'none') {
      return {
        status: 'skipped',
        outcome: {
          warning:
            'no traffic route: clients must be redirected to the new primary by hand',
        },
      };
    }
    const weights = await router.readWeights(route);
    await record({ weights });
    const change = await router.moveTraffic(
      route,
      source?.cluster,
      target.cluster,
    );
    // Only a pending deferred fence repairs the route later.
    const repairedLater =
      run.mode === 'failover' &&
      steps.find(s => s.kind === 'fence-old-source')?.status === 'deferred';
    if (
      change.unreachable.length &&
      !repairedLater &&
      onlyFencedOldSource(ctx, change.unreachable)
    ) {
      // The old source is fenced and its cluster does not answer: its
      // copy of the route reaches nothing that takes writes, and is
      // moved when the cluster answers again.
      return {
        status: 'deferred',
        outcome: {
          undo: change.undo,
          unreachable: change.unreachable,
          reason: `${
            source!.cluster
          } did not answer: its copy of the route is moved to ${
            target.cluster
          } as soon as it does (the fenced old primary takes no writes meanwhile)`,
        },
      };
    }
    if (change.unreachable.length && !repairedLater) {
      throw new Error(
        `the route could not be changed in ${change.unreachable.join(', ')}`,
      );
    }
    return {
      outcome: { undo: change.undo, unreachable: change.unreachable },
    };
  },
  finishDeferred: (ctx, step, services) => moveRouteLater(ctx, step, services),
  deferredDone: target => `its copy of the route was moved to ${target}`,
  attention: ({ tgt, route }) =>
    `${tgt} is promoted but traffic was not moved: point ${route} at ${tgt} (weight 100) in every cluster holding it, or redirect clients by hand.`,
};

/** Takes one cluster out of the route. */
export const drainTraffic: StepHandler = {
  async perform(ctx, _step, record, _services) {
    const { target, router, route } = ctx;
    const { weights } = (await record({
      weights: await router.readWeights(route),
    })) as { weights: Record<string, number> };
    const next = redistribute(weights, target.cluster);
    const change = await router.setWeights(route, next);
    if (change.unreachable.length) {
      throw new Error(
        `the route could not be changed in ${change.unreachable.join(', ')}`,
      );
    }
    return { outcome: { undo: change.undo, weights: next } };
  },
  compensate: restoreWeights,
};
