import http from 'node:http';
import { AddressInfo } from 'node:net';
import {
  createMockDirectory,
  mockCredentials,
  mockServices,
} from '@backstage/backend-test-utils';
import { createMockActionContext } from '@backstage/plugin-scaffolder-node-test-utils';
import { parse } from 'yaml';
import { StatefulsetsBackendClient } from '../backend/StatefulsetsBackendClient';
import { createApplyStatefulSetAction } from './apply';
import { examples } from './apply.examples';

const REF = 'component:default/orders-db';

const FILES = {
  'clusters/eu-central/service.yaml': [
    'apiVersion: v1',
    'kind: Service',
    'metadata:',
    '  name: orders-db',
    'spec:',
    '  ports: [{ port: 3306 }]',
  ].join('\n'),
  'clusters/eu-central/statefulset.yaml': [
    '# rendered for review',
    'apiVersion: apps/v1',
    'kind: StatefulSet',
    'metadata:',
    '  name: orders-db',
    '  namespace: orders',
    '---',
    'apiVersion: v1',
    'kind: PersistentVolume',
    'metadata:',
    '  name: orders-db-shared',
  ].join('\n'),
  'clusters/eu-west/service.yaml': [
    'apiVersion: v1',
    'kind: Service',
    'metadata:',
    '  name: orders-db',
    '  namespace: orders',
  ].join('\n'),
  'catalog-info.yaml': [
    'apiVersion: backstage.io/v1alpha1',
    'kind: Component',
    'metadata:',
    '  name: orders-db',
    'spec:',
    '  type: database',
    '  lifecycle: production',
    '  owner: group:default/dba',
  ].join('\n'),
};

const CLUSTERS = [
  {
    name: 'eu-central',
    manifests: [
      'clusters/eu-central/service.yaml',
      'clusters/eu-central/statefulset.yaml',
    ],
  },
  { name: 'eu-west', manifests: ['clusters/eu-west/service.yaml'] },
];

type Handler = (body: any) => { status: number; body: unknown };

