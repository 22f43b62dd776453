/*
 * The PostgreSQL emulator through exec, as the demo's inventory-kubefed is
 * laid out (a primary StatefulSet in us-east, a standby one in eu-west):
 * psql's output and exit codes, WAL that advances on the primary and is
 * replayed on the standbys, the read-only refusals, and a switchover and
 * failback run with the commands the failover provider runs (fence,
 * pg_promote, pg_ctl stop, pg_rewind --write-recovery-conf, pg_ctl start).
 */
import type { KubeObject } from '../../controllers/types';
import { ClusterStore } from '../../store/ClusterStore';
import type { ExecTarget, PeerDirectory } from '../programs';
import { runCommand } from '../programs';
import { isPostgresImage, POSTGRES_STATE_ANNOTATION } from './emulator';
import { WRITE_BYTES, WRITE_INTERVAL_MS } from './state';

let clock = 1_000_000;
const NS = 'databases';
const NAME = 'inventory-kubefed';
const SVC = 'inventory-kubefed-headless';
const IMAGE = 'postgres:17';

const PSQL =
  'psql -X -A -t -q -v ON_ERROR_STOP=1 -U "${PGUSER:-${POSTGRES_USER:-postgres}}" -d postgres';
const STATE_QUERY = [
  'SELECT pg_is_in_recovery(),',
  'CASE WHEN pg_is_in_recovery() THEN pg_last_wal_replay_lsn() ELSE pg_current_wal_lsn() END,',
  'pg_last_wal_receive_lsn(),',
  'CASE WHEN NOT pg_is_in_recovery() THEN 0',
  'WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0',
  'ELSE extract(epoch FROM now() - pg_last_xact_replay_timestamp()) END,',
  `to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),`,
  "current_setting('default_transaction_read_only')",
].join(' ');
const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
const psql = (...statements: string[]) => [
  'sh',
  '-c',
  `${PSQL} ${statements.map(s => `-c ${q(s)}`).join(' ')}`,
];
const FENCE = [
  'ALTER SYSTEM SET default_transaction_read_only = on',
  'SELECT pg_reload_conf()',
  "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE backend_type = 'client backend' AND pid <> pg_backend_pid()",
  'CHECKPOINT',
];
const PROMOTE = [
  'SELECT pg_promote(true, 60)',
  'ALTER SYSTEM RESET default_transaction_read_only',
  'SELECT pg_reload_conf()',
  'CHECKPOINT',
];
const rejoin = (conninfo: string) => [
  'sh',
  '-c',
  [
    'set -e',
    'if pg_ctl -D "$PGDATA" status >/dev/null; then pg_ctl -D "$PGDATA" -m fast -w stop; fi',
    `pg_rewind --target-pgdata="$PGDATA" --source-server=${q(
      conninfo,
    )} --write-recovery-conf`,
    'pg_ctl -D "$PGDATA" -l "$PGDATA/rejoin.log" -w -t 60 start',
  ].join('\n'),
];
const mcs = (cluster: string, pod: string) =>
  `host=${pod}.${cluster}.${SVC}.${NS}.svc.clusterset.local port=5432 user=postgres dbname=postgres`;

function side(store: ClusterStore, start: number, passiveOf?: string) {
  const labels = { app: NAME };
  store.create({
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: {
      name: NAME,
      namespace: NS,
      annotations: passiveOf
        ? {
            'multicluster-statefulsets/role': 'passive',
            'multicluster-statefulsets/replication-source': passiveOf,
          }
        : { 'multicluster-statefulsets/role': 'active' },
    },
    spec: {
      replicas: 2,
      ordinals: { start },
      serviceName: SVC,
      selector: { matchLabels: labels },
      template: {
        metadata: { labels },
        spec: { containers: [{ name: 'postgres', image: IMAGE }] },
      },
    },
  });
  for (let i = start; i < start + 2; i++) {
    store.create({
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: { name: `data-${NAME}-${i}`, namespace: NS },
    });
    store.create({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        name: `${NAME}-${i}`,
        namespace: NS,
        uid: `uid-${i}`,
        labels: { ...labels, 'apps.kubernetes.io/pod-index': String(i) },
        ownerReferences: [
          { apiVersion: 'apps/v1', kind: 'StatefulSet', name: NAME, uid: NAME },
        ],
      },
      spec: {
        containers: [{ name: 'postgres', image: IMAGE }],
        volumes: [
          {
            name: 'data',
            persistentVolumeClaim: { claimName: `data-${NAME}-${i}` },
          },
        ],
      },
      status: { phase: 'Running' },
    });
  }
}

