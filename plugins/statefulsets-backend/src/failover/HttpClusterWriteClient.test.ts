import { KubeConfig } from '@kubernetes/client-node';
import http from 'node:http';
import { AddressInfo } from 'node:net';
import { ClusterRequestError } from '../cluster/ClusterRequestError';
import { HttpClusterWriteClient } from './HttpClusterWriteClient';

describe('HttpClusterWriteClient', () => {
  let server: http.Server;
  let seen: Array<{
    method?: string;
    url?: string;
    type?: string;
    auth?: string;
    body: string;
  }>;
  let reply: (req: http.IncomingMessage, res: http.ServerResponse) => void;

  beforeEach(async () => {
    seen = [];
    server = http.createServer((req, res) => {
      let body = '';
      req.on('data', c => {
        body += c;
      });
      req.on('end', () => {
        seen.push({
          method: req.method,
          url: req.url,
          type: req.headers['content-type'],
          auth: req.headers.authorization,
          body,
        });
        reply(req, res);
      });
    });
    await new Promise<void>(r => server.listen(0, '127.0.0.1', r));
  });

  afterEach(async () => {
    server.closeAllConnections();
    await new Promise(r => server.close(r));
  });

  function client(timeoutMs = 1000) {
    const kc = new KubeConfig();
    kc.loadFromOptions({
      clusters: [
        {
          name: 'c',
          server: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
          // client-node refuses plain HTTP unless TLS checks are off.
          skipTLSVerify: true,
        },
      ],
      users: [{ name: 'u', token: 'secret-token' }],
      contexts: [{ name: 'x', cluster: 'c', user: 'u' }],
      currentContext: 'x',
    });
    return HttpClusterWriteClient.fromKubeConfig('c', kc, { timeoutMs });
  }

  it('sends merge patches with the credential and parses the answer', async () => {
    reply = (_req, res) => res.end(JSON.stringify({ ok: true }));
    const out = await client().mergePatch('/apis/x/v1/namespaces/n/things/a', {
      spec: { replicas: 0 },
    });
    expect(out).toEqual({ ok: true });
    expect(seen[0]).toEqual({
      method: 'PATCH',
      url: '/apis/x/v1/namespaces/n/things/a',
      type: 'application/merge-patch+json',
      auth: 'Bearer secret-token',
      body: '{"spec":{"replicas":0}}',
    });
  });

  it('maps 404 to undefined on get and delete, other statuses to typed errors', async () => {
    reply = (req, res) => {
      res.statusCode = req.method === 'PATCH' ? 409 : 404;
      res.end(
        JSON.stringify({
          kind: 'Status',
          message: 'the object has been modified',
        }),
      );
    };
    const c = client();
    expect(await c.get('/api/v1/x')).toBeUndefined();
    await expect(c.delete('/api/v1/x')).resolves.toBeUndefined();
    const err = await c.mergePatch('/api/v1/x', {}).catch(e => e);
    expect(err).toBeInstanceOf(ClusterRequestError);
    expect(err.statusCode).toBe(409);
    expect(err.message).toMatch(/HTTP 409 \(the object has been modified\)/);
    expect(err.message).not.toMatch(/secret-token/);
  });

  it('times out a cluster that does not answer', async () => {
    reply = () => undefined;
    const err = await client(100)
      .get('/api/v1/x')
      .catch(e => e);
    expect(err).toBeInstanceOf(ClusterRequestError);
    expect(err.reason).toBe('timeout');
  });
});
