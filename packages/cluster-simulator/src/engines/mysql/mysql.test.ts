/*
 * The MySQL emulator on its own: the SQL subset, the read-only flags, GTID
 * advancement and replication, printed as the mysql client prints them.
 */
import { mysqlClient } from './client';
import { formatGtidSet, isGtidSubset, parseGtidSet } from './gtid';
import {
  MysqlHost,
  MysqlState,
  executedAt,
  initialState,
  WRITE_INTERVAL_MS,
} from './state';
import { splitShellWords } from '../shellWords';

let clock = 1_000_000;

/** Servers in memory, reachable by name unless listed as down. */
function fleet() {
  const states = new Map<string, MysqlState>();
  const down = new Set<string>();
  const hosts = new Map<string, MysqlHost>();
  const host = (name: string, readOnly = false): MysqlHost => {
    states.set(name, initialState(`test/${name}`, readOnly, clock));
    const h: MysqlHost = {
      now: () => clock,
      hostname: name,
      load: () => structuredClone(states.get(name)!),
      save: s => states.set(name, structuredClone(s)),
      source: src => {
        const peer = hosts.get(src.host);
        if (!peer || down.has(src.host))
          return { ok: false, error: 'unreachable' };
        const s = peer.load();
        return {
          ok: true,
          executed: executedAt(s, peer, clock),
          serverUuid: s.serverUuid,
          serverId: s.serverId,
        };
      },
    };
    hosts.set(name, h);
    return h;
  };
  return { host, down, states };
}

async function mysql(h: MysqlHost, ...args: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await mysqlClient(
    args,
    {
      stdout: t => {
        stdout += t;
      },
      stderr: t => {
        stderr += t;
      },
      stdin: async () => '',
    },
    h,
  );
  return { code, stdout, stderr };
}

beforeEach(() => {
  clock = 1_000_000;
});

describe('GTID sets', () => {
  it('parses, merges and prints sets canonically', () => {
    const u = '3e11fa47-71ca-11e1-9e33-c80aa9429562';
    expect(formatGtidSet(parseGtidSet(`${u}:5-7:1-3:4, ${u}:9`))).toBe(
      `${u}:1-7:9`,
    );
    expect(
      isGtidSubset(parseGtidSet(`${u}:2-3`), parseGtidSet(`${u}:1-5`)),
    ).toBe(true);
    expect(isGtidSubset(parseGtidSet(`${u}:6`), parseGtidSet(`${u}:1-5`))).toBe(
      false,
    );
    expect(() => parseGtidSet('nope:1')).toThrow(/Malformed GTID set/);
  });
});

