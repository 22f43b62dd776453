/*
 * pods/exec over WebSocket as kube-apiserver serves it: subprotocol
 * negotiation, the channels and the exit Status, the checks made before the
 * upgrade (RBAC, missing pod, pod not running), and the MySQL state kept in
 * the store across a restart.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import WebSocket from 'ws';
import type { RunningSimulator } from '../../simulator';
import {
  podRunning,
  startTestSimulator,
  oneClusterWorld,
} from '../../testing/testWorld';
import { MYSQL_STATE_ANNOTATION } from '../../engines/mysql/emulator';

jest.setTimeout(30000);

interface Outcome {
  protocol: string;
  frames: Array<{ channel: number; text: string }>;
  stdout: string;
  stderr: string;
  status: any;
}

function execUrl(base: string, pod: string, command: string[], extra = '') {
  const q = command.map(c => `command=${encodeURIComponent(c)}`).join('&');
  return `${base.replace(
    /^http/,
    'ws',
  )}/api/v1/namespaces/databases/pods/${pod}/exec?${q}&container=mysql&stdout=1&stderr=1${extra}`;
}

/** Runs an exec; resolves with what came back, or rejects with the HTTP answer. */
function exec(
  base: string,
  token: string,
  pod: string,
  command: string[],
  protocols = ['v5.channel.k8s.io', 'v4.channel.k8s.io'],
): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(execUrl(base, pod, command), protocols, {
      headers: { Authorization: `Bearer ${token}` },
    });
    const frames: Outcome['frames'] = [];
    ws.on('message', (d: Buffer) =>
      frames.push({ channel: d[0], text: d.subarray(1).toString() }),
    );
    ws.on('unexpected-response', (_req, res) => {
      let body = '';
      res.on('data', c => (body += c));
      res.on('end', () =>
        reject(
          Object.assign(new Error(body), {
            code: res.statusCode,
            body: JSON.parse(body),
          }),
        ),
      );
    });
    ws.on('error', reject);
    ws.on('close', () => {
      const on = (ch: number) =>
        frames
          .filter(f => f.channel === ch)
          .map(f => f.text)
          .join('');
      resolve({
        protocol: ws.protocol,
        frames,
        stdout: on(1),
        stderr: on(2),
        status: JSON.parse(on(3)),
      });
    });
  });
}

const SELECT_SRO = ['mysql', '-N', '-e', 'SELECT @@super_read_only'];

