/*
 * The MongoDB emulator on its own: elections by priority and majority,
 * step down with catch-up, freeze, plain and forced reconfiguration, writes
 * only on the primary, printed as mongosh prints them.
 */
import { mongoshClient } from './client';
import { parseScript } from './script';
import {
  MemberState,
  RsConfig,
  RsWorld,
  WRITE_INTERVAL_MS,
  initialMemberState,
} from './state';

let clock = 1_000_000;

const CONFIG: RsConfig = {
  _id: 'sessions',
  version: 1,
  term: 1,
  members: [
    { _id: 0, host: 'a0:27017', priority: 2, votes: 1 },
    { _id: 1, host: 'a1:27017', priority: 2, votes: 1 },
    { _id: 2, host: 'b0:27017', priority: 1, votes: 1 },
    { _id: 3, host: 'b1:27017', priority: 1, votes: 1 },
    { _id: 4, host: 'c0:27017', priority: 0.5, votes: 1 },
  ],
};

/** Five members in three clusters (a, b, c), in memory; clusters can be cut off. */
function replicaSet() {
  const states = new Map<string, MemberState>();
  const down = new Set<string>();
  const clusterOf = (host: string) => host[0];
  for (const m of CONFIG.members)
    states.set(m.host, initialMemberState(structuredClone(CONFIG), clock));
  const handle = (host: string) => ({
    host,
    cluster: clusterOf(host),
    load: () => structuredClone(states.get(host)!),
    save: (s: MemberState) => states.set(host, structuredClone(s)),
  });
  const world = (host: string): RsWorld => ({
    now: () => clock,
    self: handle(host),
    reach: h =>
      states.has(h) &&
      !down.has(clusterOf(h)) &&
      !down.has(`${clusterOf(host)}|${clusterOf(h)}`)
        ? handle(h)
        : undefined,
    peek: h => structuredClone(states.get(h)),
    sleep: async ms => {
      clock += ms;
    },
  });
  return { world, down, states };
}

async function mongosh(w: RsWorld | undefined, ...args: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await mongoshClient(
    ['--quiet', ...args],
    {
      stdout: t => {
        stdout += t;
      },
      stderr: t => {
        stderr += t;
      },
      stdin: async () => '',
    },
    w,
  );
  return { code, stdout, stderr };
}

async function evalJson(w: RsWorld, js: string) {
  const r = await mongosh(w, '--eval', `JSON.stringify(${js})`);
  expect(r.stderr).toBe('');
  return JSON.parse(r.stdout);
}

async function primaryOf(w: RsWorld): Promise<string | undefined> {
  return (await evalJson(w, 'db.hello()')).primary;
}

beforeEach(() => {
  clock = 1_000_000;
});

describe('the script grammar', () => {
  it('parses assignments, documents and chains, and refuses anything else', () => {
    expect(
      parseScript(
        'cfg = rs.conf(); cfg.members[2].priority = 3\nrs.reconfig(cfg, {force: false})',
      ),
    ).toHaveLength(3);
    expect(() => parseScript('rs.conf() + 1')).toThrow(/Unexpected character/);
    expect(() => parseScript('(() => 1)()')).toThrow(/SyntaxError|Unexpected/);
  });

  it('reaches no JavaScript behind the shell API', async () => {
    const { world } = replicaSet();
    const r = await mongosh(
      world('a0:27017'),
      '--eval',
      'rs.conf.constructor("x")',
    );
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('TypeError: undefined is not a function');
  });
});

