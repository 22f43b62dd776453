import { KubeConfig } from '@kubernetes/client-node';
import {
  FailoverChange,
  FailoverRunDetails,
  FailoverRunStep,
} from '@multicluster/backstage-plugin-statefulsets-common';
import {
  exitStatus,
  FakeExecServer,
  startFakeExecServer,
} from '../cluster/__testUtils__/fakeExecServer';
import { createRunContext } from './createRunContext';
import { DatabaseFailoverStore } from './DatabaseFailoverStore';
import { HttpClusterWriteClient } from './HttpClusterWriteClient';

function kubeConfig(url: string): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'eu-west', server: url, skipTLSVerify: true }],
    users: [{ name: 'backend', token: 'backend-token' }],
    contexts: [{ name: 'c', cluster: 'eu-west', user: 'backend' }],
    currentContext: 'c',
  });
  return kc;
}

const workload = {
  apiVersion: 'apps/v1',
  kind: 'StatefulSet',
  namespace: 'databases',
  name: 'orders-mysql',
};

function drainRun(): FailoverRunDetails {
  return {
    id: 'run-1',
    entityRef: 'component:default/orders',
    mode: 'drain',
    targetCluster: 'eu-west',
    plan: {
      workloads: { 'eu-west': workload },
      routing: 'none',
      writeIdentity: { user: 'ann', groups: ['dbas'] },
    },
  } as unknown as FailoverRunDetails;
}

describe('createRunContext exec', () => {
  let server: FakeExecServer;
  beforeEach(async () => {
    server = await startFakeExecServer({
      offers: ['v5.channel.k8s.io', 'v4.channel.k8s.io'],
      run: (_call, ch) => {
        ch.send(1, 'replica stopped\n');
        ch.status(exitStatus(0));
      },
    });
  });
  afterEach(() => server.close());

  function context(guard: () => Promise<void>) {
    const saved: FailoverChange[][] = [];
    const store = {
      updateStep: async (
        _l: unknown,
        _i: number,
        u: { changes: FailoverChange[] },
      ) => {
        saved.push(structuredClone(u.changes));
      },
    } as unknown as DatabaseFailoverStore;
    const client = HttpClusterWriteClient.fromKubeConfig(
      'eu-west',
      kubeConfig(server.url),
      { timeoutMs: 2_000 },
    );
    const ctx = createRunContext(
      { store, clients: [client], providers: [], routers: [], now: Date.now },
      drainRun(),
      { runId: 'run-1', owner: 'me', epoch: 1 },
      { signal: new AbortController().signal, guard },
    );
    ctx.journal.step = {
      index: 2,
      title: 'Stop replication',
    } as FailoverRunStep;
    return { ctx, saved };
  }

  it('runs an exec as the run identity, journaled in the current step', async () => {
    const guard = jest.fn(async () => {});
    const { ctx, saved } = context(guard);
    const result = await ctx.target.client.exec!(
      { namespace: 'databases', pod: 'orders-mysql-0' },
      ['sh', '-c', 'mysql -e "STOP REPLICA" -p"$MYSQL_PWD"'],
      { timeoutMs: 2_000 },
    );
    expect(result).toMatchObject({ exitCode: 0, stdout: 'replica stopped\n' });
    expect(guard).toHaveBeenCalledTimes(1);
    expect(server.calls[0].headers['impersonate-user']).toBe('ann');
    expect(server.calls[0].headers['impersonate-group']).toBe('dbas');
    expect(saved.at(-1)).toEqual([
      expect.objectContaining({
        action: 'exec',
        state: 'applied',
        exitCode: 0,
        output: 'replica stopped\n',
      }),
    ]);
  });

  it('runs no exec once the lease is lost', async () => {
    const { ctx } = context(async () => {
      throw new Error('lease lost');
    });
    await expect(
      ctx.target.client.exec!(
        { namespace: 'databases', pod: 'orders-mysql-0' },
        ['true'],
      ),
    ).rejects.toThrow('lease lost');
    expect(server.calls).toHaveLength(0);
  });
});