describe('pods/exec over WebSocket', () => {
  let sim: RunningSimulator;
  let url: string;
  let token: string;

  beforeAll(async () => {
    sim = await startTestSimulator();
    ({ url, token } = sim.clusters[0]);
    await podRunning(sim, 'eu-central', 'orders-db-0');
  });
  afterAll(() => sim.stop());

  it('negotiates v5, writes stdout on channel 1 and Success on channel 3', async () => {
    const r = await exec(url, token, 'orders-db-0', SELECT_SRO);
    expect(r.protocol).toBe('v5.channel.k8s.io');
    expect(r.stdout).toBe('0\n');
    expect(r.stderr).toBe('');
    expect(r.status).toEqual({ metadata: {}, status: 'Success' });
    expect(r.frames[r.frames.length - 1].channel).toBe(3);
  });

  it('speaks v4 to a client that offers only v4', async () => {
    const r = await exec(url, token, 'orders-db-0', SELECT_SRO, [
      'v4.channel.k8s.io',
    ]);
    expect(r.protocol).toBe('v4.channel.k8s.io');
    expect(r.stdout).toBe('0\n');
  });

  it('refuses other subprotocols with 400 before upgrading', async () => {
    await expect(
      exec(url, token, 'orders-db-0', SELECT_SRO, ['channel.k8s.io']),
    ).rejects.toMatchObject({ code: 400, body: { reason: 'BadRequest' } });
  });

  it('reports a non-zero exit code in the Failure status, with stderr', async () => {
    const r = await exec(url, token, 'orders-db-0', [
      'sh',
      '-c',
      "mysql -e 'SELEKT 1'",
    ]);
    expect(r.stderr).toMatch(/^ERROR 1064 \(42000\) at line 1: /);
    expect(r.status).toMatchObject({
      status: 'Failure',
      reason: 'NonZeroExitCode',
      details: { causes: [{ reason: 'ExitCode', message: '1' }] },
    });
    expect(r.status.message).toMatch(
      /^command terminated with non-zero exit code: /,
    );
    const missing = await exec(url, token, 'orders-db-0', [
      'psql',
      '-c',
      'select 1',
    ]);
    expect(missing.stderr).toBe('sh: psql: not found\n');
    expect(missing.status.details.causes[0].message).toBe('127');
  });

  it('answers 404 for a missing pod and 400 for a pod without a host', async () => {
    await expect(exec(url, token, 'nope-0', SELECT_SRO)).rejects.toMatchObject({
      code: 404,
      body: { reason: 'NotFound', details: { name: 'nope-0', kind: 'pods' } },
    });
    sim.stores.get('eu-central')!.create({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'loose', namespace: 'databases' },
      spec: { containers: [{ name: 'mysql', image: 'mysql:8.4' }] },
    });
    await expect(exec(url, token, 'loose', SELECT_SRO)).rejects.toMatchObject({
      code: 400,
      body: { message: 'pod loose does not have a host assigned' },
    });
    const pending = sim.stores.get('eu-central')!.create({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'waiting', namespace: 'databases' },
      spec: {
        nodeName: 'nowhere',
        containers: [{ name: 'mysql', image: 'mysql:8.4' }],
      },
      status: { phase: 'Pending' },
    });
    expect(pending.status?.phase).toBe('Pending');
    const refused = await exec(url, token, 'waiting', SELECT_SRO).catch(e => e);
    expect(refused).toMatchObject({
      code: 400,
      body: { reason: 'BadRequest' },
    });
    expect(refused.body.message).toContain(
      'pod waiting is Pending, not Running',
    );
  });

  it('keeps the server state on the data volume claim', async () => {
    await exec(url, token, 'orders-db-0', [
      'mysql',
      '-e',
      'SET GLOBAL super_read_only=ON',
    ]);
    const pvc = sim.stores
      .get('eu-central')!
      .peek('', 'PersistentVolumeClaim', 'databases', 'data-orders-db-0');
    expect(
      JSON.parse(pvc!.metadata.annotations![MYSQL_STATE_ANNOTATION]),
    ).toMatchObject({
      readOnly: true,
      superReadOnly: true,
    });
    await exec(url, token, 'orders-db-0', [
      'mysql',
      '-e',
      'SET GLOBAL read_only=OFF',
    ]);
  });

  it('replicates across clusters through the clusterset name and stops at a partition', async () => {
    const west = sim.clusters[1];
    await podRunning(sim, 'eu-west', 'orders-db-10');
    const host =
      'orders-db-0.eu-central.orders-db.databases.svc.clusterset.local';
    const setup = await exec(west.url, west.token, 'orders-db-10', [
      'mysql',
      '-e',
      // Its StatefulSet's wiring replicates already; this sets it up anew.
      `STOP REPLICA; RESET REPLICA ALL; CHANGE REPLICATION SOURCE TO SOURCE_HOST='${host}', SOURCE_PORT=3306, SOURCE_AUTO_POSITION=1; START REPLICA`,
    ]);
    expect(setup.status.status).toBe('Success');
    await exec(url, token, 'orders-db-0', [
      'mysql',
      '-e',
      'INSERT INTO t VALUES (1)',
    ]);
    const primary = (
      await exec(url, token, 'orders-db-0', [
        'mysql',
        '-N',
        '-e',
        'SELECT @@server_uuid',
      ])
    ).stdout.trim();
    const status = await exec(west.url, west.token, 'orders-db-10', [
      'mysql',
      '-e',
      'SHOW REPLICA STATUS\\G',
    ]);
    expect(status.stdout).toMatch(/ Replica_IO_Running: Yes\n/);
    expect(status.stdout).toMatch(
      new RegExp(` Executed_Gtid_Set: ${primary}:1(-\\d+)?\n`),
    );
    // The primary takes two simulated writes a second; the replica follows.
    const now = (
      await exec(url, token, 'orders-db-0', [
        'mysql',
        '-N',
        '-e',
        'SELECT @@gtid_executed',
      ])
    ).stdout.trim();
    const next = Number(/:1-(\d+)$/.exec(now)?.[1] ?? 1) + 2;
    const started = Date.now();
    const waited = await exec(west.url, west.token, 'orders-db-10', [
      'mysql',
      '-N',
      '-e',
      `SELECT WAIT_FOR_EXECUTED_GTID_SET('${primary}:1-${next}', 10)`,
    ]);
    expect(waited.stdout).toBe('0\n');
    expect(Date.now() - started).toBeGreaterThanOrEqual(400);
    sim.admin.partition('eu-west', 'eu-central');
    const cut = await exec(west.url, west.token, 'orders-db-10', [
      'mysql',
      '-e',
      'SHOW REPLICA STATUS\\G',
    ]);
    expect(cut.stdout).toMatch(/ Replica_IO_Running: Connecting\n/);
    sim.admin.heal();
  });
});

