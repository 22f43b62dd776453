/*
 * pods/exec end to end: the write client against the cluster simulator's
 * API server, which upgrades as kube-apiserver does and runs `mysql` in the
 * demo world's MySQL pods.
 */
import { RunningSimulator } from '@multicluster/cluster-simulator';
import {
  clientsFor,
  FaultyClient,
  startDemoWorld,
} from '../failover/__testUtils__/simulatorWorld';
import { HttpClusterWriteClient } from '../failover/HttpClusterWriteClient';
import { ClusterRequestError } from './ClusterRequestError';

jest.setTimeout(60_000);

const pod = {
  namespace: 'databases',
  pod: 'orders-mysql-0',
  container: 'mysql',
};
// The emulator checks no password (and a real pod would take it from the
// environment, e.g. `-p"$MYSQL_ROOT_PASSWORD"`).
const mysql = (sql: string) => ['mysql', '-uroot', '-N', '-e', sql];

describe('pods/exec against the cluster simulator', () => {
  let sim: RunningSimulator;
  let client: HttpClusterWriteClient;

  beforeAll(async () => {
    sim = await startDemoWorld();
    client = clientsFor(sim, 5_000).find(c => c.cluster === 'eu-central')!;
    const deadline = Date.now() + 30_000;
    for (;;) {
      const p = await client.get(
        `/api/v1/namespaces/${pod.namespace}/pods/${pod.pod}`,
      );
      if (p?.status?.phase === 'Running') break;
      if (Date.now() > deadline) throw new Error(`${pod.pod} is not Running`);
      await new Promise(r => setTimeout(r, 200));
    }
  });

  afterAll(() => sim?.stop());

  it('runs mysql in the pod and reads its output and exit code', async () => {
    const result = await client.exec(pod, mysql('SELECT @@gtid_mode'), {
      timeoutMs: 10_000,
    });
    expect(result).toMatchObject({ exitCode: 0, stdout: 'ON\n' });
  });

  it('returns a failing statement as a non-zero exit with its error', async () => {
    const result = await client.exec(pod, mysql('SELEKT 1'), {
      timeoutMs: 10_000,
    });
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain('ERROR 1064 (42000)');
  });

  it("lets the cluster's RBAC judge an impersonated exec", async () => {
    const err = await client
      .impersonating({ user: 'visitor', groups: ['readers'] })
      .exec(pod, mysql('SELECT 1'), { timeoutMs: 5_000 })
      .catch(e => e);
    expect(err).toBeInstanceOf(ClusterRequestError);
    expect(err.statusCode).toBe(403);
    expect(err.message).toContain(
      "the cluster's RBAC does not let user visitor (groups readers) create pods/exec",
    );
  });

  it('lets fault tests fail an exec on its pod path', async () => {
    const faulty = new FaultyClient(client);
    faulty.failWith = (method, path) =>
      method === 'EXEC' && path.endsWith('/orders-mysql-0/exec')
        ? 503
        : undefined;
    await expect(faulty.exec(pod, mysql('SELECT 1'))).rejects.toThrow(
      'injected HTTP 503',
    );
    faulty.failWith = undefined;
    await expect(faulty.exec(pod, mysql('SELECT 1'))).resolves.toMatchObject({
      exitCode: 0,
      stdout: '1\n',
    });
  });

  it('answers a missing pod with a 404 naming the cluster', async () => {
    const err = await client
      .exec({ ...pod, pod: 'orders-mysql-9' }, ['true'], { timeoutMs: 5_000 })
      .catch(e => e);
    expect(err).toBeInstanceOf(ClusterRequestError);
    expect(err.statusCode).toBe(404);
    expect(err.message).toContain(
      'exec in pod databases/orders-mysql-9 of eu-central: HTTP 404',
    );
  });
});