describe('the mysql client against an emulated server', () => {
  it('reads the flags and server uuid in -N form, with a header otherwise', async () => {
    const p = fleet().host('db-0');
    expect(await mysql(p, '-N', '-e', 'SELECT @@super_read_only')).toEqual({
      code: 0,
      stdout: '0\n',
      stderr: '',
    });
    const withHeader = await mysql(
      p,
      '-e',
      'select @@read_only, @@server_uuid AS id',
    );
    expect(withHeader.stdout).toBe(
      `@@read_only\tid\n0\t${p.load().serverUuid}\n`,
    );
    expect(p.load().serverUuid).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('couples super_read_only and read_only as MySQL does', async () => {
    const p = fleet().host('db-0');
    await mysql(p, '-e', 'SET GLOBAL super_read_only=ON');
    expect(
      (await mysql(p, '-N', '-e', 'SELECT @@read_only, @@super_read_only'))
        .stdout,
    ).toBe('1\t1\n');
    await mysql(p, '-e', 'SET PERSIST read_only = OFF');
    expect(
      (await mysql(p, '-N', '-e', 'SELECT @@read_only, @@super_read_only'))
        .stdout,
    ).toBe('0\t0\n');
    const bad = await mysql(p, '-e', "SET GLOBAL read_only='maybe'");
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(
      /^ERROR 1231 \(42000\) at line 1: Variable 'read_only' can't be set/,
    );
    const ro = await mysql(p, '-e', 'SET GLOBAL gtid_executed = 1');
    expect(ro.stderr).toMatch(/ERROR 1238 \(HY000\).*read only variable/);
  });

  it('refuses writes under super_read_only and accepts them otherwise, advancing the GTID set', async () => {
    const p = fleet().host('db-0');
    const uuid = p.load().serverUuid;
    clock += 3 * WRITE_INTERVAL_MS;
    expect((await mysql(p, '-N', '-e', 'SELECT @@gtid_executed')).stdout).toBe(
      `${uuid}:1-3\n`,
    );
    expect((await mysql(p, '-e', 'INSERT INTO t VALUES (1)')).code).toBe(0);
    expect((await mysql(p, '-N', '-e', 'SELECT @@gtid_executed')).stdout).toBe(
      `${uuid}:1-4\n`,
    );
    await mysql(p, '-e', 'SET GLOBAL super_read_only=1');
    clock += 10 * WRITE_INTERVAL_MS;
    const refused = await mysql(p, '-e', 'CREATE TABLE x (id int)');
    expect(refused).toEqual({
      code: 1,
      stdout: '',
      stderr:
        'ERROR 1290 (HY000) at line 1: The MySQL server is running with the --super-read-only option so it cannot execute this statement\n',
    });
    expect((await mysql(p, '-N', '-e', 'SELECT @@gtid_executed')).stdout).toBe(
      `${uuid}:1-4\n`,
    );
  });

  it('stops at the first error and reports its line; unknown SQL is ERROR 1064', async () => {
    const p = fleet().host('db-0');
    const r = await mysql(p, '-N', '-e', 'SELECT 1;\nSELEKT 2;\nSELECT 3');
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('1\n');
    expect(r.stderr).toMatch(
      /^ERROR 1064 \(42000\) at line 2: You have an error in your SQL syntax/,
    );
    expect((await mysql(p, '-e', 'SELECT @@nope')).stderr).toMatch(
      /ERROR 1193 .*Unknown system variable 'nope'/,
    );
  });

  it('warns about a password on the command line but accepts it', async () => {
    const p = fleet().host('db-0');
    for (const pw of [['-psecret'], ['--password=secret']]) {
      const r = await mysql(p, '-uroot', ...pw, '-N', '-e', 'SELECT 1');
      expect(r).toEqual({
        code: 0,
        stdout: '1\n',
        stderr:
          'mysql: [Warning] Using a password on the command line interface can be insecure.\n',
      });
    }
    expect((await mysql(p, '--bogus')).code).toBe(7);
  });

  it('replicates from a reachable source and switches over', async () => {
    const f = fleet();
    const primary = f.host('db-0');
    const replica = f.host('db-1', true);
    expect((await mysql(replica, '-e', 'SHOW REPLICA STATUS')).stdout).toBe('');
    expect(
      (
        await mysql(
          replica,
          '-e',
          "CHANGE REPLICATION SOURCE TO SOURCE_HOST='db-0', SOURCE_PORT=3306, SOURCE_USER='repl', SOURCE_AUTO_POSITION=1; START REPLICA",
        )
      ).code,
    ).toBe(0);
    clock += 4 * WRITE_INTERVAL_MS;
    const puuid = primary.load().serverUuid;
    expect(
      (await mysql(replica, '-N', '-e', 'SELECT @@gtid_executed')).stdout,
    ).toBe(`${puuid}:1-4\n`);
    const vertical = (await mysql(replica, '-e', 'SHOW REPLICA STATUS\\G'))
      .stdout;
    expect(vertical).toContain(
      '*************************** 1. row ***************************',
    );
    expect(vertical).toMatch(/ Replica_IO_Running: Yes\n/);
    expect(vertical).toMatch(/ Seconds_Behind_Source: 0\n/);
    expect(vertical).toMatch(/ Source_Host: db-0\n/);
    expect(vertical).toMatch(new RegExp(` Executed_Gtid_Set: ${puuid}:1-4\\n`));
    const tab = (
      await mysql(replica, '-N', '-e', 'SHOW REPLICA STATUS')
    ).stdout.split('\t');
    expect(tab[1]).toBe('db-0');
    expect(tab[10]).toBe('Yes');

    // Planned switchover: fence, wait for the replica, promote.
    await mysql(primary, '-e', 'SET GLOBAL super_read_only = ON');
    const fenced = (
      await mysql(primary, '-N', '-e', 'SELECT @@gtid_executed')
    ).stdout.trim();
    clock += 10 * WRITE_INTERVAL_MS;
    expect(
      (
        await mysql(
          replica,
          '-N',
          '-e',
          `SELECT WAIT_FOR_EXECUTED_GTID_SET('${fenced}', 1)`,
        )
      ).stdout,
    ).toBe('0\n');
    expect((await mysql(replica, '-e', 'RESET REPLICA ALL')).stderr).toMatch(
      /ERROR 3081/,
    );
    await mysql(
      replica,
      '-e',
      'STOP REPLICA; RESET REPLICA ALL; SET GLOBAL read_only = OFF',
    );
    expect((await mysql(replica, '-e', 'SHOW REPLICA STATUS')).stdout).toBe('');
    clock += 2 * WRITE_INTERVAL_MS;
    const ruuid = replica.load().serverUuid;
    const after = (
      await mysql(replica, '-N', '-e', 'SELECT @@gtid_executed')
    ).stdout.trim();
    expect(parseGtidSet(after)).toEqual(
      parseGtidSet(`${puuid}:1-4,${ruuid}:1-2`),
    );
  });

  it('replicates on a named channel and refuses a channel the server lacks', async () => {
    const f = fleet();
    f.host('db-0');
    const replica = f.host('db-1', true);
    const join =
      "CHANGE REPLICATION SOURCE TO SOURCE_HOST='db-0', SOURCE_AUTO_POSITION=1 FOR CHANNEL 'eu-central'; START REPLICA FOR CHANNEL 'eu-central'";
    expect((await mysql(replica, '-e', join)).code).toBe(0);
    const status = (
      await mysql(
        replica,
        '-e',
        "SHOW REPLICA STATUS FOR CHANNEL 'eu-central'\\G",
      )
    ).stdout;
    expect(status).toMatch(/ Replica_IO_Running: Yes\n/);
    expect(status).toMatch(/ Channel_Name: eu-central\n/);
    const other = await mysql(
      replica,
      '-e',
      "CHANGE REPLICATION SOURCE TO SOURCE_HOST='db-2' FOR CHANNEL 'us-east'",
    );
    expect(other.stderr).toContain(
      "ERROR 3074 (HY000) at line 1: Replication channel 'us-east' does not exist",
    );
    expect(
      (await mysql(replica, '-e', "START REPLICA FOR CHANNEL 'us-east'"))
        .stderr,
    ).toContain("Replication channel 'us-east' does not exist.");
    // Without a channel, STOP and RESET act on every channel.
    await mysql(replica, '-e', 'STOP REPLICA; RESET REPLICA ALL');
    expect((await mysql(replica, '-e', 'SHOW REPLICA STATUS')).stdout).toBe('');
    expect(replica.load().channel).toBeUndefined();
  });

  it('times out waiting for a set a stopped or unreachable source never delivers', async () => {
    const f = fleet();
    f.host('db-0');
    const replica = f.host('db-1', true);
    await mysql(
      replica,
      '-e',
      "CHANGE REPLICATION SOURCE TO SOURCE_HOST='db-0', SOURCE_AUTO_POSITION=1; START REPLICA",
    );
    f.down.add('db-0');
    const status = (await mysql(replica, '-e', 'SHOW REPLICA STATUS\\G'))
      .stdout;
    expect(status).toMatch(/ Replica_IO_Running: Connecting\n/);
    expect(status).toMatch(/ Seconds_Behind_Source: NULL\n/);
    expect(status).toMatch(/ Last_IO_Errno: 2003\n/);
    const want = `${replica.load().serverUuid.replace(/^./, 'a')}:1`;
    const started = Date.now();
    const r = await mysql(
      replica,
      '-N',
      '-e',
      `SELECT WAIT_FOR_EXECUTED_GTID_SET('${want}', 0)`,
    );
    expect(r.stdout).toBe('1\n');
    expect(Date.now() - started).toBeLessThan(1000);
  });
});

describe('a client that goes away', () => {
  it('ends a wait without a timeout', async () => {
    const p = fleet().host('db-0', true);
    let out = '';
    const code = await mysqlClient(
      [
        '-N',
        '-e',
        `SELECT WAIT_FOR_EXECUTED_GTID_SET('${p.load().serverUuid}:1')`,
      ],
      {
        stdout: t => {
          out += t;
        },
        stderr: () => {},
        stdin: async () => '',
        gone: () => true,
      },
      p,
    );
    expect({ code, out }).toEqual({ code: 0, out: '1\n' });
  });
});

describe('sh -c words', () => {
  it('splits quotes, expands the container env and drops assignments', () => {
    expect(
      splitShellWords(`MYSQL_PWD=x mysql -p"$PW" -N -e 'SELECT @@read_only'`, {
        PW: 's3',
      }),
    ).toEqual(['mysql', '-ps3', '-N', '-e', 'SELECT @@read_only']);
    expect(() => splitShellWords('mysql -e "x" | cat', {})).toThrow(
      /not supported/,
    );
  });
});
