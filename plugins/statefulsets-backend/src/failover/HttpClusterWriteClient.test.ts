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

  it('impersonates on request and says who the cluster refused what', async () => {
    const headers: http.IncomingHttpHeaders[] = [];
    reply = (req, res) => {
      headers.push(req.headers);
      res.statusCode = 403;
      res.end(
        JSON.stringify({
          kind: 'Status',
          message: 'statefulsets.apps "orders-mysql" is forbidden',
        }),
      );
    };
    const plain = client();
    const asAnn = plain.impersonating({
      user: 'ann',
      groups: ['dbas', 'readers'],
    });
    expect(asAnn.cluster).toBe('c');
    expect(plain.identity).toBeUndefined();
    const path = '/apis/apps/v1/namespaces/databases/statefulsets/orders-mysql';
    const err = await asAnn.mergePatch(path, {}).catch(e => e);
    expect(err).toBeInstanceOf(ClusterRequestError);
    expect(err.reason).toBe('forbidden');
    expect(err.message).toBe(
      `c refused patch statefulsets/orders-mysql in databases for user ann (groups dbas, readers): the cluster's RBAC does not allow it (statefulsets.apps "orders-mysql" is forbidden)`,
    );
    expect(headers[0]['impersonate-user']).toBe('ann');
    // Node joins a repeated request header with ", " on the receiving side.
    expect(headers[0]['impersonate-group']).toBe('dbas, readers');
    expect(headers[0].authorization).toBe('Bearer secret-token');
    const own = await plain
      .create('/api/v1/namespaces/databases/configmaps', {
        metadata: { name: 'x' },
      })
      .catch(e => e);
    expect(own.message).toMatch(
      /^c refused create configmaps\/x in databases for the backend's write credentials: /,
    );
    expect(headers[1]['impersonate-user']).toBeUndefined();
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
