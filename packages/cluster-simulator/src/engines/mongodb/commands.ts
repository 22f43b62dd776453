/*
 * The server commands of the emulated mongod, as mongosh's helpers and
 * `db.adminCommand` reach them: hello, replSetGetStatus, replSetGetConfig,
 * replSetReconfig (plain on the primary, forced anywhere), replSetStepDown
 * (waits for a caught-up electable secondary), replSetFreeze, ping and an
 * insert that only the primary accepts. Answers carry the fields and error
 * codes the real server uses.
 */
import {
  REMOTE_APPLY_DELAY_MS,
  LiveMember,
  RsConfig,
  RsMember,
  RsView,
  RsWorld,
  lastKnownPosition,
  observe,
} from './state';
import { BsonTimestamp, IsoDate, MongoServerError, ObjectId } from './values';

const STATE_STR: Record<number, string> = {
  1: 'PRIMARY',
  2: 'SECONDARY',
  8: '(not reachable/healthy)',
  10: 'REMOVED',
};

function notPrimary(what: string): MongoServerError {
  return new MongoServerError(what, 10107, 'NotWritablePrimary');
}

function optime(ops: number, lastOpMs: number, term: number) {
  // The increment counts the entries written within the same second.
  return {
    ts: new BsonTimestamp(Math.floor(lastOpMs / 1000), (ops % 1000) + 1),
    t: term,
  };
}

function stateOf(view: RsView, l: LiveMember): number {
  return view.primary === l ? 1 : 2;
}

function hostsOf(config: RsConfig, passive: boolean): string[] {
  return config.members
    .filter(m => !m.arbiterOnly && !m.hidden && (m.priority === 0) === passive)
    .map(m => m.host);
}

/** `db.hello()`; `legacy` answers as `isMaster` does (`ismaster`). */
export function hello(world: RsWorld, legacy = false) {
  const view = observe(world);
  const me = view.self;
  const writable = !!me && view.primary === me;
  const answer: Record<string, unknown> = {
    topologyVersion: {
      processId: new ObjectId(world.self.host),
      counter: view.term,
    },
    hosts: hostsOf(view.config, false),
    ...(hostsOf(view.config, true).length && {
      passives: hostsOf(view.config, true),
    }),
    setName: view.config._id,
    setVersion: view.config.version,
    [legacy ? 'ismaster' : 'isWritablePrimary']: writable,
    secondary: !!me && !writable,
    ...(view.primary && { primary: view.primary.member.host }),
    me: world.self.host,
    ...(me && {
      lastWrite: {
        opTime: optime(me.ops, me.lastOpMs, view.term),
        lastWriteDate: new IsoDate(me.lastOpMs),
      },
    }),
    maxBsonObjectSize: 16777216,
    maxMessageSizeBytes: 48000000,
    maxWriteBatchSize: 100000,
    localTime: new IsoDate(view.now),
    maxWireVersion: 25,
    minWireVersion: 0,
    readOnly: false,
    ok: 1,
  };
  return answer;
}

/** `rs.status()` (replSetGetStatus). */
export function status(world: RsWorld) {
  const view = observe(world);
  if (!view.self) {
    throw new MongoServerError(
      'Our replica set config is invalid or we are not a member of it',
      93,
      'InvalidReplicaSetConfig',
    );
  }
  const members = view.config.members.map(m => {
    const l = view.members.find(x => x.member.host === m.host);
    if (!l) {
      // What the last heartbeat said.
      const stored = world.peek(m.host);
      const last = stored && {
        ...lastKnownPosition(stored),
        term: stored.term,
      };
      return {
        _id: m._id,
        name: m.host,
        health: 0,
        state: 8,
        stateStr: STATE_STR[8],
        optime: optime(last?.ops ?? 0, last?.lastOpMs ?? 0, last?.term ?? 0),
        optimeDate: new IsoDate(last?.lastOpMs ?? 0),
        lastHeartbeatMessage: `Couldn't get a connection within the time limit to ${m.host}`,
      };
    }
    const state = stateOf(view, l);
    return {
      _id: m._id,
      name: m.host,
      health: 1,
      state,
      stateStr: STATE_STR[state],
      optime: optime(l.ops, l.lastOpMs, view.term),
      optimeDate: new IsoDate(l.lastOpMs),
      syncSourceHost:
        state === 2 && view.primary ? view.primary.member.host : '',
      ...(state === 1 && {
        electionDate: new IsoDate(l.state.primary!.electedMs),
      }),
      ...((l.state.frozenUntilMs ?? 0) > view.now && {
        infoMessage: `frozen until ${new Date(
          l.state.frozenUntilMs!,
        ).toISOString()}`,
      }),
      ...(l === view.self && { self: true }),
    };
  });
  return {
    set: view.config._id,
    date: new IsoDate(view.now),
    myState: stateOf(view, view.self),
    term: view.term,
    majorityVoteCount: Math.floor(
      view.config.members.reduce((n, m) => n + m.votes, 0) / 2 + 1,
    ),
    members,
    ok: 1,
  };
}

