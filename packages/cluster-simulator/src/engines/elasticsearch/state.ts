/*
 * The state of one emulated Elasticsearch cluster and how its indices move
 * with time.
 *
 * Deterministic write rule: a leader index (open, no write block, not a
 * follower) takes simulated client writes at one operation per
 * WRITE_INTERVAL_MS, each the next sequence number; an accepted
 * `POST /<index>/_doc` adds one more. A follower index whose follow runs
 * (not paused) and whose remote cluster answers has the leader's sequence
 * numbers (no apply lag): its global checkpoint is the leader's. Nothing is
 * written while time passes: the numbers are computed when read, and stored
 * ("materialized") when a request changes or reads the cluster, and before
 * the reachability between clusters changes, so a follower cut off from its
 * leader keeps what it had last read.
 *
 * A follower index's lag (../replicaLag): 0 while it reads its leader (its
 * global checkpoint is the leader's), and while it cannot, the time since
 * it last read it (`time_since_last_read_millis` in its CCR stats).
 */
import { createHash } from 'node:crypto';
import { type ReplicaLag, secondsSince } from '../replicaLag';

/** Milliseconds between two simulated client writes on a leader index. */
export const WRITE_INTERVAL_MS = 500;

/** How a remote cluster is reached (`cluster.remote.<alias>.*`). */
export interface RemoteCluster {
  mode: 'proxy' | 'sniff';
  proxyAddress?: string;
  seeds?: string[];
}

/** What a follower index follows (`PUT /<index>/_ccr/follow`). */
export interface FollowState {
  remoteCluster: string;
  leaderIndex: string;
  status: 'active' | 'paused';
  /** The leader's global checkpoint at the last successful read. */
  leaderMaxSeqNo?: number;
  /** When the leader was last read (ms). */
  lastReadMs?: number;
}

/** One index of the cluster. */
export interface IndexState {
  uuid: string;
  open: boolean;
  /** `index.blocks.write`. */
  writeBlock: boolean;
  /** The highest sequence number as of the last materialization (-1: none). */
  maxSeqNo: number;
  /** Start of the simulated client writes, while they run. */
  writesSinceMs?: number;
  /** Present while the index is a follower (until `_ccr/unfollow`). */
  follow?: FollowState;
  creationDate: number;
}

/** An auto-follow pattern (`PUT _ccr/auto_follow/<name>`). */
export interface AutoFollowPattern {
  remoteCluster: string;
  leaderIndexPatterns: string[];
  followIndexPattern?: string;
  active: boolean;
}

/** What is stored of one cluster. */
export interface EsClusterState {
  clusterName: string;
  clusterUuid: string;
  remotes: Record<string, RemoteCluster>;
  indices: Record<string, IndexState>;
  autoFollow: Record<string, AutoFollowPattern>;
}

/** A leader index as a follower sees it through its remote cluster. */
export type LeaderView =
  | { ok: true; maxSeqNo: number; uuid: string }
  | { ok: false; error: string; type: string };

/** What the REST layer needs of the cluster it talks to. */
export interface EsHost {
  now(): number;
  /** The node answering (the pod name). */
  nodeName: string;
  load(): EsClusterState;
  save(state: EsClusterState): void;
  /** Reads a leader index through a remote cluster alias. */
  leader(remote: string, index: string): LeaderView;
  /** Whether the remote cluster alias leads to a cluster that answers. */
  remoteConnected(remote: string): boolean;
  /**
   * When a follower index last read its leader, given whether it reads it
   * now and what its state recorded (see ../replicaLag); without it, the
   * recorded time.
   */
  lastReceived?(
    index: string,
    linked: boolean,
    storedMs: number | undefined,
  ): number | undefined;
}

/** A stable identifier derived from a key, in Elasticsearch's base64url form. */
export function stableId(key: string): string {
  return createHash('sha256').update(key).digest('base64url').slice(0, 22);
}

/** A new index: a leader taking writes from `now`, or a follower. */
export function newIndex(
  key: string,
  now: number,
  follow?: FollowState,
): IndexState {
  return {
    uuid: stableId(key),
    open: true,
    writeBlock: false,
    maxSeqNo: -1,
    writesSinceMs: follow ? undefined : now,
    ...(follow && { follow }),
    creationDate: now,
  };
}

