/*
 * The recent replication lag of each link, kept in this backend replica's
 * memory for links whose lag no Prometheus remembers. A sample is taken
 * whenever the topology service computes an entity's topology, at most one
 * per link every `minIntervalMs` (10 s), so a link holds at most a day of
 * samples (8640). Each link is a ring buffer of two typed arrays (time as a
 * float64, lag as a float32 with NaN for an unknown lag): 12 bytes a sample,
 * about 104 kB for a full day. At most `maxLinks` links (200, about 21 MB)
 * are kept in all; a new link beyond that evicts the entity viewed least
 * recently. Replicas keep their own samples: a replica only has the history
 * of the entities it computed, since it began to.
 */
import { Config } from '@backstage/config';
import { ReplicationLink } from '@multicluster/backstage-plugin-statefulsets-common';

/** One lag reading: milliseconds since the epoch, seconds behind (null: unknown). */
export interface LagSample {
  t: number;
  lagSeconds: number | null;
}

/** The identity of a link: which workload replicates from where to where. */
export type LinkKey = Pick<ReplicationLink, 'from' | 'to' | 'workload'>;

/** Options of `LagHistory.create`. */
export interface LagHistoryOptions {
  /** Fewest milliseconds between two samples of a link (default 10 s). */
  minIntervalMs?: number;
  /** How long samples are kept (default one day). */
  retentionMs?: number;
  /** Most links kept across all entities (default 200). */
  maxLinks?: number;
  /** Milliseconds since the epoch (default Date.now). */
  now?: () => number;
}

/** Default of `maxLinks`: about 21 MB when every link holds a full day. */
export const DEFAULT_LAG_HISTORY_MAX_LINKS = 200;
const DAY_MS = 24 * 60 * 60 * 1000;
const INITIAL_CAPACITY = 64;

/** A growable ring buffer of samples, never longer than `max`. */
class SampleRing {
  #times = new Float64Array(INITIAL_CAPACITY);
  #lags = new Float32Array(INITIAL_CAPACITY);
  #start = 0;
  #count = 0;

  constructor(readonly max: number) {}

  get size(): number {
    return this.#count;
  }

