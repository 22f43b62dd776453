/*
 * Undoing what a run did before its promotion: each touched step, the last
 * first, through its change journal (the recorded fields put back, cluster
 * by cluster at once; the source's fence through the provider's unfence).
 * A change in a cluster that does not answer stays pending, repaired later
 * by the deferred task; any other failure is for a human.
 */
import {
  FailoverChange,
  FailoverRunDetails,
  FailoverRunStep,
} from '@multicluster/backstage-plugin-statefulsets-common';
import { UndoData } from '@multicluster/backstage-plugin-statefulsets-node';
import { effective, isUnreachable, undoChange } from './changeJournal';
import {
  DatabaseFailoverStore,
  LeaseLostError,
  RunUpdate,
} from './DatabaseFailoverStore';
import { objectPath } from './kubePaths';
import {
  beforePromotion,
  iso,
  message,
  RunContext,
  stopReason,
} from './runContext';
import { STEP_HANDLERS } from './steps';

/** What undoing one step's journal came to. */
export interface UndoResult {
  compensation: FailoverRunStep['compensation'];
  /** Changes that could not be restored, for a human. */
  problems: string[];
  /** Changes left for when their cluster answers again. */
  pending: string[];
}

/** Rolls runs back and undoes steps' journaled changes. */
export class RunCompensation {
  readonly #store: DatabaseFailoverStore;
  readonly #now: () => number;

  constructor(options: { store: DatabaseFailoverStore; now: () => number }) {
    this.#store = options.store;
    this.#now = options.now;
  }

