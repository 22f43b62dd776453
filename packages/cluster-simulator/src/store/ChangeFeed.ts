/*
 * The change stream of one store: the resourceVersion counter every write
 * bumps, the bounded history watches resume from, and the live listeners.
 */
import type { KubeObject } from '../controllers/types';
import { WatchHistory } from './WatchHistory';

/** A change to one object, as watches deliver it. */
export interface StoreEvent {
  type: 'ADDED' | 'MODIFIED' | 'DELETED';
  rv: number;
  groupKind: string;
  object: KubeObject;
  /** The object before the change (MODIFIED only). */
  old?: KubeObject;
}

/** One store's resourceVersions and change events. */
export class ChangeFeed {
  #rv = 1;
  #history: WatchHistory<StoreEvent>;
  #listeners = new Set<(e: StoreEvent) => void>();

  constructor(historySize: number) {
    this.#history = new WatchHistory(historySize);
  }

  /** The latest resourceVersion handed out. */
  get resourceVersion(): number {
    return this.#rv;
  }

  /** Hands out the next resourceVersion. */
  nextRv(): number {
    this.#rv += 1;
    return this.#rv;
  }

  /** Records a change at the current resourceVersion and tells every listener. */
  publish(
    type: StoreEvent['type'],
    groupKind: string,
    object: KubeObject,
    old?: KubeObject,
  ): void {
    const e: StoreEvent = {
      type,
      rv: this.#rv,
      groupKind,
      object,
      ...(old ? { old } : {}),
    };
    this.#history.push(e.rv, e);
    for (const l of this.#listeners) l(e);
  }

  /** Registers a listener for every change; returns the unsubscribe function. */
  subscribe(fn: (e: StoreEvent) => void): () => void {
    this.#listeners.add(fn);
    return () => this.#listeners.delete(fn);
  }

  /** Events after `rv`, or undefined when too old (410 Gone). */
  eventsSince(rv: number): StoreEvent[] | undefined {
    return this.#history.since(rv);
  }

  /** Drops the history up to now, so older resourceVersions get 410. */
  compact(): void {
    this.#history.compact(this.#rv);
  }

  /**
   * Continues from restored objects' resourceVersion; their history is gone,
   * so watches from before it get 410.
   */
  restoreTo(rv: number): void {
    this.#rv = rv;
    this.#history.compact(rv);
  }
}