  get last(): number | undefined {
    if (this.#count === 0) return undefined;
    return this.#times[(this.#start + this.#count - 1) % this.#times.length];
  }

  push(t: number, lag: number | null): void {
    if (this.#count === this.#times.length && this.#count < this.max) {
      this.#grow(Math.min(this.max, this.#times.length * 2));
    }
    const capacity = this.#times.length;
    const value = lag === null || !Number.isFinite(lag) ? NaN : lag;
    if (this.#count < capacity) {
      const at = (this.#start + this.#count) % capacity;
      this.#times[at] = t;
      this.#lags[at] = value;
      this.#count += 1;
      return;
    }
    // Full at its bound: the oldest sample gives way.
    this.#times[this.#start] = t;
    this.#lags[this.#start] = value;
    this.#start = (this.#start + 1) % capacity;
  }

  /** The samples at or after `since`, oldest first. */
  since(since: number): LagSample[] {
    const out: LagSample[] = [];
    const capacity = this.#times.length;
    for (let i = 0; i < this.#count; i++) {
      const at = (this.#start + i) % capacity;
      const t = this.#times[at];
      if (t < since) continue;
      const lag = this.#lags[at];
      // float32 keeps about 7 digits: round off the noise it adds.
      out.push({
        t,
        lagSeconds: Number.isNaN(lag) ? null : Math.round(lag * 1000) / 1000,
      });
    }
    return out;
  }

  #grow(capacity: number): void {
    const times = new Float64Array(capacity);
    const lags = new Float32Array(capacity);
    for (let i = 0; i < this.#count; i++) {
      const at = (this.#start + i) % this.#times.length;
      times[i] = this.#times[at];
      lags[i] = this.#lags[at];
    }
    this.#times = times;
    this.#lags = lags;
    this.#start = 0;
  }
}

interface EntityHistory {
  links: Map<string, SampleRing>;
  lastViewed: number;
}

const keyOf = (link: LinkKey) =>
  JSON.stringify([link.workload, link.from, link.to]);

/**
 * Keeps the largest lag of each bucket of `bucketMs`, so a day fits in a few
 * hundred points without hiding a peak over the threshold. An unknown lag
 * counts only where the whole bucket is unknown.
 */
export function downsample(
  samples: LagSample[],
  bucketMs: number,
): LagSample[] {
  if (bucketMs <= 0) return samples;
  const out: LagSample[] = [];
  let bucket: number | undefined;
  for (const sample of samples) {
    const b = Math.floor(sample.t / bucketMs);
    const current = out[out.length - 1];
    if (b !== bucket || !current) {
      bucket = b;
      out.push({ ...sample });
      continue;
    }
    if (
      sample.lagSeconds !== null &&
      (current.lagSeconds === null || sample.lagSeconds > current.lagSeconds)
    ) {
      current.lagSeconds = sample.lagSeconds;
      current.t = sample.t;
    }
  }
  return out;
}

/** Bounded in-memory lag samples per entity and link. */
export class LagHistory {
  readonly #minIntervalMs: number;
  readonly #retentionMs: number;
  readonly #maxLinks: number;
  readonly #perLink: number;
  readonly #now: () => number;
  readonly #entities = new Map<string, EntityHistory>();
  #linkCount = 0;

  private constructor(options: LagHistoryOptions) {
    this.#minIntervalMs = options.minIntervalMs ?? 10_000;
    this.#retentionMs = options.retentionMs ?? DAY_MS;
    this.#maxLinks = options.maxLinks ?? DEFAULT_LAG_HISTORY_MAX_LINKS;
    if (!(this.#maxLinks >= 1) || !(this.#minIntervalMs > 0)) {
      throw new Error(
        'The lag history needs maxLinks of at least 1 and a positive minIntervalMs',
      );
    }
    this.#perLink = Math.ceil(this.#retentionMs / this.#minIntervalMs);
    this.#now = options.now ?? Date.now;
  }

  /** Creates an empty history. */
  static create(options: LagHistoryOptions = {}): LagHistory {
    return new LagHistory(options);
  }

  /** Fewest seconds between two samples of a link. */
  get sampleIntervalSeconds(): number {
    return this.#minIntervalMs / 1000;
  }

  /** Most samples one link holds. */
  get samplesPerLink(): number {
    return this.#perLink;
  }

  /** Links held now, across all entities. */
  get linkCount(): number {
    return this.#linkCount;
  }

  /**
   * Takes a sample of each link of an entity's topology, unless the link's
   * last one is younger than the minimum interval. Links without a sample
   * for longer than the retention are forgotten.
   */
  record(entityRef: string, links: ReplicationLink[]): void {
    const now = this.#now();
    let entity = this.#entities.get(entityRef);
    if (!entity) {
      if (links.length === 0) return;
      entity = { links: new Map(), lastViewed: now };
      this.#entities.set(entityRef, entity);
    }
    for (const [key, ring] of entity.links) {
      if (now - (ring.last ?? 0) > this.#retentionMs) {
        entity.links.delete(key);
        this.#linkCount -= 1;
      }
    }
    for (const link of links) {
      const key = keyOf(link);
      let ring = entity.links.get(key);
      if (!ring) {
        if (!this.#makeRoom(entityRef)) break;
        ring = new SampleRing(this.#perLink);
        entity.links.set(key, ring);
        this.#linkCount += 1;
      }
      const last = ring.last;
      if (last !== undefined && now - last < this.#minIntervalMs) continue;
      ring.push(now, link.lagSeconds);
    }
    if (entity.links.size === 0) this.#entities.delete(entityRef);
  }

  /**
   * The samples of a link at or after `since`, oldest first, with at most
   * one per `bucketMs` when given (see `downsample`). Counts as a view of the
   * entity, which keeps it from eviction.
   */
  read(
    entityRef: string,
    link: LinkKey,
    options: { since: number; bucketMs?: number },
  ): LagSample[] {
    const entity = this.#entities.get(entityRef);
    if (!entity) return [];
    entity.lastViewed = this.#now();
    const samples = entity.links.get(keyOf(link))?.since(options.since) ?? [];
    return options.bucketMs ? downsample(samples, options.bucketMs) : samples;
  }

  /**
   * Frees a link's place by evicting the entities viewed least recently
   * (never `keep`); false when `keep` alone fills the bound.
   */
  #makeRoom(keep: string): boolean {
    while (this.#linkCount >= this.#maxLinks) {
      let oldest: [string, EntityHistory] | undefined;
      for (const entry of this.#entities) {
        if (entry[0] === keep) continue;
        if (!oldest || entry[1].lastViewed < oldest[1].lastViewed) {
          oldest = entry;
        }
      }
      if (!oldest) return false;
      this.#entities.delete(oldest[0]);
      this.#linkCount -= oldest[1].links.size;
    }
    return true;
  }
}

/** Reads `multiclusterStatefulsets.lagHistory`; throws naming the key on a bad value. */
export function readLagHistoryOptions(config: Config): LagHistoryOptions {
  const maxLinks = config.getOptionalNumber(
    'multiclusterStatefulsets.lagHistory.maxLinks',
  );
  if (
    maxLinks !== undefined &&
    !(Number.isInteger(maxLinks) && maxLinks >= 1)
  ) {
    throw new Error(
      `multiclusterStatefulsets.lagHistory.maxLinks must be a whole number of at least 1, not ${maxLinks}`,
    );
  }
  return { maxLinks };
}
