import http from 'node:http';
import { AddressInfo } from 'node:net';
import { ClusterRequestError } from './ClusterRequestError';
import { sendRequest } from './sendRequest';

describe('sendRequest', () => {
  let server: http.Server;
  let base: string;
  const seen: string[] = [];

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', c => chunks.push(c));
      req.on('end', () => {
        seen.push(`${req.method} ${req.url} ${Buffer.concat(chunks)}`);
        if (req.url === '/hang') return;
        res.writeHead(req.url === '/missing' ? 404 : 200);
        res.end('{"ok":true}');
      });
    });
    await new Promise<void>(r => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise(r => server.close(r));
  });

  const send = (
    path: string,
    extra: Partial<Parameters<typeof sendRequest>[1]> = {},
  ) =>
    sendRequest(new URL(path, base), {
      request: { method: 'POST' },
      timeoutMs: 300,
      timeoutMessage: 'no answer in time',
      ...extra,
    });

  it('sends the payload and answers the status and body, whatever the status', async () => {
    const ok = await send('/x', { payload: Buffer.from('{"a":1}') });
    expect(ok.status).toBe(200);
    expect(ok.body.toString()).toBe('{"ok":true}');
    expect(seen).toContain('POST /x {"a":1}');
    expect((await send('/missing')).status).toBe(404);
  });

  it('ends a hanging request with a typed timeout', async () => {
    const err = await send('/hang').catch(e => e);
    expect(err).toBeInstanceOf(ClusterRequestError);
    expect(err.reason).toBe('timeout');
    expect(err.message).toBe('no answer in time');
  });

  it('ends with the signal’s reason when aborted, even before it starts', async () => {
    const controller = new AbortController();
    const pending = send('/hang', {
      signal: controller.signal,
      timeoutMs: 5000,
    });
    controller.abort(new Error('stop'));
    await expect(pending).rejects.toThrow('stop');
    await expect(
      send('/x', { signal: AbortSignal.abort(new Error('already')) }),
    ).rejects.toThrow('already');
  });

  it('passes a refused connection through for the caller to classify', async () => {
    const err = await sendRequest(new URL('http://127.0.0.1:9/'), {
      request: { method: 'GET' },
      timeoutMs: 1000,
      timeoutMessage: 'x',
    }).catch(e => e);
    expect(err.code).toBe('ECONNREFUSED');
  });
});
