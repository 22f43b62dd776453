/*
 * One emulated Kafka cluster as its clients see it: the state kept on its
 * first broker's claim, settled whenever how it is fed changed (a flow into
 * it started or stopped, the product fenced its producers), and its
 * offsets now, a mirrored cluster's read through its source.
 */
import type { PeerDirectory } from '../programs';
import {
  BrokerCluster,
  clusterByKey,
  holderOf,
  isStrimziKafka,
  KAFKA_STATE_ANNOTATION,
} from './brokers';
import { flowsInto } from './flows';
import {
  Feed,
  KafkaState,
  Offsets,
  SourceOffsets,
  initialState,
  offsetsAt,
  sameFeed,
  settle,
} from './state';

const MAX_CHAIN = 4;
const ROLE_ANNOTATION = 'multicluster-statefulsets/role';

/** How a cluster is fed now, from the flows into it and the product's fence. */
export function currentFeed(
  c: BrokerCluster,
  peers: PeerDirectory | undefined,
): { feed: Feed; source?: BrokerCluster; mirrored: boolean } {
  const flows = flowsInto(c, peers);
  const running = flows.find(f => f.running);
  if (running)
    return {
      feed: {
        kind: 'mirror',
        source: running.source!.key,
        alias: running.sourceAlias,
        syncGroups: running.syncGroups,
        checkpointMs: running.checkpointMs,
      },
      source: running.source,
      mirrored: true,
    };
  // A cluster MirrorMaker 2 is deployed to mirror into takes no client
  // writes, nor does one the product fenced (its producers were stopped).
  const fenced =
    c.workload.metadata.annotations?.[ROLE_ANNOTATION] === 'fenced';
  const mirrored = flows.some(f => f.deployed);
  if (mirrored || fenced) return { feed: { kind: 'idle' }, mirrored };
  return { feed: { kind: 'producers' }, mirrored };
}

function clusterIdOf(c: BrokerCluster): string {
  if (isStrimziKafka(c.workload)) return c.workload.status?.clusterId ?? c.key;
  for (const container of c.workload.spec?.template?.spec?.containers ?? []) {
    const id = (container.env ?? []).find(
      (e: any) =>
        e?.name === 'CLUSTER_ID' || e?.name === 'KAFKA_KRAFT_CLUSTER_ID',
    )?.value;
    if (typeof id === 'string') return id;
  }
  return c.key;
}

/** Reads and writes one cluster's state. */
export class KafkaCluster {
  constructor(
    readonly c: BrokerCluster,
    private readonly now: () => number,
    private readonly peers: PeerDirectory | undefined,
    private readonly depth = 0,
  ) {}

  private stored(): KafkaState | undefined {
    const text = holderOf(this.c).metadata.annotations?.[
      KAFKA_STATE_ANNOTATION
    ];
    return text ? (JSON.parse(text) as KafkaState) : undefined;
  }

  save(s: KafkaState): void {
    const holder = structuredClone(holderOf(this.c));
    holder.metadata.annotations = {
      ...holder.metadata.annotations,
      [KAFKA_STATE_ANNOTATION]: JSON.stringify(s),
    };
    this.c.store.update(holder);
  }

  private sourceOffsets(
    source: BrokerCluster | undefined,
  ): SourceOffsets | undefined {
    if (!source || this.depth >= MAX_CHAIN) return undefined;
    return new KafkaCluster(
      source,
      this.now,
      this.peers,
      this.depth + 1,
    ).offsets();
  }

  /** The offsets as stored (nothing settled or written), for exporters. */
  peek(): SourceOffsets | undefined {
    if (this.stored()) return this.peekOffsets(new Set());
    // Nothing read it yet: the state it would start with.
    const { feed, mirrored } = currentFeed(this.c, this.peers);
    const now = this.now();
    return offsetsAt(
      initialState(this.c.key, clusterIdOf(this.c), feed, now, !mirrored),
      now,
    );
  }

  /**
   * The offsets as the stored feeds have them, nothing settled: what a
   * source had under the feed that is ending (it may follow us by now).
   */
  private peekOffsets(seen: Set<string>): SourceOffsets | undefined {
    const s = this.stored();
    if (!s || seen.has(this.c.key) || seen.size >= MAX_CHAIN) return undefined;
    seen.add(this.c.key);
    const from = s.feed.kind === 'mirror' && this.sourceByKey(s.feed.source);
    const source = from
      ? new KafkaCluster(from, this.now, this.peers).peekOffsets(seen)
      : undefined;
    return offsetsAt(s, this.now(), source);
  }

  private sourceByKey(key: string): BrokerCluster | undefined {
    const cluster = key.split('/')[0];
    const store =
      cluster === this.c.store.name ? this.c.store : this.peers?.store(cluster);
    if (!store) return undefined;
    if (
      this.peers &&
      store !== this.c.store &&
      !this.peers.reachable(this.c.store.name, store.name)
    )
      return undefined;
    return clusterByKey(store, key);
  }

  /** The state, settled to the current feed (stored when that changed). */
  load(): KafkaState {
    const now = this.now();
    const { feed, mirrored } = currentFeed(this.c, this.peers);
    const s = this.stored();
    if (!s) {
      const fresh = initialState(
        this.c.key,
        clusterIdOf(this.c),
        feed,
        now,
        !mirrored,
      );
      this.save(fresh);
      return fresh;
    }
    if (sameFeed(s.feed, feed)) return s;
    const before =
      s.feed.kind === 'mirror' ? this.sourceByKey(s.feed.source) : undefined;
    const next = settle(
      s,
      now,
      feed,
      before
        ? new KafkaCluster(before, this.now, this.peers).peekOffsets(
            new Set([this.c.key]),
          )
        : undefined,
    );
    this.save(next);
    return next;
  }

  /**
   * The end and committed offsets now. What a mirror brought is stored as
   * it is read, so it stays when the source goes away.
   */
  offsets(): Offsets {
    const s = this.load();
    if (s.feed.kind !== 'mirror') return offsetsAt(s, this.now());
    const source = this.sourceOffsets(this.sourceByKey(s.feed.source));
    const at = offsetsAt(s, this.now(), source);
    const stored = Object.fromEntries(
      Object.entries(s.topics).map(([n, t]) => [n, t.ends]),
    );
    if (source && JSON.stringify(at.ends) !== JSON.stringify(stored))
      this.save(settle(s, this.now(), s.feed, source));
    return at;
  }

  /** Stores what a running mirror brought so far (before the reachability changes). */
  settleMirror(): void {
    const s = this.load();
    if (s.feed.kind !== 'mirror') return;
    const source = this.sourceOffsets(this.sourceByKey(s.feed.source));
    if (source) this.save(settle(s, this.now(), s.feed, source));
  }

  /** Appends records a client produced to one partition of a topic. */
  produce(topic: string, partition: number, records: number): void {
    const s = this.load();
    const source =
      s.feed.kind === 'mirror'
        ? this.sourceOffsets(this.sourceByKey(s.feed.source))
        : undefined;
    const next = settle(s, this.now(), s.feed, source);
    const t = next.topics[topic];
    t.ends[partition] = (t.ends[partition] ?? 0) + records;
    this.save(next);
  }

  /** Creates a topic (auto-creation on first produce). */
  createTopic(topic: string, partitions: number, id: string): void {
    const s = this.load();
    if (s.topics[topic]) return;
    s.topics[topic] = { id, ends: Array(partitions).fill(0) };
    this.save(s);
  }
}
