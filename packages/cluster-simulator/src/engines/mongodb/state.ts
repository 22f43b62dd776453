/*
 * The state of an emulated MongoDB replica set and how it moves with time,
 * seen from one member. Each member keeps its own copy of the set's
 * configuration (the highest version a member reaches is adopted and
 * propagated), its oplog position (entries applied, and when the last one
 * was written) and, while it is primary, its term and write clock.
 *
 * Deterministic rules:
 * - The primary takes simulated client writes, one oplog entry every
 *   WRITE_INTERVAL_MS; an accepted insert adds one more.
 * - A secondary in the primary's cluster applies an entry at once, one in
 *   another cluster REMOTE_APPLY_DELAY_MS later (the cross-site lag a
 *   switchover waits for). Without a primary, members catch up with the
 *   most advanced reachable member once that delay has passed.
 * - Election: only among the members the viewing member reaches, and only
 *   when they hold a majority of the configuration's votes. The electable
 *   members (priority > 0, a vote, not frozen by replSetFreeze or a step
 *   down) that have the newest oplog entry compete; the highest priority
 *   wins, a tie keeps the current primary, else the lowest `_id`. An
 *   electable member of higher priority within TAKEOVER_FRESHNESS_MS of
 *   the primary's last write takes over, catching up from it first
 *   (priority takeover, nothing lost). A primary that no longer reaches a
 *   majority steps down.
 * Partitions are judged from the viewing member only (a member reachable
 * from it counts as reachable from the others).
 *
 * A member's lag (../replicaLag) is read off rs.status() as seen from it:
 * the primary's optimeDate minus its own while it reaches a primary (0 on
 * the primary, REMOTE_APPLY_DELAY_MS in another cluster than the
 * primary's), and without one the status `date` minus its own optimeDate:
 * the age of the newest entry it received, which grows while it is cut off.
 */

import { type ReplicaLag, secondsSince } from '../replicaLag';

/** Milliseconds between two simulated client writes on the primary. */
export const WRITE_INTERVAL_MS = 500;
/** How much later a member in another cluster than its source applies an entry. */
export const REMOTE_APPLY_DELAY_MS = 1_000;
/** How close to the primary's last write a higher-priority member must be to take over. */
export const TAKEOVER_FRESHNESS_MS = 2_000;

/** One member of the configuration (`rs.conf().members[i]`). */
export interface RsMember {
  _id: number;
  host: string;
  priority: number;
  votes: number;
  arbiterOnly?: boolean;
  hidden?: boolean;
  tags?: Record<string, string>;
}

/** The replica set configuration (`rs.conf()`). */
export interface RsConfig {
  _id: string;
  version: number;
  term: number;
  members: RsMember[];
}

/** What one member stores. */
export interface MemberState {
  config: RsConfig;
  /** Oplog entries applied. */
  ops: number;
  /** When the last applied entry was written (ms). */
  lastOpMs: number;
  /** The highest election term the member knows. */
  term: number;
  /** Set while the member is primary. */
  primary?: {
    electedMs: number;
    term: number;
    /** Writes run from here; absent while a step down holds them. */
    writesSinceMs?: number;
  };
  /** Not electable before this time (replSetFreeze, replSetStepDown). */
  frozenUntilMs?: number;
  /** When another member last reached it (its last heartbeat). */
  seenMs?: number;
}

/** A member as reached from the viewing one. */
export interface MemberHandle {
  /** The host as the configuration names it. */
  host: string;
  cluster: string;
  load(): MemberState;
  save(state: MemberState): void;
}

/** The replica set as one member sees it. */
export interface RsWorld {
  now(): number;
  self: MemberHandle;
  /** The member behind a configured host when the viewing member reaches it. */
  reach(host: string): MemberHandle | undefined;
  /** A member's last stored state, reachable or not (what its last heartbeat said). */
  peek(host: string): MemberState | undefined;
  /** Waits (a step down's catch-up period). */
  sleep(ms: number): Promise<void>;
}

/** A reachable member with its position now. */
export interface LiveMember {
  member: RsMember;
  handle: MemberHandle;
  state: MemberState;
  ops: number;
  lastOpMs: number;
}