function world() {
  const east = new ClusterStore({ name: 'us-east', region: 'r', zones: [] });
  const west = new ClusterStore({ name: 'eu-west', region: 'r', zones: [] });
  for (const s of [east, west])
    s.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } });
  side(east, 20);
  side(west, 10, 'us-east');
  const stores: Record<string, ClusterStore> = {
    'us-east': east,
    'eu-west': west,
  };
  const down = new Set<string>();
  const peers: PeerDirectory = {
    store: n => stores[n],
    reachable: (a, b) => !down.has(a) && !down.has(b),
    names: () => Object.keys(stores),
  };
  async function exec(cluster: string, pod: string, command: string[]) {
    const store = stores[cluster];
    const p = store.peek('', 'Pod', NS, pod)!;
    const target: ExecTarget = {
      store,
      pod: p,
      container: {
        name: 'postgres',
        image: IMAGE,
        env: [{ name: 'PGDATA', value: '/var/lib/postgresql/data/pgdata' }],
      },
      now: () => clock,
      peers,
    };
    let stdout = '';
    let stderr = '';
    const code = await runCommand(command, target, {
      stdout: t => {
        stdout += t;
      },
      stderr: t => {
        stderr += t;
      },
      stdin: async () => '',
    });
    return { code, stdout, stderr };
  }
  const state = async (cluster: string, pod: string) => {
    const r = await exec(cluster, pod, psql(STATE_QUERY));
    expect(r).toMatchObject({ code: 0, stderr: '' });
    const [recovery, lsn, received, , , readOnly] = r.stdout.trim().split('|');
    return { recovery, lsn, received, readOnly };
  };
  return { stores, down, exec, state };
}

beforeEach(() => {
  clock = 1_000_000;
});

