/*
 * Runs every controller over every cluster level-triggered: a debounced
 * round after changes (only the clusters that changed), a full round on a
 * periodic tick, and early rounds controllers ask for (readiness delays).
 * A controller that throws is logged and retried on the next round; it never
 * stops the others.
 */
import type { ClusterStore } from '../store/ClusterStore';
import type { Controller, ControllerContext } from './types';

/** What the runner needs from the world around it. */
export interface ControllerRunnerOptions {
  stores: ReadonlyMap<string, ClusterStore>;
  controllers: Controller[];
  now(): number;
  isPartitioned(from: string, to: string): boolean;
  isDown(cluster: string): boolean;
  replicationFor(cluster: string): Record<string, unknown> | undefined;
  debounceMs?: number;
  tickMs?: number;
  onError?(controller: string, cluster: string, error: unknown): void;
}

/** Schedules and runs reconcile rounds. */
export class ControllerRunner {
  #o: ControllerRunnerOptions;
  #dirty = new Set<string>();
  #debounce?: NodeJS.Timeout;
  #tick?: NodeJS.Timeout;
  #requeues = new Map<string, NodeJS.Timeout>();
  #unsubscribe: Array<() => void> = [];
  #running = false;
  #stopped = false;

  constructor(o: ControllerRunnerOptions) {
    this.#o = o;
  }

  /** Starts watching the stores and ticking. */
  start(): void {
    for (const [name, store] of this.#o.stores) {
      this.#unsubscribe.push(store.subscribe(() => this.#markDirty(name)));
    }
    this.#tick = setInterval(
      () => this.runRound([...this.#o.stores.keys()]),
      this.#o.tickMs ?? 500,
    );
    // The first round runs after start returns, so servers listen at once
    // even when a large world has thousands of pods to create.
    setImmediate(() => this.runRound([...this.#o.stores.keys()]));
  }

  /** Stops every timer. */
  stop(): void {
    this.#stopped = true;
    if (this.#tick) clearInterval(this.#tick);
    if (this.#debounce) clearTimeout(this.#debounce);
    for (const t of this.#requeues.values()) clearTimeout(t);
    this.#requeues.clear();
    for (const u of this.#unsubscribe) u();
  }

  #markDirty(name: string): void {
    if (this.#stopped) return;
    this.#dirty.add(name);
    if (this.#running || this.#debounce) return;
    this.#debounce = setTimeout(() => {
      this.#debounce = undefined;
      const names = [...this.#dirty];
      this.#dirty.clear();
      this.runRound(names);
    }, this.#o.debounceMs ?? 30);
  }

  #requeue(name: string, ms: number): void {
    if (this.#stopped || this.#requeues.has(name)) return;
    this.#requeues.set(
      name,
      setTimeout(() => {
        this.#requeues.delete(name);
        this.runRound([name]);
      }, Math.max(5, ms)),
    );
  }

  /** Runs every controller once over the named clusters. */
  runRound(names: string[]): void {
    if (this.#stopped) return;
    this.#running = true;
    try {
      const clusters = this.#o.stores as ReadonlyMap<string, ClusterStore>;
      for (const name of names) {
        const store = clusters.get(name);
        if (!store) continue;
        const ctx: ControllerContext = {
          cluster: store,
          clusters,
          now: this.#o.now,
          isPartitioned: this.#o.isPartitioned,
          isDown: this.#o.isDown,
          replication: this.#o.replicationFor(name),
          requeueAfter: ms => this.#requeue(name, ms),
        };
        for (const c of this.#o.controllers) {
          // Events name the controller that records them (`From` in describe).
          const component = c.name.endsWith('-controller')
            ? c.name
            : `${c.name}-controller`;
          try {
            c.reconcile({
              ...ctx,
              recordEvent: (involved, type, reason, message, from) =>
                store.recordEvent(
                  involved,
                  type,
                  reason,
                  message,
                  from ?? component,
                ),
            });
          } catch (e) {
            this.#o.onError?.(c.name, name, e);
          }
        }
      }
    } finally {
      this.#running = false;
    }
    if (this.#dirty.size && !this.#debounce) {
      const names2 = [...this.#dirty];
      this.#dirty.clear();
      for (const n of names2) this.#markDirty(n);
    }
  }
}
