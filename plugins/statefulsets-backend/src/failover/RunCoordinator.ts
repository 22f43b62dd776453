/*
 * The run coordinator: which runs this engine executes and under what
 * lease. It takes a run's lease, keeps it alive while the executor works,
 * gives it up at the end, and picks up runs whose engine died (lease free
 * or expired) — at start-up, and then from a scheduled task of Backstage's
 * scheduler, until the engine stops.
 */
import { LoggerService, SchedulerService } from '@backstage/backend-plugin-api';
import { DatabaseFailoverStore, LeaseLostError } from './DatabaseFailoverStore';
import { message, StepAborted } from './runContext';
import { RunExecutor } from './RunExecutor';

/** The id of the scheduled task that looks for runs whose lease ran out. */
export const RESUME_TASK_ID = 'multicluster-statefulsets-failover-resume';

/** Leases, heartbeats and resumption of failover runs. */
export class RunCoordinator {
  readonly #store: DatabaseFailoverStore;
  readonly #executor: RunExecutor;
  readonly #logger: LoggerService;
  readonly #scheduler?: SchedulerService;
  readonly #owner: string;
  readonly #leaseMs: number;
  readonly #running = new Map<string, Promise<void>>();
  readonly #stopped = new AbortController();
  #lookingAgain = false;

  constructor(options: {
    store: DatabaseFailoverStore;
    executor: RunExecutor;
    logger: LoggerService;
    /** Drives the look for runs whose lease ran out; without it only `resumeInterrupted()` looks. */
    scheduler?: SchedulerService;
    /** This engine's identity in leases. */
    owner: string;
    leaseMs: number;
  }) {
    this.#store = options.store;
    this.#executor = options.executor;
    this.#logger = options.logger;
    this.#scheduler = options.scheduler;
    this.#owner = options.owner;
    this.#leaseMs = options.leaseMs;
  }

  /** Aborted when the engine stops. */
  get signal(): AbortSignal {
    return this.#stopped.signal;
  }

  /** Resolves when the run is no longer executing in this engine. */
  async waitForRun(runId: string): Promise<void> {
    await this.#running.get(runId);
  }

  /**
   * Picks up the runs whose lease is free or expired and waits for them;
   * from then on a scheduled task looks again, until `stop()`.
   */
  async resumeInterrupted(): Promise<string[]> {
    const ids = await this.#resumeExpired();
    await this.#scheduleLookAgain();
    await Promise.all(ids.map(id => this.#running.get(id)));
    return ids;
  }

  /** Stops executing: in-flight waits abort, leases are released so another engine may resume. */
  async stop(): Promise<void> {
    this.#stopped.abort(new StepAborted());
    await Promise.all([...this.#running.values()]);
  }

  /** Executes a run in the background unless this engine executes it already. */
  launch(runId: string, resume: boolean): void {
    if (this.#running.has(runId)) return;
    const p = this.#hold(runId, resume)
      .catch(err =>
        this.#logger.error(`Failover run ${runId} crashed: ${message(err)}`),
      )
      .finally(() => this.#running.delete(runId));
    this.#running.set(runId, p);
  }

  async #resumeExpired(): Promise<string[]> {
    if (this.#stopped.signal.aborted) return [];
    const ids = await this.#store.listResumable();
    for (const id of ids) this.launch(id, true);
    return ids;
  }

  /**
   * A backend restarted within the lease of the one that died (Kubernetes
   * restarts a killed container in seconds), or a replica whose peer died
   * for good, finds the run still leased: it must look again once that
   * lease ran out, not only at its next start. Every replica looks (local
   * scope): taking the lease in the database decides which one resumes a
   * run, and a replica must not depend on another being alive to look. A
   * fifth of a lease between looks resumes a dead engine's run at most that
   * long after its lease expired, for one small query per look.
   */
  async #scheduleLookAgain(): Promise<void> {
    if (!this.#scheduler || this.#lookingAgain) return;
    if (this.#stopped.signal.aborted) return;
    this.#lookingAgain = true;
    const every = {
      milliseconds: Math.max(100, Math.floor(this.#leaseMs / 5)),
    };
    await this.#scheduler.scheduleTask({
      id: RESUME_TASK_ID,
      scope: 'local',
      frequency: every,
      initialDelay: every,
      timeout: { milliseconds: this.#leaseMs },
      signal: this.#stopped.signal,
      fn: async () => {
        await this.#resumeExpired().catch(err =>
          this.#logger.warn(
            `Looking for interrupted failover runs failed: ${message(err)}`,
          ),
        );
      },
    });
  }

  /** Holds the run's lease while the executor works on it. */
  async #hold(runId: string, resume: boolean): Promise<void> {
    if (this.#stopped.signal.aborted) return;
    const lease = await this.#store.claim(runId, this.#owner, this.#leaseMs);
    if (!lease) return;
    // Stops this run when the engine stops or when the lease is lost (this
    // engine was presumed dead and another took over): the database refuses
    // our writes from then on anyway, this only stops the waits sooner.
    const run = new AbortController();
    const onStop = () => run.abort(new StepAborted());
    this.#stopped.signal.addEventListener('abort', onStop, { once: true });
    // The heartbeat stays a timer of this run, not a scheduled task: it
    // renews a lease only this process holds, must beat every third of a
    // lease from the moment the lease is taken, and lives exactly as long as
    // the run executes here. The scheduler has no tasks of that lifetime:
    // every task it was given stays registered (and listed) for the life of
    // the plugin, so a task per run would pile up, and a global one could
    // beat on another replica.
    let renewedAt = performance.now();
    const heartbeat = setInterval(() => {
      this.#store
        .renew(lease, this.#leaseMs)
        .then(held => {
          if (held) {
            renewedAt = performance.now();
            return;
          }
          run.abort(new LeaseLostError(runId, 'the heartbeat was refused'));
        })
        .catch(err => {
          this.#logger.warn(
            `Renewing the lease of failover run ${runId} failed: ${message(
              err,
            )}`,
          );
          // Without a renewal for a whole lease, another engine may own
          // the run by now: stop rather than guess.
          if (performance.now() - renewedAt >= this.#leaseMs) {
            run.abort(
              new LeaseLostError(runId, 'no renewal succeeded for a lease'),
            );
          }
        });
    }, Math.max(50, Math.floor(this.#leaseMs / 3)));
    heartbeat.unref?.();
    try {
      await this.#executor.execute(lease, resume, run.signal);
    } catch (err) {
      if (err instanceof LeaseLostError) {
        this.#logger.warn(message(err));
      } else if (!(err instanceof StepAborted)) {
        throw err;
      }
    } finally {
      clearInterval(heartbeat);
      this.#stopped.signal.removeEventListener('abort', onStop);
      await this.#store.release(lease).catch(() => undefined);
    }
  }
}
