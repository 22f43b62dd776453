/*
 * The state of one emulated Kafka cluster (its topics' end offsets and its
 * consumer groups' committed offsets) and how it moves with time.
 *
 * Deterministic write rule: a cluster that takes client writes (no
 * MirrorMaker 2 flow mirrors into it and the product has not fenced it)
 * gets one record per partition of each demo topic every
 * RECORD_INTERVAL_MS (other topics move with explicit writes only), and its consumer groups commit CONSUMER_TRAIL records
 * behind the end. A cluster some running MirrorMaker 2 flow mirrors into
 * has every record of its source (no apply lag) and, with
 * `sync.group.offsets.enabled`, its source's committed group offsets
 * (IdentityReplicationPolicy: the offsets translate one to one). Nothing
 * is written while time passes: offsets are computed when read and stored
 * ("settled") only when how the cluster is fed changes, and before the
 * reachability between clusters changes.
 */
import { createHash } from 'node:crypto';

/** Milliseconds between two simulated records on one partition. */
export const RECORD_INTERVAL_MS = 1000;
/** How many records each simulated consumer group trails its topic's end by. */
export const CONSUMER_TRAIL = 2;
/** MirrorMaker 2's `emit.checkpoints.interval.seconds` default, in ms. */
export const CHECKPOINT_INTERVAL_MS = 60_000;

/** One topic: its end offset per partition as of the last settle. */
export interface TopicState {
  id: string;
  ends: number[];
}

/** How a cluster is fed right now. */
export type Feed =
  | { kind: 'producers' }
  | {
      kind: 'mirror';
      /** `<cluster>/<namespace>/<statefulset>` of the source. */
      source: string;
      /** The source's alias in mm2.properties. */
      alias: string;
      syncGroups: boolean;
      /** `emit.checkpoints.interval.seconds`, in ms. */
      checkpointMs: number;
    }
  | { kind: 'idle' };

/** What is stored of one cluster (on its first broker's claim). */
export interface KafkaState {
  clusterId: string;
  topics: Record<string, TopicState>;
  /** group → topic → committed offset per partition. */
  groups: Record<string, Record<string, number[]>>;
  /** How the cluster was fed since `sinceMs`. */
  feed: Feed;
  /** Start of the simulated producers' clock, while they run. */
  sinceMs: number;
  /** When the cluster last received from the source it mirrors (its last settle with that source). */
  mirroredAtMs?: number;
}

/** A topic the simulated clients write and read (MM2 and Kafka internals excluded). */
export function isUserTopic(name: string): boolean {
  return (
    !name.startsWith('__') &&
    !name.startsWith('mm2-') &&
    !name.endsWith('.internal') &&
    name !== 'heartbeats'
  );
}

/** A stable topic id (base64url of 16 bytes) derived from a key. */
export function topicId(key: string): string {
  return createHash('sha256')
    .update(key)
    .digest()
    .subarray(0, 16)
    .toString('base64url');
}

/** The demo topics every emulated cluster has, with their partition counts. */
export const SEED_TOPICS: Record<string, number> = {
  'domain-events': 6,
  'audit-log': 3,
};
/** The demo consumer groups and the topic each reads. */
export const SEED_GROUPS: Record<string, string> = {
  'events-projector': 'domain-events',
  'audit-archiver': 'audit-log',
};

/**
 * A fresh cluster: the demo topics, holding records already with
 * `history` (a primary), empty when MirrorMaker 2 mirrors into it.
 */
export function initialState(
  key: string,
  clusterId: string,
  feed: Feed,
  now: number,
  history: boolean,
): KafkaState {
  const topics: Record<string, TopicState> = {};
  for (const [name, partitions] of Object.entries(SEED_TOPICS)) {
    topics[name] = {
      id: topicId(`${key}/${name}`),
      ends: Array.from({ length: partitions }, (_, p) =>
        history ? 1000 + 37 * p : 0,
      ),
    };
  }
  const groups: KafkaState['groups'] = {};
  for (const [group, topic] of Object.entries(SEED_GROUPS)) {
    groups[group] = {
      [topic]: topics[topic].ends.map(e => Math.max(0, e - CONSUMER_TRAIL)),
    };
  }
  return { clusterId, topics, groups, feed, sinceMs: now };
}

