/*
 * The replication lag of a replica StatefulSet as its engine reports it.
 * Every emulator models replication as immediate while the link to the
 * source works: a linked replica is 0 s behind (MongoDB's members in
 * another cluster apply one REMOTE_APPLY_DELAY_MS later). Once the source
 * is cut off (partitioned away, down, its server stopped or gone), the
 * replica falls behind from the last moment it received anything, which
 * the link clock below remembers, so every reader of the same server (an
 * exec'd command, an exporter, the topology) computes the same number.
 */
import type { KubeObject } from '../controllers/types';
import type { ClusterStore } from '../store/ClusterStore';
import type { PeerDirectory } from './programs';

/** What an engine says of a replica: how far behind it is, or why it does not replicate. */
export type ReplicaLag = { lagSeconds: number } | { error: string };

/** Where a replica StatefulSet's lag is read. */
export interface LagTarget {
  store: ClusterStore;
  sts: KubeObject;
  now(): number;
  peers?: PeerDirectory;
}

/** The running pods of a StatefulSet, by their owner reference. */
export function runningPodsOf(
  store: ClusterStore,
  sts: KubeObject,
): KubeObject[] {
  return [...store.peekAll('', 'Pod')].filter(
    p =>
      p.metadata.namespace === sts.metadata.namespace &&
      p.status?.phase === 'Running' &&
      (p.metadata.ownerReferences ?? []).some(
        (o: any) => o?.kind === 'StatefulSet' && o.name === sts.metadata.name,
      ),
  );
}

/**
 * A StatefulSet's lag from its pods' answers: the side is as far behind as
 * its furthest pod, and broken when any pod does not replicate (the first
 * such pod's reason). Undefined when no pod answers.
 */
export function sideLag(
  answers: Array<ReplicaLag | undefined>,
): ReplicaLag | undefined {
  const known = answers.filter((a): a is ReplicaLag => a !== undefined);
  const broken = known.find(a => 'error' in a);
  if (broken) return broken;
  if (!known.length) return undefined;
  return {
    lagSeconds: Math.max(
      ...known.map(a => ('lagSeconds' in a ? a.lagSeconds : 0)),
    ),
  };
}

/** Seconds from `fromMs` to `now`, never negative, to the millisecond. */
export function secondsSince(now: number, fromMs: number): number {
  return Math.max(0, Math.round(now - fromMs)) / 1000;
}

const clocks = new WeakMap<ClusterStore, Map<string, number>>();

/**
 * When a replica server (`key` within `store`) last received from its
 * source: now while `linked`, else the later of the last time a reader saw
 * it linked and `storedMs` (what the server's state recorded, e.g. when the
 * reachability between clusters last changed). Undefined when neither is
 * known.
 */
export function lastReceived(
  store: ClusterStore,
  key: string,
  linked: boolean,
  now: number,
  storedMs: number | undefined,
): number | undefined {
  let seen = clocks.get(store);
  if (!seen) {
    seen = new Map();
    clocks.set(store, seen);
  }
  if (linked) {
    seen.set(key, now);
    return now;
  }
  const remembered = seen.get(key);
  if (remembered === undefined) return storedMs;
  return storedMs === undefined ? remembered : Math.max(remembered, storedMs);
}

/** How the replication lag controller reads lags from the emulated engines. */
export interface EngineLagReader {
  /** Whether an emulator serves the StatefulSet's engine (its lag then comes from it). */
  serves(sts: KubeObject): boolean;
  /** What that engine reports of the StatefulSet in `cluster`; undefined when it has no answer now. */
  lag(cluster: string, sts: KubeObject): ReplicaLag | undefined;
  /**
   * The cluster the StatefulSet in `cluster` replicates from by its engine's
   * own configuration; undefined when the engine names none (a primary) or
   * cannot say.
   */
  source?(cluster: string, sts: KubeObject): string | undefined;
}