describe('the PostgreSQL emulator', () => {
  it('serves the community, Bitnami and PostGIS images, not the operators’ ones', () => {
    expect(isPostgresImage('postgres:17')).toBe(true);
    expect(isPostgresImage('docker.io/bitnami/postgresql:16.4.0')).toBe(true);
    expect(isPostgresImage('postgis/postgis:16-3.4')).toBe(true);
    expect(isPostgresImage('ghcr.io/cloudnative-pg/postgresql:17')).toBe(false);
    expect(isPostgresImage('ghcr.io/zalando/spilo-16:3.3-p1')).toBe(false);
    expect(
      isPostgresImage('quay.io/prometheuscommunity/postgres-exporter'),
    ).toBe(false);
  });

  it('answers as psql does: unaligned tuples, aligned tables, tags, errors and exit codes', async () => {
    const w = world();
    const at = await w.exec('us-east', `${NAME}-20`, [
      'psql',
      '-At',
      '-c',
      'SELECT pg_is_in_recovery(), 42, pg_current_wal_lsn()',
    ]);
    expect(at).toEqual({ code: 0, stdout: 'f|42|0/3000000\n', stderr: '' });
    const table = await w.exec('us-east', `${NAME}-20`, [
      'psql',
      '-X',
      '-c',
      'SELECT pg_is_in_recovery(), 42 AS n',
      '-c',
      'CHECKPOINT',
    ]);
    expect(table.stdout).toBe(
      ' pg_is_in_recovery | n  \n-------------------+----\n f                 | 42\n(1 row)\n\nCHECKPOINT\n',
    );
    const show = await w.exec('eu-west', `${NAME}-10`, [
      'psql',
      '-At',
      '-c',
      'SHOW default_transaction_read_only',
    ]);
    expect(show.stdout).toBe('off\n');
    const promoteOnPrimary = await w.exec('us-east', `${NAME}-20`, [
      'psql',
      '-At',
      '-c',
      'SELECT pg_promote()',
      '-c',
      'SELECT 3',
    ]);
    expect(promoteOnPrimary).toEqual({
      code: 0,
      stdout: '3\n',
      stderr:
        'ERROR:  recovery is not in progress\nHINT:  Recovery control functions can only be executed during recovery.\n',
    });
    const stopped = await w.exec(
      'us-east',
      `${NAME}-20`,
      psql('SELECT pg_promote()', 'SELECT 3'),
    );
    expect(stopped).toMatchObject({ code: 1, stdout: '' });
    const lsnOnStandby = await w.exec('eu-west', `${NAME}-10`, [
      'psql',
      '-At',
      '-c',
      'SELECT pg_current_wal_lsn()',
    ]);
    expect(lsnOnStandby.code).toBe(1);
    expect(lsnOnStandby.stderr).toContain('ERROR:  recovery is in progress');
  });

  it('advances the primary’s WAL with time and replays it on the standbys of both clusters', async () => {
    const w = world();
    expect(await w.state('us-east', `${NAME}-20`)).toEqual({
      recovery: 'f',
      lsn: '0/3000000',
      received: '',
      readOnly: 'off',
    });
    clock += 10 * WRITE_INTERVAL_MS;
    const expected = `0/${(0x3000000 + 10 * WRITE_BYTES)
      .toString(16)
      .toUpperCase()}`;
    expect((await w.state('us-east', `${NAME}-20`)).lsn).toBe(expected);
    expect(await w.state('eu-west', `${NAME}-10`)).toEqual({
      recovery: 't',
      lsn: expected,
      received: expected,
      readOnly: 'off',
    });
    expect((await w.state('us-east', `${NAME}-21`)).lsn).toBe(expected);
    expect((await w.state('eu-west', `${NAME}-11`)).lsn).toBe(expected);
    const receiver = await w.exec('eu-west', `${NAME}-10`, [
      'psql',
      '-At',
      '-c',
      'SELECT status, sender_host, received_tli FROM pg_stat_wal_receiver',
    ]);
    expect(receiver.stdout).toBe(
      `streaming|${NAME}-20.us-east.${SVC}.${NS}.svc.clusterset.local|1\n`,
    );
    const senders = await w.exec('us-east', `${NAME}-20`, [
      'psql',
      '-At',
      '-c',
      'SELECT application_name, state FROM pg_stat_replication',
    ]);
    expect(senders.stdout).toBe(`${NAME}-21|streaming\n${NAME}-10|streaming\n`);
    // A partition stops the replay where it was last stored.
    w.down.add('us-east');
    clock += 10 * WRITE_INTERVAL_MS;
    expect((await w.state('eu-west', `${NAME}-10`)).lsn).not.toBe(
      (await w.state('us-east', `${NAME}-20`)).lsn,
    );
  });

  it('refuses writes on a standby and on a read-only primary, as PostgreSQL does', async () => {
    const w = world();
    const ok = await w.exec('us-east', `${NAME}-20`, [
      'psql',
      '-X',
      '-v',
      'ON_ERROR_STOP=1',
      '-c',
      'CREATE TABLE t (x int)',
      '-c',
      'INSERT INTO t VALUES (1)',
    ]);
    expect(ok).toEqual({
      code: 0,
      stdout: 'CREATE TABLE\nINSERT 0 1\n',
      stderr: '',
    });
    const standby = await w.exec(
      'eu-west',
      `${NAME}-10`,
      psql('INSERT INTO t VALUES (1)'),
    );
    expect(standby).toEqual({
      code: 1,
      stdout: '',
      stderr: 'ERROR:  cannot execute INSERT in a read-only transaction\n',
    });
    await w.exec('us-east', `${NAME}-20`, psql(...FENCE));
    const fenced = await w.exec(
      'us-east',
      `${NAME}-20`,
      psql('CREATE TABLE u (x int)'),
    );
    expect(fenced.stderr).toBe(
      'ERROR:  cannot execute CREATE TABLE in a read-only transaction\n',
    );
    expect((await w.state('us-east', `${NAME}-20`)).readOnly).toBe('on');
  });

  it('switches over and fails back with the provider’s commands, rewinding the old primary', async () => {
    const w = world();
    clock += 4 * WRITE_INTERVAL_MS;
    const fence = await w.exec('us-east', `${NAME}-20`, psql(...FENCE));
    expect(fence).toEqual({ code: 0, stdout: 't\n0\n', stderr: '' });
    const fencedAt = (await w.state('us-east', `${NAME}-20`)).lsn;
    clock += 4 * WRITE_INTERVAL_MS;
    expect((await w.state('us-east', `${NAME}-20`)).lsn).toBe(fencedAt);
    expect((await w.state('eu-west', `${NAME}-10`)).lsn).toBe(fencedAt);
    const promote = await w.exec('eu-west', `${NAME}-10`, psql(...PROMOTE));
    expect(promote).toEqual({ code: 0, stdout: 't\nt\n', stderr: '' });
    expect(await w.state('eu-west', `${NAME}-10`)).toMatchObject({
      recovery: 'f',
      readOnly: 'off',
    });
    // eu-west's other pod follows the promoted server's new timeline through its cluster's primary.
    clock += 2 * WRITE_INTERVAL_MS;
    expect((await w.state('eu-west', `${NAME}-11`)).lsn).toBe(
      (await w.state('eu-west', `${NAME}-10`)).lsn,
    );

    await w.exec('eu-west', `${NAME}-10`, psql('CHECKPOINT'));
    await w.exec(
      'us-east',
      `${NAME}-20`,
      psql('ALTER SYSTEM RESET default_transaction_read_only'),
    );
    const joined = await w.exec(
      'us-east',
      `${NAME}-20`,
      rejoin(mcs('eu-west', `${NAME}-10`)),
    );
    expect(joined.code).toBe(0);
    expect(joined.stdout).toBe(
      'waiting for server to shut down.... done\nserver stopped\nwaiting for server to start.... done\nserver started\n',
    );
    expect(joined.stderr).toMatch(
      /^pg_rewind: servers diverged at WAL location 0\/[0-9A-F]+ on timeline 1\npg_rewind: rewinding from last common checkpoint at .* on timeline 1\npg_rewind: Done!\n$/,
    );
    clock += 2 * WRITE_INTERVAL_MS;
    const primaryLsn = (await w.state('eu-west', `${NAME}-10`)).lsn;
    expect(await w.state('us-east', `${NAME}-20`)).toEqual({
      recovery: 't',
      lsn: primaryLsn,
      received: primaryLsn,
      readOnly: 'off',
    });
    const conf = await w.exec('us-east', `${NAME}-20`, [
      'psql',
      '-At',
      '-c',
      'SHOW primary_conninfo',
    ]);
    expect(conf.stdout).toBe(`${mcs('eu-west', `${NAME}-10`)}\n`);
    // us-east's other pod received the old primary's shutdown checkpoint,
    // past the fork: it cannot follow the new timeline until it is rewound
    // and pointed at the new primary as well.
    const stuck = await w.state('us-east', `${NAME}-21`);
    expect(stuck.lsn).not.toBe(primaryLsn);
    const repointed = await w.exec(
      'us-east',
      `${NAME}-21`,
      rejoin(mcs('eu-west', `${NAME}-10`)),
    );
    expect(repointed.stderr).toContain('pg_rewind: Done!');
    expect((await w.state('us-east', `${NAME}-21`)).lsn).toBe(primaryLsn);

    // Failback: the same steps the other way.
    await w.exec('eu-west', `${NAME}-10`, psql(...FENCE));
    expect((await w.exec('us-east', `${NAME}-20`, psql(...PROMOTE))).code).toBe(
      0,
    );
    await w.exec('us-east', `${NAME}-20`, psql('CHECKPOINT'));
    await w.exec(
      'eu-west',
      `${NAME}-10`,
      psql('ALTER SYSTEM RESET default_transaction_read_only'),
    );
    expect(
      (
        await w.exec(
          'eu-west',
          `${NAME}-10`,
          rejoin(mcs('us-east', `${NAME}-20`)),
        )
      ).code,
    ).toBe(0);
    clock += 2 * WRITE_INTERVAL_MS;
    const back = (await w.state('us-east', `${NAME}-20`)).lsn;
    expect(await w.state('eu-west', `${NAME}-10`)).toMatchObject({
      recovery: 't',
      lsn: back,
    });
    const tli = await w.exec('eu-west', `${NAME}-10`, [
      'psql',
      '-At',
      '-c',
      'SELECT received_tli FROM pg_stat_wal_receiver',
    ]);
    expect(tli.stdout).toBe('3\n');
  });

  it('keeps a diverged old primary out of replication until pg_rewind, and keeps the state on the claim', async () => {
    const w = world();
    clock += 4 * WRITE_INTERVAL_MS;
    // An emergency: us-east is cut off and keeps writing; eu-west is promoted.
    w.down.add('us-east');
    await w.exec('eu-west', `${NAME}-10`, psql('SELECT pg_promote(true, 60)'));
    w.down.delete('us-east');
    clock += 4 * WRITE_INTERVAL_MS;
    const stop = await w.exec('us-east', `${NAME}-20`, [
      'pg_ctl',
      '-D',
      '/data',
      'stop',
      '-m',
      'fast',
    ]);
    expect(stop.code).toBe(0);
    expect(
      await w.exec('us-east', `${NAME}-20`, ['pg_ctl', 'status']),
    ).toMatchObject({ code: 3, stdout: 'pg_ctl: no server running\n' });
    expect((await w.exec('us-east', `${NAME}-20`, psql('SELECT 1'))).code).toBe(
      2,
    );
    // Started as a standby without a rewind, it cannot follow the new timeline.
    await w.exec('us-east', `${NAME}-20`, [
      'sh',
      '-c',
      `echo x >/dev/null; pg_ctl start`,
    ]);
    await w.exec(
      'us-east',
      `${NAME}-20`,
      psql(
        `ALTER SYSTEM SET primary_conninfo = '${mcs('eu-west', `${NAME}-10`)}'`,
      ),
    );
    const pvc = w.stores['us-east'].peek(
      '',
      'PersistentVolumeClaim',
      NS,
      `data-${NAME}-20`,
    )!;
    expect(
      JSON.parse(pvc.metadata.annotations![POSTGRES_STATE_ANNOTATION]),
    ).toMatchObject({ timeline: 1, inRecovery: false });
    const rewound = await w.exec('us-east', `${NAME}-20`, [
      'sh',
      '-c',
      'pg_rewind -D "$PGDATA" --source-server="host=x" -R',
    ]);
    expect(rewound).toMatchObject({
      code: 1,
      stderr: 'pg_rewind: error: target server must be shut down cleanly\n',
    });
    const pod: KubeObject = w.stores['us-east'].peek(
      '',
      'Pod',
      NS,
      `${NAME}-20`,
    )!;
    expect(pod.metadata.name).toBe(`${NAME}-20`);
  });

  it('runs the shell forms the provider uses and refuses the rest', async () => {
    const w = world();
    const p = `${NAME}-20`;
    expect(
      await w.exec('us-east', p, ['sh', '-c', 'set -e\nfalse\necho never']),
    ).toMatchObject({ code: 1, stdout: '' });
    expect(
      await w.exec('us-east', p, ['sh', '-c', 'false; echo went on']),
    ).toMatchObject({ code: 0, stdout: 'went on\n' });
    expect(
      await w.exec('us-east', p, [
        'sh',
        '-c',
        'if pg_ctl status >/dev/null; then echo up; else echo down; fi',
      ]),
    ).toMatchObject({ code: 0, stdout: 'up\n' });
    expect(
      await w.exec('us-east', p, [
        'sh',
        '-c',
        'pg_ctl -D /x status 2>&1 | cat',
      ]),
    ).toMatchObject({ code: 2 });
    expect(
      (
        await w.exec('us-east', p, [
          'sh',
          '-c',
          'psql -c "SELECT 1" > /tmp/out',
        ])
      ).stderr,
    ).toContain('not supported');
    expect(
      await w.exec('us-east', p, [
        'sh',
        '-c',
        'echo "${NOPE:-${PGDATA:-none}}"',
      ]),
    ).toMatchObject({ stdout: '/var/lib/postgresql/data/pgdata\n' });
  });
});