describe('pods/exec authorization and persistence', () => {
  it('needs create on pods/exec under RBAC', async () => {
    const sim = await startTestSimulator(
      oneClusterWorld(
        {
          rbac: true,
          users: [
            { token: 'ann-token', user: 'ann', groups: ['dbas'] },
            { token: 'bob-token', user: 'bob', groups: ['viewers'] },
          ],
        },
        [
          {
            apiVersion: 'rbac.authorization.k8s.io/v1',
            kind: 'Role',
            metadata: { name: 'exec', namespace: 'databases' },
            rules: [
              { apiGroups: [''], resources: ['pods/exec'], verbs: ['create'] },
            ],
          },
          {
            apiVersion: 'rbac.authorization.k8s.io/v1',
            kind: 'RoleBinding',
            metadata: { name: 'dbas-exec', namespace: 'databases' },
            roleRef: {
              apiGroup: 'rbac.authorization.k8s.io',
              kind: 'Role',
              name: 'exec',
            },
            subjects: [{ kind: 'Group', name: 'dbas' }],
          },
        ],
      ),
    );
    try {
      const { url } = sim.clusters[0];
      await podRunning(sim, 'eu-central', 'orders-db-0');
      await expect(
        exec(url, 'bob-token', 'orders-db-0', SELECT_SRO),
      ).rejects.toMatchObject({
        code: 403,
        body: { reason: 'Forbidden' },
      });
      const err = await exec(url, 'bob-token', 'orders-db-0', SELECT_SRO).catch(
        e => e,
      );
      expect(err.body.message).toContain('cannot create resource "pods/exec"');
      expect(
        (await exec(url, 'ann-token', 'orders-db-0', SELECT_SRO)).stdout,
      ).toBe('0\n');
    } finally {
      await sim.stop();
    }
  });

  it('keeps the flags and server uuid across a restart with --state-dir', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sim-exec-'));
    const start = () =>
      startTestSimulator(oneClusterWorld(), { stateDir: dir });
    const running = (s: RunningSimulator) =>
      podRunning(s, 'eu-central', 'orders-db-0');
    let sim = await start();
    await running(sim);
    let c = sim.clusters[0];
    await exec(c.url, c.token, 'orders-db-0', [
      'mysql',
      '-e',
      'SET PERSIST super_read_only = ON',
    ]);
    const uuid = (
      await exec(c.url, c.token, 'orders-db-0', [
        'mysql',
        '-N',
        '-e',
        'SELECT @@server_uuid',
      ])
    ).stdout;
    await sim.stop();
    sim = await start();
    try {
      await running(sim);
      c = sim.clusters[0];
      const r = await exec(c.url, c.token, 'orders-db-0', [
        'mysql',
        '-N',
        '-e',
        'SELECT @@super_read_only, @@server_uuid',
      ]);
      expect(r.stdout).toBe(`1\t${uuid}`);
    } finally {
      await sim.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