  /**
   * Undoes every step before promotion that acted and is not undone yet;
   * returns the run's final status and what to tell about it.
   */
  async rollback(ctx: RunContext, reason: string): Promise<RunUpdate> {
    const { run } = ctx;
    const problems: string[] = [];
    const pending: string[] = [];
    for (const step of touchedBeforePromotion(run)) {
      // A fence still waiting for the source must not be applied to the
      // primary the rollback leaves in place.
      const cancelled = step.status === 'deferred';
      if (cancelled) step.status = 'skipped';
      const skipped = cancelled ? { status: 'skipped' as const } : {};
      if (step.changes !== undefined) {
        const result = await this.undoJournaled(ctx, step);
        step.compensation = result.compensation;
        problems.push(...result.problems);
        pending.push(...result.pending);
        await this.#store.updateStep(ctx.lease, step.index, {
          compensation: result.compensation,
          changes: step.changes,
          ...(result.problems.length
            ? { compensationError: result.problems.join('; ') }
            : {}),
          ...skipped,
        });
        continue;
      }
      // A step journaled before writes were recorded: undone as a whole.
      try {
        await STEP_HANDLERS[step.kind].compensate?.(ctx, step);
        step.compensation = 'compensated';
        await this.#store.updateStep(ctx.lease, step.index, {
          compensation: 'compensated',
          ...skipped,
        });
      } catch (err) {
        if (err instanceof LeaseLostError) throw err;
        if (ctx.call.signal?.aborted) throw stopReason(ctx.call.signal);
        problems.push(`${step.title}: ${message(err)}`);
        await this.#store.updateStep(ctx.lease, step.index, {
          compensation: 'failed',
          compensationError: message(err),
        });
      }
    }
    return {
      finishedAt: iso(this.#now()),
      error: reason,
      ...rollbackVerdict(problems, pending),
    };
  }

  /** Journals that a promotion that did not take was undone. */
  async promotionUndone(ctx: RunContext, step: FailoverRunStep): Promise<void> {
    if (step.changes === undefined) return;
    for (const c of effective(step.changes)) {
      c.undo = 'undone';
      c.undoneAt = iso(this.#now());
    }
    step.compensation = 'compensated';
    await this.#store.updateStep(ctx.lease, step.index, {
      compensation: 'compensated',
      changes: step.changes,
    });
  }

  /**
   * Undoes the journaled changes of one step (those not undone yet), the
   * last first. A change in a cluster that does not answer stays pending;
   * any other failure is a problem for a human.
   */
  async undoJournaled(
    ctx: RunContext,
    step: FailoverRunStep,
  ): Promise<UndoResult> {
    const problems: string[] = [];
    const pending: string[] = [];
    const open = effective(step.changes).filter(
      c => c.undo !== 'undone' && c.undo !== 'not-needed',
    );
    for (const c of step.changes ?? []) {
      if (c.state === 'refused' && !c.undo) c.undo = 'not-needed';
    }
    if (open.length === 0) {
      const anyUndone = (step.changes ?? []).some(c => c.undo === 'undone');
      return {
        compensation: anyUndone ? 'compensated' : 'not-needed',
        problems,
        pending,
      };
    }
    const mark = (changes: FailoverChange[], err: unknown | undefined) => {
      for (const c of changes) {
        if (err === undefined) {
          c.undo = 'undone';
          c.undoneAt = iso(this.#now());
          delete c.undoError;
        } else {
          c.undo = isUnreachable(err) ? 'pending' : 'failed';
          c.undoError = message(err);
        }
      }
      if (err === undefined) return;
      const what = [
        ...new Set(changes.map(c => `${c.object} in ${c.cluster}`)),
      ].join(', ');
      if (isUnreachable(err)) {
        pending.push(`${step.title}: ${what}`);
      } else {
        problems.push(
          `${step.title}: ${what} could not be restored (${message(err)})`,
        );
      }
    };
    const attempt = async (
      changes: FailoverChange[],
      undo: () => Promise<void>,
    ): Promise<void> => {
      try {
        await undo();
        mark(changes, undefined);
      } catch (err) {
        if (err instanceof LeaseLostError) throw err;
        if (ctx.call.signal?.aborted) throw stopReason(ctx.call.signal);
        mark(changes, err);
      }
    };
    const source = ctx.source;
    const onSource = (c: FailoverChange) =>
      !!source &&
      c.cluster === source.cluster &&
      c.path === objectPath(source.workload);
    const fences =
      (step.kind === 'fence' || step.kind === 'fence-old-source') &&
      ctx.provider
        ? open.filter(onSource)
        : [];
    const others = open.filter(c => !fences.includes(c));
    // Cluster by cluster at once, so a cluster that hangs does not delay
    // giving the others back; within a cluster, the last change first.
    const clusters = [...new Set(others.map(c => c.cluster))];
    await Promise.all(
      clusters.map(async cluster => {
        const client = ctx.route.clients.find(c => c.cluster === cluster);
        for (const change of others
          .filter(c => c.cluster === cluster)
          .reverse()) {
          if (!client) {
            mark([change], new Error(`no client for ${cluster}`));
            continue;
          }
          await attempt([change], () => undoChange(client, change));
        }
      }),
    );
    if (fences.length) {
      // The provider knows how its fence is undone (a CloudNativePG
      // demotion is not reverted by restoring fields).
      const undo = ((step.outcome?.undo as UndoData) ?? {}) as UndoData;
      await attempt(fences, () =>
        ctx.provider!.unfence(source!, undo, ctx.call),
      );
    }
    let compensation: FailoverRunStep['compensation'] = 'compensated';
    if (problems.length) compensation = 'failed';
    else if (pending.length) compensation = 'pending';
    return { compensation, problems, pending };
  }
}

/** The steps before promotion that acted and are not undone yet, the last first. */
function touchedBeforePromotion(run: FailoverRunDetails): FailoverRunStep[] {
  return run.steps
    .filter(
      s =>
        beforePromotion(run, s.index) &&
        s.status !== 'pending' &&
        s.compensation !== 'compensated' &&
        s.compensation !== 'not-needed',
    )
    .reverse();
}

/** A rollback's final status and note, from what it could not undo. */
function rollbackVerdict(problems: string[], pending: string[]): RunUpdate {
  if (problems.length) {
    const later = pending.length
      ? `. Repaired by the backend when the cluster answers again: ${pending.join(
          '; ',
        )}`
      : '';
    return {
      status: 'needs-attention',
      attention: `The rollback did not complete; undo by hand: ${problems.join(
        '; ',
      )}${later}`,
    };
  }
  if (pending.length) {
    return {
      status: 'rolled-back-with-pending-repair',
      attention: `Rolled back where the clusters answered. Pending, repaired by the backend as soon as the cluster answers again: ${pending.join(
        '; ',
      )}.`,
    };
  }
  return { status: 'rolled-back' };
}