/** Whether simulated client writes land on the index. */
export function takesWrites(ix: IndexState): boolean {
  return ix.open && !ix.writeBlock && !ix.follow;
}

function ownWrites(ix: IndexState, now: number): number {
  if (!takesWrites(ix) || ix.writesSinceMs === undefined) return 0;
  return Math.max(0, Math.floor((now - ix.writesSinceMs) / WRITE_INTERVAL_MS));
}

/** The leader of a follower index right now, or why it cannot be read. */
export function followView(ix: IndexState, host: EsHost): LeaderView {
  if (!ix.follow) {
    return {
      ok: false,
      type: 'illegal_argument_exception',
      error: 'not a follower',
    };
  }
  if (ix.follow.status !== 'active') {
    return {
      ok: false,
      type: 'status_exception',
      error: 'following is paused',
    };
  }
  return host.leader(ix.follow.remoteCluster, ix.follow.leaderIndex);
}

/**
 * The highest sequence number of an index at `now` (its global checkpoint:
 * every operation up to it is on every copy, the emulator has no in-flight
 * ones).
 */
export function maxSeqNoAt(ix: IndexState, host: EsHost, now: number): number {
  let n = ix.maxSeqNo + ownWrites(ix, now);
  if (ix.follow && ix.open) {
    const leader = followView(ix, host);
    if (leader.ok) n = Math.max(n, leader.maxSeqNo);
  }
  return n;
}

/** Stores what time has done so far to one index. */
export function materializeIndex(
  ix: IndexState,
  host: EsHost,
  now: number,
): IndexState {
  const next = { ...ix, maxSeqNo: maxSeqNoAt(ix, host, now) };
  const leader = ix.follow && ix.open ? followView(ix, host) : undefined;
  if (leader?.ok) {
    next.follow = {
      ...ix.follow!,
      leaderMaxSeqNo: leader.maxSeqNo,
      lastReadMs: now,
    };
  }
  if (takesWrites(ix) && ix.writesSinceMs !== undefined) {
    next.writesSinceMs =
      ix.writesSinceMs + ownWrites(ix, now) * WRITE_INTERVAL_MS;
  }
  return next;
}

/** Stores what time has done so far to every index. */
export function materialize(
  s: EsClusterState,
  host: EsHost,
  now: number,
): EsClusterState {
  const indices: Record<string, IndexState> = {};
  for (const [name, ix] of Object.entries(s.indices)) {
    indices[name] = materializeIndex(ix, host, now);
  }
  return { ...s, indices };
}

/** Restarts or stops the write clock after a change of blocks or follow. */
export function withWriteClock(ix: IndexState, now: number): IndexState {
  if (!takesWrites(ix)) return { ...ix, writesSinceMs: undefined };
  return { ...ix, writesSinceMs: ix.writesSinceMs ?? now };
}

/** Whether an index name matches a pattern list with `*` wildcards. */
export function matchesPatterns(name: string, patterns: string[]): boolean {
  return patterns.some(p =>
    new RegExp(
      `^${p
        .split('*')
        .map(s => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
        .join('.*')}$`,
    ).test(name),
  );
}

/** When a follower index last read its leader (now while it reads it); undefined if never. */
export function lastReadAt(
  name: string,
  ix: IndexState,
  host: EsHost,
): number | undefined {
  const linked = followView(ix, host).ok;
  const stored = ix.follow?.lastReadMs;
  const recorded = linked ? host.now() : stored;
  return host.lastReceived ? host.lastReceived(name, linked, stored) : recorded;
}

/** How far a follower index is behind its leader; undefined for a leader or a closed index. */
export function followerLagOf(
  name: string,
  ix: IndexState,
  host: EsHost,
): ReplicaLag | undefined {
  if (!ix.follow || !ix.open) return undefined;
  if (ix.follow.status !== 'active')
    return { error: `following is paused for [${name}]` };
  const at = lastReadAt(name, ix, host);
  if (followView(ix, host).ok) return { lagSeconds: 0 };
  if (at === undefined)
    return {
      error: `[${name}] never read its leader [${ix.follow.leaderIndex}]`,
    };
  return { lagSeconds: secondsSince(host.now(), at) };
}