/** The replica set from one member, as of `now`. */
export interface RsView {
  now: number;
  config: RsConfig;
  /** The viewing member, undefined when the configuration no longer holds it (REMOVED). */
  self?: LiveMember;
  members: LiveMember[];
  /** Configured members the viewing member does not reach. */
  unreachable: RsMember[];
  primary?: LiveMember;
  majority: boolean;
  term: number;
}

function newer(a: RsConfig, b: RsConfig): boolean {
  return a.version > b.version || (a.version === b.version && a.term > b.term);
}

function writerPosition(
  s: MemberState,
  at: number,
): { ops: number; lastOpMs: number } {
  const since = s.primary?.writesSinceMs;
  if (since === undefined || at < since)
    return { ops: s.ops, lastOpMs: s.lastOpMs };
  const n = Math.floor((at - since) / WRITE_INTERVAL_MS);
  return n > 0
    ? { ops: s.ops + n, lastOpMs: since + n * WRITE_INTERVAL_MS }
    : { ops: s.ops, lastOpMs: s.lastOpMs };
}

/**
 * Where a member was when last reached, as its last heartbeat told the
 * others: a writing primary's write clock runs until then.
 */
export function lastKnownPosition(s: MemberState): {
  ops: number;
  lastOpMs: number;
} {
  return writerPosition(s, s.seenMs ?? s.lastOpMs);
}

function gather(world: RsWorld): {
  config: RsConfig;
  found: Map<string, { handle: MemberHandle; state: MemberState }>;
} {
  const found = new Map<string, { handle: MemberHandle; state: MemberState }>();
  const self = world.self.load();
  found.set(world.self.host, { handle: world.self, state: self });
  let config = self.config;
  const visit = (c: RsConfig) => {
    for (const m of c.members) {
      if (found.has(m.host)) continue;
      const h = world.reach(m.host);
      if (!h) continue;
      const state = h.load();
      found.set(m.host, { handle: h, state });
      if (newer(state.config, config)) config = state.config;
    }
  };
  visit(config);
  visit(config);
  return { config, found };
}

/** Positions of the members reachable now, from the writer (or the most advanced). */
function positions(
  live: Array<Omit<LiveMember, 'ops' | 'lastOpMs'>>,
  writer: Omit<LiveMember, 'ops' | 'lastOpMs'> | undefined,
  now: number,
): LiveMember[] {
  const source =
    writer ??
    [...live].sort((a, b) => b.state.ops - a.state.ops)[0] ??
    undefined;
  return live.map(l => {
    if (!source || l === source) {
      const p = writerPosition(l.state, now);
      return { ...l, ...p };
    }
    const delay =
      l.handle.cluster === source.handle.cluster ? 0 : REMOTE_APPLY_DELAY_MS;
    const seen = writerPosition(source.state, now - delay);
    const caughtUp =
      source.state.primary?.writesSinceMs !== undefined ||
      now - delay >= source.state.lastOpMs;
    return seen.ops > l.state.ops && caughtUp
      ? { ...l, ...seen }
      : { ...l, ops: l.state.ops, lastOpMs: l.state.lastOpMs };
  });
}

function electableNow(l: LiveMember, now: number): boolean {
  const m = l.member;
  return (
    m.priority > 0 &&
    m.votes > 0 &&
    !m.arbiterOnly &&
    !((l.state.frozenUntilMs ?? 0) > now)
  );
}

const byPriority = (incumbent?: LiveMember) => (a: LiveMember, b: LiveMember) =>
  b.member.priority - a.member.priority ||
  Number(b === incumbent) - Number(a === incumbent) ||
  a.member._id - b.member._id;

/** Who wins an election without a primary: the voters elect only a member with the newest entry. */
function winnerOf(members: LiveMember[], now: number): LiveMember | undefined {
  const newest = Math.max(...members.map(m => m.ops));
  return members
    .filter(m => electableNow(m, now) && m.ops === newest)
    .sort(byPriority())[0];
}