describe('elections', () => {
  it('elects the highest priority member, the lowest _id on a tie', async () => {
    const { world } = replicaSet();
    expect(await primaryOf(world('b0:27017'))).toBe('a0:27017');
    const r = await mongosh(
      world('a0:27017'),
      '--eval',
      'db.hello().isWritablePrimary',
    );
    expect(r.stdout).toBe('true\n');
    const s = await mongosh(
      world('b0:27017'),
      '--eval',
      'db.hello().isWritablePrimary',
    );
    expect(s.stdout).toBe('false\n');
  });

  it('keeps the primary in the majority; a minority has none', async () => {
    const { world, down } = replicaSet();
    await primaryOf(world('a0:27017'));
    down.add('a');
    clock += 5_000;
    // b and c hold 3 of 5 votes: b0 is elected.
    expect(await primaryOf(world('c0:27017'))).toBe('b0:27017');
    down.add('b');
    const status = await evalJson(world('c0:27017'), 'rs.status()');
    expect(status.myState).toBe(2);
    expect(
      status.members.find((m: any) => m.name === 'a0:27017'),
    ).toMatchObject({
      health: 0,
      stateStr: '(not reachable/healthy)',
    });
    expect(await primaryOf(world('c0:27017'))).toBeUndefined();
  });

  it('lets a remote secondary lag one second behind the primary', async () => {
    const { world } = replicaSet();
    await primaryOf(world('a0:27017'));
    clock += 10 * WRITE_INTERVAL_MS;
    const status = await evalJson(world('a0:27017'), 'rs.status()');
    const optime = (name: string) =>
      Date.parse(status.members.find((m: any) => m.name === name).optimeDate);
    expect(optime('a0:27017') - optime('a1:27017')).toBe(0);
    expect(optime('a0:27017') - optime('b0:27017')).toBe(1_000);
  });
});

describe('switching the primary', () => {
  it('moves the primary to raised priorities by a takeover, nothing lost', async () => {
    const { world } = replicaSet();
    await primaryOf(world('a0:27017'));
    clock += 3_000;
    const before = await evalJson(world('a0:27017'), 'db.hello().lastWrite');
    const raise = await mongosh(
      world('a0:27017'),
      '--eval',
      'cfg = rs.conf(); cfg.members[2].priority = 3; cfg.members[3].priority = 3; rs.reconfig(cfg)',
    );
    expect(raise).toMatchObject({ code: 0, stdout: '{ ok: 1 }\n' });
    // b0 is within two seconds of a0's last write: it catches up and takes over.
    expect(await primaryOf(world('a1:27017'))).toBe('b0:27017');
    const after = await evalJson(world('b0:27017'), 'db.hello().lastWrite');
    expect(after.lastWriteDate).toBe(before.lastWriteDate);
    const conf = await evalJson(world('c0:27017'), 'rs.conf()');
    expect(conf.version).toBe(2);
    expect(conf.members[2].priority).toBe(3);
  });

  it('steps down once the highest-priority secondary has the last write', async () => {
    const { world } = replicaSet();
    await primaryOf(world('a0:27017'));
    clock += 3_000;
    const started = clock;
    const down = await mongosh(
      world('a0:27017'),
      '--eval',
      'db.adminCommand({replSetStepDown: 60, secondaryCatchUpPeriodSecs: 10})',
    );
    expect(down).toMatchObject({ code: 0, stderr: '' });
    // a1 (same priority, same cluster) is caught up at once.
    expect(clock).toBe(started);
    expect(await primaryOf(world('b0:27017'))).toBe('a1:27017');
    const status = await evalJson(world('a0:27017'), 'rs.status()');
    expect(status.members[0].infoMessage).toMatch(/^frozen until/);
  });

  it('refuses a step down on a secondary, and a freeze on the primary', async () => {
    const { world } = replicaSet();
    const r = await mongosh(world('b0:27017'), '--eval', 'rs.stepDown(60, 10)');
    expect(r).toMatchObject({ code: 1 });
    expect(r.stderr).toContain('MongoServerError[NotWritablePrimary]');
    const f = await mongosh(
      world('a0:27017'),
      '--eval',
      'db.adminCommand({replSetFreeze: 30})',
    );
    expect(f.stderr).toContain('MongoServerError[NotSecondary]');
  });

  it('fails a step down no electable secondary can catch up with in time', async () => {
    const { world } = replicaSet();
    await mongosh(
      world('a1:27017'),
      '--eval',
      'db.adminCommand({replSetFreeze: 120})',
    );
    clock += 3_000;
    const r = await mongosh(world('a0:27017'), '--eval', 'rs.stepDown(60, 0)');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      'MongoServerError[ExceededTimeLimit]: No electable secondaries caught up',
    );
    expect(await primaryOf(world('a0:27017'))).toBe('a0:27017');
  });

  it('takes writes only on the primary', async () => {
    const { world } = replicaSet();
    const ok = await mongosh(
      world('a0:27017'),
      '--eval',
      "db.getSiblingDB('app').sessions.insertOne({user: 'u1'}).acknowledged",
    );
    expect(ok.stdout).toBe('true\n');
    const refused = await mongosh(
      world('b0:27017'),
      '--eval',
      "db.getSiblingDB('app').sessions.insertOne({user: 'u1'})",
    );
    expect(refused.code).toBe(1);
    expect(refused.stderr).toBe(
      'MongoServerError[NotWritablePrimary]: not primary\n',
    );
  });
});

