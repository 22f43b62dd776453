import vm from 'node:vm';
import { replsetScript } from './mongodbReplset';

const NOT_YET_INITIALIZED = 94;
const host = (id: number) => `db-${id}.example:27017`;
const wanted = {
  _id: 'db',
  members: [0, 1, 2].map(id => ({
    _id: id,
    host: host(id),
    priority: 1,
    votes: 1,
  })),
};

interface World {
  /** This pod's ordinal. */
  podIndex: number;
  /** What rs.status() does: throw a server error code, or report a state. */
  status: { code: number } | { myState: number };
  /** The members of the current configuration, when initiated. */
  conf?: Array<{ _id: number; host: string }>;
  /** What each peer's hello answers; absent peers do not answer. */
  peers: Record<string, { setName?: string }>;
}

/** Runs the script as mongosh would, against a fake shell; returns the calls it made. */
function run(world: World) {
  const calls: Array<[string, unknown]> = [];
  const error = (code: number) =>
    Object.assign(new Error(`code ${code}`), { code });
  const rs = {
    status: () => {
      if ('code' in world.status) throw error(world.status.code);
      return world.status;
    },
    conf: () => ({ members: world.conf ?? [] }),
    initiate: (config: unknown) => calls.push(['initiate', config]),
    add: (member: unknown) => calls.push(['add', member]),
  };
  const sandbox: Record<string, unknown> = {
    require: (m: string) => {
      expect(m).toBe('fs');
      return { readFileSync: () => JSON.stringify(wanted) };
    },
    process: {
      env: {
        POD_INDEX: String(world.podIndex),
        MONGO_INITIATOR_ID: '0',
        MONGO_PORT: '27017',
        MONGO_INITDB_ROOT_USERNAME: 'root',
        MONGO_INITDB_ROOT_PASSWORD: 'secret',
      },
    },
    print: () => undefined,
    connect: (uri: string) => {
      calls.push(['connect', uri]);
      return { auth: (u: string, p: string) => calls.push(['auth', [u, p]]) };
    },
    Mongo: function Mongo(uri: string) {
      const peer = Object.keys(world.peers).find(h => uri.includes(h));
      return {
        getDB: () => ({
          runCommand: () => {
            if (!peer) throw new Error('server selection timed out');
            return { ok: 1, ...world.peers[peer] };
          },
        }),
      };
    },
    rs,
  };
  vm.runInNewContext(replsetScript('/etc/mongo'), sandbox);
  return calls.filter(([name]) => name === 'initiate' || name === 'add');
}

describe('the replica-set script', () => {
  it('authenticates as the root user against its own mongod', () => {
    const calls: unknown[] = [];
    const sandbox = {
      require: () => ({ readFileSync: () => JSON.stringify(wanted) }),
      process: {
        env: {
          POD_INDEX: '1',
          MONGO_PORT: '27018',
          MONGO_INITDB_ROOT_USERNAME: 'root',
          MONGO_INITDB_ROOT_PASSWORD: 'secret',
        },
      },
      print: () => undefined,
      connect: (uri: string) => {
        calls.push(uri);
        return { auth: (...a: string[]) => calls.push(a) };
      },
      rs: { status: () => ({ myState: 2 }) },
    };
    vm.runInNewContext(replsetScript('/etc/mongo'), sandbox);
    expect(calls).toEqual([
      'mongodb://127.0.0.1:27018/admin?directConnection=true',
      ['root', 'secret'],
    ]);
  });

  it('initiates the set on the designated member, with itself, while it is not initialised', () => {
    expect(
      run({
        podIndex: 0,
        status: { code: NOT_YET_INITIALIZED },
        peers: { [host(1)]: {} },
      }),
    ).toEqual([['initiate', { _id: 'db', members: [wanted.members[0]] }]]);
  });

  it('never initiates on another member', () => {
    expect(
      run({ podIndex: 1, status: { code: NOT_YET_INITIALIZED }, peers: {} }),
    ).toEqual([]);
  });

  it('does not initiate a second set when another member already belongs to one', () => {
    expect(
      run({
        podIndex: 0,
        status: { code: NOT_YET_INITIALIZED },
        peers: { [host(1)]: {}, [host(2)]: { setName: 'db' } },
      }),
    ).toEqual([]);
  });

  it('adds one missing member that answers, on the primary', () => {
    expect(
      run({
        podIndex: 0,
        status: { myState: 1 },
        conf: [{ _id: 0, host: host(0) }],
        peers: { [host(2)]: {} },
      }),
    ).toEqual([['add', wanted.members[2]]]);
    expect(
      run({
        podIndex: 0,
        status: { myState: 1 },
        conf: [{ _id: 0, host: host(0) }],
        peers: { [host(1)]: {}, [host(2)]: {} },
      }),
    ).toEqual([['add', wanted.members[1]]]);
  });

  it('changes nothing on a secondary or when the set is complete', () => {
    const conf = wanted.members.map(({ _id, host: h }) => ({ _id, host: h }));
    const peers = { [host(1)]: {}, [host(2)]: {} };
    expect(
      run({
        podIndex: 1,
        status: { myState: 2 },
        conf: conf.slice(0, 1),
        peers,
      }),
    ).toEqual([]);
    expect(run({ podIndex: 0, status: { myState: 1 }, conf, peers })).toEqual(
      [],
    );
  });

  it('stops on any other error, without initiating', () => {
    expect(() => run({ podIndex: 0, status: { code: 13 }, peers: {} })).toThrow(
      'code 13',
    );
  });
});