/** The source's offsets as the mirroring sees them (undefined: unreachable). */
export interface SourceOffsets {
  ends: Record<string, number[]>;
  groups: KafkaState['groups'];
}

/** Offsets of a cluster at a moment. */
export interface Offsets {
  ends: Record<string, number[]>;
  groups: KafkaState['groups'];
}

function maxArrays(a: number[] | undefined, b: number[]): number[] {
  const len = Math.max(a?.length ?? 0, b.length);
  return Array.from({ length: len }, (_, i) =>
    Math.max(a?.[i] ?? 0, b[i] ?? 0),
  );
}

/**
 * The end and committed offsets at `now` under the stored feed. `source`
 * is the mirrored source's offsets at `now` for a mirror feed (undefined
 * when it cannot be reached: nothing moves then).
 */
export function offsetsAt(
  s: KafkaState,
  now: number,
  source?: SourceOffsets,
): Offsets {
  const ends: Record<string, number[]> = {};
  for (const [name, t] of Object.entries(s.topics)) ends[name] = [...t.ends];
  const groups: KafkaState['groups'] = structuredClone(s.groups);
  if (s.feed.kind === 'producers') {
    const n = Math.max(0, Math.floor((now - s.sinceMs) / RECORD_INTERVAL_MS));
    // The simulated applications write the demo topics only; a topic a
    // person created moves with their writes alone.
    for (const name of Object.keys(ends).filter(t => t in SEED_TOPICS))
      ends[name] = ends[name].map(e => e + n);
    for (const byTopic of Object.values(groups))
      for (const [topic, committed] of Object.entries(byTopic))
        if (ends[topic])
          byTopic[topic] = committed.map((c, p) =>
            Math.max(c, (ends[topic][p] ?? 0) - CONSUMER_TRAIL),
          );
  } else if (s.feed.kind === 'mirror' && source) {
    for (const [name, e] of Object.entries(source.ends))
      if (isUserTopic(name)) ends[name] = maxArrays(ends[name], e);
    // MirrorCheckpointConnector emits one checkpoint per group and interval.
    const checkpoints = `${s.feed.alias}.checkpoints.internal`;
    const emitted = Math.floor((now - s.sinceMs) / s.feed.checkpointMs) + 1;
    ends[checkpoints] = [
      (ends[checkpoints]?.[0] ?? 0) +
        emitted * Object.keys(source.groups).length,
    ];
    if (s.feed.syncGroups) {
      for (const [group, byTopic] of Object.entries(source.groups)) {
        groups[group] = groups[group] ?? {};
        for (const [topic, committed] of Object.entries(byTopic))
          groups[group][topic] = committed.map((c, p) =>
            Math.min(c, ends[topic]?.[p] ?? 0),
          );
      }
    }
  }
  return { ends, groups };
}

/**
 * Stores what time has done so far under the old feed and switches to
 * `feed` from now on (the producers' clock restarts on a whole record).
 */
export function settle(
  s: KafkaState,
  now: number,
  feed: Feed,
  source?: SourceOffsets,
): KafkaState {
  const at = offsetsAt(s, now, source);
  const topics: Record<string, TopicState> = {};
  for (const [name, e] of Object.entries(at.ends))
    topics[name] = {
      id: s.topics[name]?.id ?? topicId(`${s.clusterId}/${name}`),
      ends: e,
    };
  let sinceMs = now;
  if (s.feed.kind === 'producers' && feed.kind === 'producers') {
    const n = Math.max(0, Math.floor((now - s.sinceMs) / RECORD_INTERVAL_MS));
    sinceMs = s.sinceMs + n * RECORD_INTERVAL_MS;
  }
  const mirroredAtMs =
    s.feed.kind === 'mirror' && source ? now : s.mirroredAtMs;
  return { ...s, topics, groups: at.groups, feed, sinceMs, mirroredAtMs };
}

/** Whether two feeds are the same. */
export function sameFeed(a: Feed, b: Feed): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
