/*
 * The bounded per-cluster event log watches resume from. Upstream keeps a
 * window of recent events in the watch cache; a resourceVersion older than
 * the window gets `410 Gone`, which clients answer with a fresh list.
 */

/** What an event log entry holds. */
export interface HistoryEntry<T> {
  rv: number;
  value: T;
}

/** A ring buffer of events ordered by resourceVersion. */
export class WatchHistory<T> {
  #buf: Array<HistoryEntry<T> | undefined>;
  #start = 0;
  #size = 0;
  /** The resourceVersion before the oldest retained event. */
  #floor = 0;

  constructor(readonly capacity: number) {
    this.#buf = new Array(Math.max(1, capacity));
  }

  /** Appends an event; the oldest one drops out when full. */
  push(rv: number, value: T): void {
    const cap = this.#buf.length;
    if (this.#size === cap) {
      this.#floor = this.#buf[this.#start]!.rv;
      this.#buf[this.#start] = { rv, value };
      this.#start = (this.#start + 1) % cap;
    } else {
      this.#buf[(this.#start + this.#size) % cap] = { rv, value };
      this.#size++;
    }
  }

  /** Forgets everything up to `rv` (what etcd compaction does). */
  compact(rv: number): void {
    while (this.#size > 0 && this.#buf[this.#start]!.rv <= rv) {
      this.#floor = this.#buf[this.#start]!.rv;
      this.#buf[this.#start] = undefined;
      this.#start = (this.#start + 1) % this.#buf.length;
      this.#size--;
    }
    this.#floor = Math.max(this.#floor, rv);
  }

  /**
   * Events after `rv`, or undefined when some of them were already dropped
   * (the caller answers 410 Gone).
   */
  since(rv: number): T[] | undefined {
    if (rv < this.#floor) return undefined;
    const out: T[] = [];
    for (let i = 0; i < this.#size; i++) {
      const e = this.#buf[(this.#start + i) % this.#buf.length]!;
      if (e.rv > rv) out.push(e.value);
    }
    return out;
  }

  /** The oldest resourceVersion a watch can still start from. */
  get floor(): number {
    return this.#floor;
  }
}