/** `rs.conf()` (replSetGetConfig). */
export function conf(world: RsWorld) {
  const { config } = observe(world);
  return {
    _id: config._id,
    version: config.version,
    term: config.term,
    members: config.members.map(m => ({
      _id: m._id,
      host: m.host,
      arbiterOnly: m.arbiterOnly ?? false,
      buildIndexes: true,
      hidden: m.hidden ?? false,
      priority: m.priority,
      tags: m.tags ?? {},
      secondaryDelaySecs: 0,
      votes: m.votes,
    })),
    protocolVersion: 1,
    writeConcernMajorityJournalDefault: true,
    settings: { chainingAllowed: true, electionTimeoutMillis: 10000 },
  };
}

function invalid(why: string): MongoServerError {
  return new MongoServerError(
    why,
    103,
    'NewReplicaSetConfigurationIncompatible',
  );
}

function membersOf(doc: any, current: RsConfig): RsMember[] {
  if (!Array.isArray(doc?.members) || doc.members.length === 0)
    throw invalid('replSetReconfig needs a configuration with members');
  const ids = new Set<number>();
  return doc.members.map((m: any) => {
    const _id = Number(m?._id);
    if (!Number.isInteger(_id) || ids.has(_id))
      throw invalid(`member _id ${m?._id} is missing or appears twice`);
    ids.add(_id);
    if (typeof m.host !== 'string' || !m.host)
      throw invalid(`member ${_id} has no host`);
    const priority = Number(m.priority ?? 1);
    const votes = Number(m.votes ?? 1);
    if (!(priority >= 0 && priority <= 1000))
      throw invalid(
        `member ${m.host}: priority must be between 0 and 1000, not ${m.priority}`,
      );
    if (votes !== 0 && votes !== 1)
      throw invalid(`member ${m.host}: votes must be 0 or 1, not ${m.votes}`);
    if (priority > 0 && votes === 0)
      throw invalid(`member ${m.host}: priority must be 0 when votes is 0`);
    const before = current.members.find(c => c._id === _id);
    if (before && before.host !== m.host)
      throw invalid(
        `member ${_id} changes host from ${before.host} to ${m.host}; remove and add it instead`,
      );
    return {
      _id,
      host: m.host,
      priority,
      votes,
      ...(m.arbiterOnly && { arbiterOnly: true }),
      ...(m.hidden && { hidden: true }),
      ...(m.tags && typeof m.tags === 'object' && { tags: { ...m.tags } }),
    };
  });
}

/** `rs.reconfig(cfg, {force})` (replSetReconfig). */
export function reconfig(world: RsWorld, doc: any, force: boolean) {
  const view = observe(world);
  if (!view.self)
    throw new MongoServerError(
      'node is not in a replica set that includes it',
      93,
      'InvalidReplicaSetConfig',
    );
  if (!force && view.primary !== view.self) {
    throw notPrimary(
      'New config is rejected :: caused by :: replSetReconfig should only be run on a writable PRIMARY. Current state SECONDARY;',
    );
  }
  if (doc?._id !== view.config._id)
    throw invalid(
      `New and old configurations differ in replica set name; old was ${view.config._id}, and new is ${doc?._id}`,
    );
  const members = membersOf(doc, view.config);
  if (!members.some(m => m.host === world.self.host))
    throw invalid(
      `The new configuration must include this node (${world.self.host})`,
    );
  if (!force) {
    const was = (m: RsMember) =>
      view.config.members.find(c => c._id === m._id)?.votes ?? 0;
    const changed =
      members.filter(m => m.votes !== was(m)).length +
      view.config.members.filter(
        c => c.votes > 0 && !members.some(m => m._id === c._id),
      ).length;
    if (changed > 1)
      throw invalid(
        'Only one voting member can be added or removed at a time; use {force: true} to replace a lost majority',
      );
  }
  // A forced configuration jumps ahead so that it wins over any other copy.
  const version = view.config.version + (force ? 10000 : 1);
  const config: RsConfig = {
    _id: view.config._id,
    version,
    term: force ? view.config.term : view.term,
    members,
  };
  for (const l of view.members) {
    if (!members.some(m => m.host === l.member.host) && l !== view.self)
      continue;
    l.handle.save({ ...l.handle.load(), config });
  }
  // Every member the new configuration holds and we reach adopts it.
  for (const m of members) {
    const h = world.reach(m.host);
    if (h) h.save({ ...h.load(), config });
  }
  observe(world);
  return { ok: 1 };
}

