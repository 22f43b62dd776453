import http from 'node:http';
import { AddressInfo } from 'node:net';
import { mockCredentials, mockServices } from '@backstage/backend-test-utils';
import { createMockActionContext } from '@backstage/plugin-scaffolder-node-test-utils';
import { parse } from 'yaml';
import { StatefulsetsBackendClient } from '../backend/StatefulsetsBackendClient';
import { createFailoverAction, failoverPath } from './failover';
import { examples } from './failover.examples';

/** A stand-in for the backend plugin's failover routes, on loopback. */
async function startBackend(runStatuses: string[]) {
  const calls: Array<{
    method: string;
    path: string;
    auth?: string;
    body: any;
  }> = [];
  let reads = 0;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', c => chunks.push(c));
    req.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
      calls.push({
        method: req.method!,
        path: req.url!,
        auth: req.headers.authorization,
        body,
      });
      let answer: unknown;
      let status = 200;
      if (req.url!.endsWith('/plan')) {
        answer = { allowed: true, checks: [{ id: 'lag', status: 'pass' }] };
      } else if (req.method === 'POST') {
        status = 202;
        answer = { id: 'run-7' };
      } else {
        const s = runStatuses[Math.min(reads, runStatuses.length - 1)];
        reads += 1;
        answer = {
          id: 'run-7',
          status: s,
          rpoSeconds: 0.5,
          rtoMs: 900,
          error: s === 'rolled-back' ? 'target went down' : undefined,
          steps: [{ index: 0, title: 'Fence the source', status: 'succeeded' }],
        };
      }
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(answer));
    });
  });
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    calls,
    baseUrl: `http://127.0.0.1:${port}/api/multicluster-statefulsets`,
    close: () => new Promise(resolve => server.close(resolve)),
  };
}

describe('multicluster:failover', () => {
  let backend: Awaited<ReturnType<typeof startBackend>>;
  const auth = mockServices.auth.mock({
    getPluginRequestToken: async () => ({ token: 'tok-failover' }),
  });
  afterEach(() => backend?.close());

  function setup(input: Record<string, unknown>, extra: object = {}) {
    const action = createFailoverAction({
      client: StatefulsetsBackendClient.create({
        discovery: mockServices.discovery.mock({
          getBaseUrl: async () => backend.baseUrl,
        }),
        auth,
      }),
      pollIntervalMs: 5,
    });
    const user = mockCredentials.user('user:default/guest');
    const ctx = {
      ...createMockActionContext({ input: input as any }),
      getInitiatorCredentials: async () => user,
      ...extra,
    } as any;
    return { action, ctx, user };
  }

  const outputs = (ctx: any) =>
    Object.fromEntries(
      (ctx.output as jest.Mock).mock.calls.map(([k, v]) => [k, v]),
    );

  it('runs every example against the backend', async () => {
    for (const example of examples) {
      backend = await startBackend(['running', 'succeeded']);
      const step = parse(example.example).steps[0];
      const { action, ctx, user } = setup({
        timeoutSeconds: 600,
        ...step.input,
      });
      await action.handler(ctx);
      expect(auth.getPluginRequestToken).toHaveBeenCalledWith({
        onBehalfOf: user,
        targetPluginId: 'multicluster-statefulsets',
      });
      const start = backend.calls.find(c => c.method === 'POST')!;
      expect(start.path).toBe(
        `/api/multicluster-statefulsets${failoverPath(
          step.input.entityRef,
        )}/runs`,
      );
      expect(start.body).toMatchObject({
        targetCluster: step.input.targetCluster,
        mode: step.input.mode,
        confirm: 'orders-mysql',
      });
      expect(start.auth).toBe('Bearer tok-failover');
      expect(outputs(ctx)).toMatchObject({
        runId: 'run-7',
        status: 'succeeded',
        rtoMs: 900,
      });
      await backend.close();
    }
  });

  it.each(['rolled-back', 'rolled-back-with-pending-repair'])(
    'fails with the outcome when the run ends %s',
    async status => {
      backend = await startBackend(['running', status]);
      const { action, ctx } = setup({
        entityRef: 'component:default/orders-mysql',
        targetCluster: 'eu-west',
        mode: 'switchover',
        confirm: 'orders-mysql',
        timeoutSeconds: 60,
      });
      await expect(action.handler(ctx)).rejects.toThrow(
        `Run run-7 ended ${status}`,
      );
    },
  );

  it('refuses without the entity name as confirmation, calling nothing', async () => {
    backend = await startBackend(['succeeded']);
    const { action, ctx } = setup({
      entityRef: 'component:default/orders-mysql',
      targetCluster: 'eu-west',
      mode: 'switchover',
      confirm: 'orders',
      timeoutSeconds: 60,
    });
    await expect(action.handler(ctx)).rejects.toThrow(
      /confirm: type the entity's name "orders-mysql"/,
    );
    expect(backend.calls).toHaveLength(0);
  });

  it('returns only the plan in a dry run', async () => {
    backend = await startBackend(['succeeded']);
    const { action, ctx } = setup(
      {
        entityRef: 'component:default/orders-mysql',
        targetCluster: 'eu-west',
        mode: 'switchover',
        confirm: 'orders-mysql',
        timeoutSeconds: 60,
      },
      { isDryRun: true },
    );
    await action.handler(ctx);
    expect(backend.calls.map(c => c.path)).toEqual([
      `/api/multicluster-statefulsets${failoverPath(
        'component:default/orders-mysql',
      )}/plan`,
    ]);
    expect(backend.calls[0].body).toEqual({
      targetCluster: 'eu-west',
      mode: 'switchover',
    });
    expect(backend.calls[0].auth).toBe('Bearer tok-failover');
    expect(outputs(ctx)).toMatchObject({ status: 'planned' });
  });

  it('starts and reads the run on behalf of the initiator on every call', async () => {
    backend = await startBackend(['running', 'running', 'succeeded']);
    auth.getPluginRequestToken.mockClear();
    const { action, ctx, user } = setup({
      entityRef: 'component:default/orders-mysql',
      targetCluster: 'eu-west',
      mode: 'failover',
      confirm: 'orders-mysql',
      force: true,
      timeoutSeconds: 60,
    });
    await action.handler(ctx);
    const base = `/api/multicluster-statefulsets${failoverPath(
      'component:default/orders-mysql',
    )}`;
    expect(backend.calls.map(c => `${c.method} ${c.path}`)).toEqual([
      `POST ${base}/runs`,
      `GET ${base}/runs/run-7`,
      `GET ${base}/runs/run-7`,
      `GET ${base}/runs/run-7`,
    ]);
    expect(backend.calls[0].body).toEqual({
      targetCluster: 'eu-west',
      mode: 'failover',
      confirm: 'orders-mysql',
      force: true,
    });
    // One token per call, each minted for the user, never for the module.
    expect(auth.getPluginRequestToken).toHaveBeenCalledTimes(4);
    for (const [request] of auth.getPluginRequestToken.mock.calls) {
      expect(request.onBehalfOf).toBe(user);
    }
    expect(auth.getOwnServiceCredentials).not.toHaveBeenCalled();
  });
});