/** A stand-in for the backend plugin's `POST /apply`, on loopback. */
async function startBackend(handler: Handler) {
  const calls: Array<{ path: string; auth?: string; body: any }> = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', c => chunks.push(c));
    req.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
      calls.push({ path: req.url!, auth: req.headers.authorization, body });
      const answer = handler(body);
      res.writeHead(answer.status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(answer.body));
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

/** Answers ok for every cluster except those listed as failing. */
function answering(failing: string[] = []): Handler {
  return body => ({
    status: 200,
    body: {
      entityRef: body.entityRef,
      dryRun: body.dryRun,
      registered: failing.length === 0 && !!body.catalogInfo,
      results: body.clusters.map((c: any) =>
        failing.includes(c.name)
          ? {
              cluster: c.name,
              status: 'failed',
              objects: [],
              error: 'connection refused',
            }
          : {
              cluster: c.name,
              status: 'ok',
              objects: c.manifests.map((m: any) => ({
                kind: m.kind,
                name: m.metadata.name,
                action: 'created',
              })),
            },
      ),
    },
  });
}

/** Checkpoints with the scaffolder's semantics: a success is replayed, a failure is not kept. */
function checkpointStore() {
  const saved = new Map<string, any>();
  return {
    saved,
    async checkpoint(opts: { key: string; fn: () => Promise<any> }) {
      if (saved.has(opts.key)) return saved.get(opts.key);
      const value = await opts.fn();
      saved.set(opts.key, value);
      return value;
    },
  };
}

describe('multicluster:statefulset:apply', () => {
  const workspace = createMockDirectory();
  let backend: Awaited<ReturnType<typeof startBackend>>;
  const auth = mockServices.auth.mock({
    getPluginRequestToken: async () => ({ token: 'tok-apply' }),
  });

  beforeEach(() => {
    workspace.setContent(FILES);
    auth.getPluginRequestToken.mockClear();
  });
  afterEach(() => backend?.close());

  function setup(handler: Handler, extra: Record<string, unknown> = {}) {
    const action = createApplyStatefulSetAction({
      client: StatefulsetsBackendClient.create({
        discovery: mockServices.discovery.mock({
          getBaseUrl: async () => backend.baseUrl,
        }),
        auth,
      }),
    });
    const user = mockCredentials.user('user:default/ada');
    const ctx = {
      ...createMockActionContext({
        input: { entityRef: REF, namespace: 'orders', clusters: CLUSTERS },
        workspacePath: workspace.path,
      }),
      getInitiatorCredentials: async () => user,
      ...extra,
    } as any;
    return { action, ctx, user, handler };
  }

  function outputs(ctx: any): Record<string, any> {
    return Object.fromEntries(
      (ctx.output as jest.Mock).mock.calls.map(([k, v]) => [k, v]),
    );
  }

  it('sends the parsed manifests in order on behalf of the initiator and registers', async () => {
    backend = await startBackend(answering());
    const { action, ctx, user } = setup(answering());

    await action.handler(ctx);

    expect(auth.getPluginRequestToken).toHaveBeenCalledWith({
      onBehalfOf: user,
      targetPluginId: 'multicluster-statefulsets',
    });
    expect(backend.calls).toHaveLength(1);
    const [call] = backend.calls;
    expect(call.path).toBe('/api/multicluster-statefulsets/apply');
    expect(call.auth).toBe('Bearer tok-apply');
    expect(call.body.dryRun).toBe(false);
    expect(call.body.catalogInfo).toEqual(parse(FILES['catalog-info.yaml']));
    const central = call.body.clusters[0];
    expect(central.manifests.map((m: any) => [m.kind, m.metadata])).toEqual([
      // The default namespace fills in where a namespaced object names none…
      ['Service', { name: 'orders-db', namespace: 'orders' }],
      ['StatefulSet', { name: 'orders-db', namespace: 'orders' }],
      // …but never on cluster-scoped kinds.
      ['PersistentVolume', { name: 'orders-db-shared' }],
    ]);
    const out = outputs(ctx);
    expect(out.results.map((r: any) => [r.cluster, r.status])).toEqual([
      ['eu-central', 'ok'],
      ['eu-west', 'ok'],
    ]);
    expect(out.entityRef).toBe(REF);
    expect(out.catalogUrl).toBe('/catalog/default/component/orders-db');
    expect(out.registered).toBe(true);
  });

  it('asks for a dry run, sends no entity and records no checkpoint', async () => {
    backend = await startBackend(answering());
    const store = checkpointStore();
    const { action, ctx } = setup(answering(), {
      isDryRun: true,
      checkpoint: store.checkpoint,
    });

    await action.handler(ctx);

    expect(backend.calls[0].body.dryRun).toBe(true);
    expect(backend.calls[0].body.catalogInfo).toBeUndefined();
    expect(store.saved.size).toBe(0);
    expect(outputs(ctx).registered).toBe(false);
  });

  it('fails listing the failed clusters, keeps every result, and a retry applies only those', async () => {
    backend = await startBackend(answering(['eu-west']));
    const store = checkpointStore();
    const first = setup(answering(), { checkpoint: store.checkpoint });

    await expect(first.action.handler(first.ctx)).rejects.toThrow(
      /failed in 1 of 2 cluster\(s\): eu-west \(connection refused\)/,
    );
    const out = outputs(first.ctx);
    expect(out.results.map((r: any) => [r.cluster, r.status])).toEqual([
      ['eu-central', 'ok'],
      ['eu-west', 'failed'],
    ]);
    expect(out.registered).toBe(false);
    expect([...store.saved.keys()]).toEqual([
      `multicluster-statefulset-apply-${REF}-eu-central`,
    ]);

    // The retry: eu-west is back.
    await backend.close();
    backend = await startBackend(answering());
    const retry = setup(answering(), { checkpoint: store.checkpoint });
    await retry.action.handler(retry.ctx);

    expect(backend.calls).toHaveLength(1);
    expect(backend.calls[0].body.clusters.map((c: any) => c.name)).toEqual([
      'eu-west',
    ]);
    const again = outputs(retry.ctx);
    expect(again.results.map((r: any) => [r.cluster, r.status])).toEqual([
      ['eu-central', 'ok'],
      ['eu-west', 'ok'],
    ]);
    expect(again.registered).toBe(true);
  });

  it('gives the backend five minutes to apply', async () => {
    backend = await startBackend(answering());
    const timeout = jest.spyOn(AbortSignal, 'timeout');
    try {
      const { action, ctx } = setup(answering());
      await action.handler(ctx);
      expect(timeout).toHaveBeenCalledWith(5 * 60_000);
    } finally {
      timeout.mockRestore();
    }
  });

  it('turns a refused request into an error with the backend message', async () => {
    backend = await startBackend(() => ({
      status: 403,
      body: { error: { name: 'NotAllowedError', message: 'not allowed' } },
    }));
    const { action, ctx } = setup(answering());
    await expect(action.handler(ctx)).rejects.toThrow(/403/);
  });

  it('names a manifest that is not YAML', async () => {
    backend = await startBackend(answering());
    workspace.addContent({ 'clusters/eu-west/service.yaml': 'a: [unclosed' });
    const { action, ctx } = setup(answering());
    await expect(action.handler(ctx)).rejects.toThrow(
      /^clusters\/eu-west\/service\.yaml: not valid YAML/,
    );
    expect(backend.calls).toHaveLength(0);
  });

  it('runs its first example', async () => {
    backend = await startBackend(answering());
    const step = parse(examples[0].example).steps[0];
    const { action, ctx } = setup(answering());
    ctx.input = {
      entityRef: REF,
      namespace: 'orders',
      clusters: CLUSTERS,
      catalogInfoPath: 'catalog-info.yaml',
    };
    expect(step.action).toBe(action.id);
    expect(Object.keys(step.input).sort()).toEqual(
      Object.keys(ctx.input).sort(),
    );
    await action.handler(ctx);
    expect(outputs(ctx).registered).toBe(true);
  });
});