/**
 * When an electable secondary has the primary's last write: the
 * highest-priority one when it can within the deadline (elections favour
 * priority), else the first.
 */
function waitTarget(view: RsView, deadline: number): number | undefined {
  const me = view.self!;
  const electable = view.members
    .filter(
      l =>
        l !== me &&
        l.member.priority > 0 &&
        l.member.votes > 0 &&
        !((l.state.frozenUntilMs ?? 0) > view.now),
    )
    .sort((a, b) => b.member.priority - a.member.priority);
  const at = (l: LiveMember) =>
    l.ops >= me.ops
      ? view.now
      : me.lastOpMs +
        (l.handle.cluster === me.handle.cluster ? 0 : REMOTE_APPLY_DELAY_MS);
  const top = electable.filter(
    l => l.member.priority === electable[0]?.member.priority,
  );
  const topAt = top.length ? Math.min(...top.map(at)) : undefined;
  if (topAt !== undefined && topAt <= deadline) return topAt;
  return electable.length ? Math.min(...electable.map(at)) : undefined;
}

/** `rs.stepDown(secs, catchUpSecs)` (replSetStepDown). */
export async function stepDown(
  world: RsWorld,
  stepDownSecs: number,
  catchUpSecs: number,
  force = false,
) {
  let view = observe(world);
  const me = view.self;
  if (!me || view.primary !== me)
    throw notPrimary("not primary so can't step down");
  if (!(stepDownSecs >= 1) || catchUpSecs < 0 || catchUpSecs > stepDownSecs) {
    throw new MongoServerError(
      `secondaryCatchUpPeriodSecs (${catchUpSecs}) must be between 0 and replSetStepDown (${stepDownSecs}), and replSetStepDown at least 1`,
      2,
      'BadValue',
    );
  }
  // Writes stop while the secondaries catch up.
  const held = { ...me.handle.load(), ops: me.ops, lastOpMs: me.lastOpMs };
  held.primary = { ...held.primary!, writesSinceMs: undefined };
  me.handle.save(held);
  const deadline = view.now + catchUpSecs * 1000;
  for (;;) {
    view = observe(world);
    const at = waitTarget(view, deadline);
    if (at !== undefined && at <= view.now) break;
    if (view.now >= deadline || at === undefined || at > deadline) {
      if (force) break;
      const back = me.handle.load();
      if (back.primary) {
        back.primary = { ...back.primary, writesSinceMs: world.now() };
        me.handle.save(back);
      }
      throw new MongoServerError(
        `No electable secondaries caught up as of ${new Date(
          world.now(),
        ).toISOString()}. Please use the replSetStepDown command with the argument {force: true} to force node to step down.`,
        262,
        'ExceededTimeLimit',
      );
    }
    await world.sleep(Math.min(100, Math.max(1, at - view.now)));
  }
  const s = me.handle.load();
  me.handle.save({
    ...s,
    primary: undefined,
    frozenUntilMs: world.now() + stepDownSecs * 1000,
  });
  observe(world);
  return { ok: 1 };
}

/** `db.adminCommand({replSetFreeze: secs})`. */
export function freeze(world: RsWorld, secs: number) {
  const view = observe(world);
  if (view.self && view.primary === view.self) {
    throw new MongoServerError(
      'cannot freeze node when primary or running for election. state: Primary',
      95,
      'NotSecondary',
    );
  }
  const s = world.self.load();
  world.self.save({
    ...s,
    frozenUntilMs: secs > 0 ? view.now + secs * 1000 : undefined,
  });
  return secs > 0 ? { ok: 1 } : { info: 'unfreezing', ok: 1 };
}

/** `db.<collection>.insertOne(doc)`: only the primary accepts writes. */
export function insertOne(world: RsWorld, ns: string, doc: unknown) {
  const view = observe(world);
  const me = view.self;
  if (
    !me ||
    view.primary !== me ||
    me.state.primary?.writesSinceMs === undefined
  )
    throw notPrimary('not primary');
  const s = world.self.load();
  world.self.save({ ...s, ops: s.ops + 1, lastOpMs: view.now });
  const id =
    doc && typeof doc === 'object' && '_id' in doc
      ? (doc as any)._id
      : new ObjectId(`${ns}/${s.ops + 1}/${view.now}`);
  return { acknowledged: true, insertedId: id };
}
