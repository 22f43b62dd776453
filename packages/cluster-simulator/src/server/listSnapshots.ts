/*
 * Consistent paged lists. kube-apiserver reads every page of a list at the
 * resourceVersion of the first page (etcd keeps old revisions until it
 * compacts them), so a client paging with limit/continue sees one snapshot
 * even while objects change. The simulator keeps the first page's matching
 * objects, keyed by an id carried in the continue token, for as long as a
 * real cluster would keep the revision (compaction every five minutes), and
 * answers 410 Expired after that, as kube-apiserver does.
 */
import { randomUUID } from 'node:crypto';
import type { KubeObject } from '../controllers/types';
import { ApiError, badRequest } from '../api/status';

interface Snapshot {
  items: KubeObject[];
  resourceVersion: string;
  takenAt: number;
}

interface Token {
  id: string;
  rv: string;
  start: string;
}

/** kube-apiserver's words when the revision of a continue token is gone. */
export const EXPIRED_CONTINUE_MESSAGE =
  'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter.';

/** The pages of the lists being read, bounded in count and age. */
export class ListSnapshots {
  #snapshots = new Map<string, Snapshot>();
  #now: () => number;
  #maxAgeMs: number;
  #maxCount: number;

  constructor(opts: {
    now: () => number;
    maxAgeMs?: number;
    maxCount?: number;
  }) {
    this.#now = opts.now;
    this.#maxAgeMs = opts.maxAgeMs ?? 5 * 60_000;
    this.#maxCount = opts.maxCount ?? 64;
  }

  /**
   * One page of a list. Without a continue token `all` (sorted, already
   * filtered) is the list; with one, the snapshot the token names is.
   */
  page(
    all: () => KubeObject[],
    currentRv: string,
    limit: number,
    cont: string | null,
    keyOf: (o: KubeObject) => string,
  ): {
    items: KubeObject[];
    resourceVersion: string;
    next?: string;
    remaining?: number;
  } {
    this.#expire();
    let snap: Snapshot;
    let id: string;
    let items: KubeObject[];
    if (cont) {
      const token = decode(cont);
      const found = this.#snapshots.get(token.id);
      if (!found || found.resourceVersion !== token.rv)
        throw new ApiError(410, 'Expired', EXPIRED_CONTINUE_MESSAGE);
      snap = found;
      id = token.id;
      items = snap.items.filter(o => keyOf(o) > token.start);
    } else {
      items = all();
      snap = { items, resourceVersion: currentRv, takenAt: this.#now() };
      id = '';
    }
    if (!(limit > 0) || items.length <= limit) {
      // The last page: nobody will ask for this snapshot again.
      if (id) this.#snapshots.delete(id);
      return { items, resourceVersion: snap.resourceVersion };
    }
    if (!id) {
      id = randomUUID();
      this.#snapshots.set(id, snap);
      while (this.#snapshots.size > this.#maxCount)
        this.#snapshots.delete(this.#snapshots.keys().next().value!);
    }
    const page = items.slice(0, limit);
    const next = encode({
      id,
      rv: snap.resourceVersion,
      start: keyOf(page[page.length - 1]),
    });
    return {
      items: page,
      resourceVersion: snap.resourceVersion,
      next,
      remaining: items.length - limit,
    };
  }

  /** Number of snapshots held (for tests). */
  get size(): number {
    return this.#snapshots.size;
  }

  #expire(): void {
    const oldest = this.#now() - this.#maxAgeMs;
    for (const [id, s] of this.#snapshots)
      if (s.takenAt < oldest) this.#snapshots.delete(id);
  }
}

function encode(t: Token): string {
  return Buffer.from(JSON.stringify(t)).toString('base64url');
}

function decode(cont: string): Token {
  try {
    const t = JSON.parse(Buffer.from(cont, 'base64url').toString());
    if (
      typeof t?.id === 'string' &&
      typeof t.rv === 'string' &&
      typeof t.start === 'string'
    )
      return t;
  } catch {
    // fall through to the error below
  }
  throw badRequest(
    'invalid continue token: pass the metadata.continue of the previous page unchanged',
  );
}