/** A higher-priority member close enough to the primary to take over, if any. */
function takeoverOf(
  members: LiveMember[],
  primary: LiveMember,
  now: number,
): LiveMember | undefined {
  return members
    .filter(
      m =>
        m !== primary &&
        electableNow(m, now) &&
        m.member.priority > primary.member.priority &&
        m.lastOpMs >= primary.lastOpMs - TAKEOVER_FRESHNESS_MS,
    )
    .sort(byPriority())[0];
}

/**
 * Stores every reachable member's position as of now, and the adopted
 * configuration. A writing primary keeps its base: its position stays a
 * function of its write clock.
 */
function materialize(view: RsView): void {
  for (const l of view.members) {
    const writing = l.state.primary?.writesSinceMs !== undefined;
    const s: MemberState = {
      ...l.state,
      config: view.config,
      term: view.term,
      seenMs: view.now,
      ...(!writing && { ops: l.ops, lastOpMs: l.lastOpMs }),
    };
    l.state = s;
    l.handle.save(s);
  }
}

/** A primary that steps down keeps the position its writes reached. */
function stepDownIn(l: LiveMember): void {
  l.state = {
    ...l.state,
    primary: undefined,
    ops: l.ops,
    lastOpMs: l.lastOpMs,
  };
}

/**
 * The set as the viewing member sees it now, with any election due held
 * and every reachable member's position stored (so a member cut off later
 * keeps the position it had when last reached).
 */
export function observe(world: RsWorld): RsView {
  const now = world.now();
  const { config, found } = gather(world);
  const inConfig = (host: string) => config.members.find(m => m.host === host);
  const base = [...found.values()]
    .filter(f => inConfig(f.handle.host))
    .map(f => ({
      member: inConfig(f.handle.host)!,
      handle: f.handle,
      state: f.state,
    }));
  const writers = base
    .filter(b => b.state.primary)
    .sort((a, b) => b.state.primary!.term - a.state.primary!.term);
  const members = positions(base, writers[0], now);
  const term = Math.max(config.term, ...members.map(m => m.state.term));
  const votes = (ms: RsMember[]) => ms.reduce((n, m) => n + m.votes, 0);
  const majority =
    votes(members.map(m => m.member)) * 2 > votes(config.members);
  const view: RsView = {
    now,
    config,
    self: members.find(m => m.handle === world.self),
    members,
    unreachable: config.members.filter(
      m => !members.some(l => l.member.host === m.host),
    ),
    majority,
    term,
  };
  let primary = members.find(m => m.handle === writers[0]?.handle);
  // Stale primaries of older terms learnt of the newer one.
  for (const w of writers.slice(1)) {
    const l = members.find(m => m.handle === w.handle);
    if (l) stepDownIn(l);
  }
  if (primary && !majority) {
    stepDownIn(primary);
    primary = undefined;
  }
  if (majority) {
    const winner = primary
      ? takeoverOf(members, primary, now)
      : winnerOf(members, now);
    if (winner) {
      // A takeover catches up from the primary before taking writes.
      const from = primary ?? winner;
      if (primary) stepDownIn(primary);
      view.term = term + 1;
      winner.ops = Math.max(winner.ops, from.ops);
      winner.lastOpMs = Math.max(winner.lastOpMs, from.lastOpMs);
      winner.state = {
        ...winner.state,
        ops: winner.ops,
        lastOpMs: winner.lastOpMs,
        primary: { electedMs: now, term: view.term, writesSinceMs: now },
      };
      primary = winner;
    }
  }
  view.primary = primary;
  materialize(view);
  return view;
}

/** The configuration a pod starts with: its members, each `_id` its index unless given. */
export function initialMemberState(config: RsConfig, now: number): MemberState {
  return { config, ops: 0, lastOpMs: now, term: config.term };
}

/** How far behind the viewing member is (see the rules above); undefined for an arbiter. */
export function memberLagOf(view: RsView): ReplicaLag | undefined {
  const self = view.self;
  if (!self)
    return { error: 'not a member of its replica set configuration (REMOVED)' };
  if (self.member.arbiterOnly) return undefined;
  if (view.primary)
    return { lagSeconds: secondsSince(view.primary.lastOpMs, self.lastOpMs) };
  return { lagSeconds: secondsSince(view.now, self.lastOpMs) };
}
