/*
 * pods/exec with the real clients: @kubernetes/client-node's Exec (what the
 * portal's backend uses) and kubectl v1.35, against the MySQL emulator.
 */
import { Writable } from 'node:stream';
import { Exec, KubeConfig, V1Status } from '@kubernetes/client-node';
import type { RunningSimulator } from './simulator';
import { fetchKubectl, KubectlHome } from './testing/kubectl';
import { podRunning, startTestSimulator } from './testing/testWorld';

jest.setTimeout(60000);

let sim: RunningSimulator;
let home: KubectlHome | undefined;

beforeAll(async () => {
  fetchKubectl();
  sim = await startTestSimulator();
  home = new KubectlHome(sim.clusters, 'sim-exec-');
  await podRunning(sim, 'eu-central', 'orders-db-0');
  await podRunning(sim, 'eu-west', 'orders-db-10');
}, 300000);

afterAll(async () => {
  await sim?.stop();
  home?.remove();
});

function kubectl(args: string[]) {
  return home!.run(args);
}

function sink(): Writable & { text(): string } {
  let text = '';
  const w = new Writable({
    write(chunk, _enc, cb) {
      text += chunk.toString();
      cb();
    },
  });
  return Object.assign(w, { text: () => text });
}

describe('@kubernetes/client-node Exec', () => {
  it('runs mysql in the pod and reports the exit status', async () => {
    const c = sim.clusters[1];
    const kc = new KubeConfig();
    kc.loadFromOptions({
      clusters: [{ name: c.name, server: c.httpsUrl, skipTLSVerify: true }],
      users: [{ name: 'u', token: c.token }],
      contexts: [{ name: c.name, cluster: c.name, user: 'u' }],
      currentContext: c.name,
    });
    const run = (command: string[]) =>
      new Promise<{ stdout: string; stderr: string; status: V1Status }>(
        (resolve, reject) => {
          const out = sink();
          const err = sink();
          new Exec(kc)
            .exec(
              'databases',
              'orders-db-10',
              'mysql',
              command,
              out,
              err,
              null,
              false,
              status =>
                resolve({ stdout: out.text(), stderr: err.text(), status }),
            )
            .catch(reject);
        },
      );
    const read = await run(['mysql', '-N', '-e', 'SELECT @@super_read_only']);
    expect(read).toEqual({
      stdout: '1\n',
      stderr: '',
      status: { metadata: {}, status: 'Success' },
    });
    const refused = await run([
      'sh',
      '-c',
      'mysql -uroot -p"s3cret" -e \'INSERT INTO t VALUES (1)\'',
    ]);
    expect(refused.stderr).toBe(
      'mysql: [Warning] Using a password on the command line interface can be insecure.\n' +
        'ERROR 1290 (HY000) at line 1: The MySQL server is running with the --super-read-only option so it cannot execute this statement\n',
    );
    expect(refused.status).toMatchObject({
      status: 'Failure',
      reason: 'NonZeroExitCode',
      details: { causes: [{ reason: 'ExitCode', message: '1' }] },
    });
  });
});

describe('kubectl exec', () => {
  it('reads and sets super_read_only and is refused a write under it', async () => {
    const ex = (sql: string) =>
      kubectl([
        '-n',
        'databases',
        'exec',
        'orders-db-0',
        '--',
        'mysql',
        '-N',
        '-e',
        sql,
      ]);
    expect(await ex('SELECT @@super_read_only')).toEqual({
      code: 0,
      stdout: '0\n',
      stderr: '',
    });
    expect((await ex('SET GLOBAL super_read_only=ON')).code).toBe(0);
    expect((await ex('SELECT @@super_read_only')).stdout).toBe('1\n');
    const refused = await ex('INSERT INTO orders VALUES (1)');
    expect(refused.code).toBe(1);
    expect(refused.stdout).toBe('');
    expect(refused.stderr).toBe(
      'ERROR 1290 (HY000) at line 1: The MySQL server is running with the --super-read-only option so it cannot execute this statement\n' +
        'command terminated with exit code 1\n',
    );
  });

  it('feeds a script on stdin (kubectl exec -i) and prints vertical rows', async () => {
    const source =
      'orders-db-0.eu-central.orders-db.databases.svc.clusterset.local';
    const script = [
      // The StatefulSet's wiring replicates already; this sets it up anew.
      'STOP REPLICA; RESET REPLICA ALL;',
      `CHANGE REPLICATION SOURCE TO SOURCE_HOST='${source}', SOURCE_PORT=3306,`,
      '  SOURCE_AUTO_POSITION=1;',
      'START REPLICA;',
      'SELECT @@read_only AS ro;',
      'SHOW REPLICA STATUS\\G',
      'STOP REPLICA; RESET REPLICA ALL;',
    ].join('\n');
    const r = await home!.run(
      [
        '--context',
        'eu-west',
        '-n',
        'databases',
        'exec',
        '-i',
        'orders-db-10',
        '--',
        'mysql',
      ],
      script,
    );
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(
      /^ro\n1\n\*{27} 1\. row \*{27}\n {13}Replica_IO_State: Waiting for source to send event\n/,
    );
    expect(r.stdout).toContain(`\n                  Source_Host: ${source}\n`);
    expect(r.stdout).toContain('\n           Replica_IO_Running: Yes\n');
  });

  it('says sh: <prog>: not found with exit code 127', async () => {
    const r = await kubectl([
      '-n',
      'databases',
      'exec',
      'orders-db-0',
      '--',
      'pg_isready',
    ]);
    expect(r.code).toBe(127);
    expect(r.stderr).toBe(
      'sh: pg_isready: not found\ncommand terminated with exit code 127\n',
    );
  });
});