describe('forced reconfiguration', () => {
  it('is refused without force on a secondary, and elects on a minority with it', async () => {
    const { world, down } = replicaSet();
    await primaryOf(world('a0:27017'));
    down.add('a');
    down.add('b');
    const c0 = world('c0:27017');
    const conf = await evalJson(c0, 'rs.conf()');
    const survivor = {
      ...conf,
      members: conf.members.filter((m: any) => m.host === 'c0:27017'),
    };
    const plain = await mongosh(
      c0,
      '--eval',
      `rs.reconfig(${JSON.stringify(survivor)})`,
    );
    expect(plain.stderr).toContain('NotWritablePrimary');
    const forced = await mongosh(
      c0,
      '--eval',
      `rs.reconfig(${JSON.stringify(survivor)}, {force: true})`,
    );
    expect(forced.code).toBe(0);
    expect(await primaryOf(c0)).toBe('c0:27017');
    expect((await evalJson(c0, 'rs.conf()')).version).toBe(10001);
    // A member that comes back adopts the higher version, which no longer holds it.
    down.clear();
    const back = await mongosh(world('a0:27017'), '--eval', 'rs.status()');
    expect(back.stderr).toContain('InvalidReplicaSetConfig');
    expect(await primaryOf(world('a0:27017'))).toBe('c0:27017');
  });
});

describe('a pod the configuration does not hold', () => {
  it('answers as a member without a configuration, and takes no writes', async () => {
    const hello = await mongosh(
      undefined,
      '--eval',
      'db.hello().isWritablePrimary',
    );
    expect(hello.stdout).toBe('true\n');
    const outside = await mongoshClient(
      ['--quiet', '--eval', "db.getSiblingDB('app').s.insertOne({})"],
      {
        stdout: () => undefined,
        stderr: () => undefined,
        stdin: async () => '',
      },
      undefined,
      true,
    );
    expect(outside).toBe(1);
  });
});

describe('output formats', () => {
  it('prints documents as mongosh does, and as relaxed Extended JSON', async () => {
    const { world } = replicaSet();
    const shell = await mongosh(
      world('a0:27017'),
      '--eval',
      'rs.status().members[0].optimeDate',
    );
    expect(shell.stdout).toBe("ISODate('1970-01-01T00:16:40.000Z')\n");
    const relaxed = await mongosh(
      world('a0:27017'),
      '--json=relaxed',
      '--eval',
      'rs.status().members[0].optime',
    );
    expect(JSON.parse(relaxed.stdout)).toEqual({
      ts: { $timestamp: { t: 1000, i: 1 } },
      t: 2,
    });
    const ejson = await mongosh(
      world('a0:27017'),
      '--eval',
      'EJSON.stringify(db.hello().lastWrite)',
    );
    expect(JSON.parse(ejson.stdout).lastWriteDate).toEqual({
      $date: '1970-01-01T00:16:40.000Z',
    });
  });
});
