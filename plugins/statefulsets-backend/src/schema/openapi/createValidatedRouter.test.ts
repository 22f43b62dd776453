import {
  mockCredentials,
  mockErrorHandler,
  mockServices,
} from '@backstage/backend-test-utils';
import express from 'express';
import http from 'node:http';
import { AddressInfo } from 'node:net';
import request from 'supertest';
import { createValidatedRouter } from './createValidatedRouter';

const RUNS = '/entities/component/default/orders/failover/runs';

/** The plugin's layout: the 10 MB apply router mounted before a 16 kB one. */
async function plugin() {
  const bodies: Array<{ route: string; body: unknown }> = [];
  const apply = await createValidatedRouter({ jsonLimit: '10mb' });
  apply.post('/apply', (req, res) => {
    bodies.push({ route: 'apply', body: req.body });
    res.json({
      entityRef: req.body.entityRef,
      dryRun: false,
      results: [],
      registered: false,
    });
  });
  const failover = await createValidatedRouter({
    jsonLimit: '16kb',
    httpAuth: mockServices.httpAuth(),
  });
  failover.post(
    '/entities/:kind/:namespace/:name/failover/runs',
    (req, res) => {
      bodies.push({ route: 'failover', body: req.body });
      res.status(202).json({ id: 'r1' });
    },
  );
  failover.get(
    '/entities/:kind/:namespace/:name/failover/runs',
    (_req, res) => {
      res.json({ items: [] });
    },
  );
  const app = express().use(apply).use(failover).use(mockErrorHandler());
  return { app, bodies };
}

/**
 * Sends the headers of a request whose Content-Length promises `length`
 * bytes and only the first few of them: a server that read the body before
 * answering would never answer.
 */
async function answerWithoutBody(
  app: express.Express,
  headers: Record<string, string>,
  length: number,
): Promise<{ status: number; body: any; ms: number }> {
  const server = app.listen(0);
  try {
    const { port } = server.address() as AddressInfo;
    const started = Date.now();
    return await new Promise((resolve, reject) => {
      const req = http.request(
        {
          port,
          method: 'POST',
          path: RUNS,
          headers: {
            'content-type': 'application/json',
            'content-length': String(length),
            ...headers,
          },
        },
        res => {
          let text = '';
          res.on('data', chunk => {
            text += chunk;
          });
          res.on('end', () => {
            resolve({
              status: res.statusCode ?? 0,
              body: JSON.parse(text),
              ms: Date.now() - started,
            });
            req.destroy();
          });
        },
      );
      req.on('error', reject);
      req.write('{"targetCluster":"');
    });
  } finally {
    server.closeAllConnections();
    server.close();
  }
}

describe('createValidatedRouter', () => {
  it('parses each route with its own router limit, whatever the mount order', async () => {
    const { app, bodies } = await plugin();
    const big = JSON.stringify({
      targetCluster: 'b',
      mode: 'switchover',
      confirm: 'orders',
      reason: 'x'.repeat(20 * 1024),
    });
    const tooBig = await request(app)
      .post(RUNS)
      .set('content-type', 'application/json')
      .send(big);
    expect(tooBig.status).toBe(413);
    expect(tooBig.body.error).toEqual(
      expect.objectContaining({
        name: 'PayloadTooLargeError',
        message: 'request body larger than 16kb',
      }),
    );
    expect(tooBig.body.response).toEqual({ statusCode: 413 });

    const applied = await request(app)
      .post('/apply')
      .set('content-type', 'application/json')
      .send(
        JSON.stringify({
          entityRef: 'component:default/orders',
          clusters: [{ name: 'a', manifests: [] }],
          padding: 'x'.repeat(64 * 1024),
        }),
      );
    expect(applied.status).toBe(200);
    expect(bodies.map(b => b.route)).toEqual(['apply']);

    // A router steps aside for routes it does not serve: the failover
    // listing is answered by the second router, not 404ed by the first.
    const listed = await request(app).get(RUNS);
    expect(listed.status).toBe(200);
  });

  it('answers a 9 MB body 413 from its Content-Length, without reading it', async () => {
    const { app, bodies } = await plugin();
    const parse = jest.spyOn(JSON, 'parse');
    const res = await answerWithoutBody(app, {}, 9 * 1024 * 1024);
    const parsedOnServer = parse.mock.calls.filter(
      ([text]) => typeof text === 'string' && text.length > 16 * 1024,
    );
    parse.mockRestore();
    expect(res.status).toBe(413);
    expect(res.body.error.message).toBe('request body larger than 16kb');
    expect(res.ms).toBeLessThan(2000);
    expect(parsedOnServer).toEqual([]);
    expect(bodies).toEqual([]);
  });

  it('refuses an anonymous write 401 before reading its body', async () => {
    const { app, bodies } = await plugin();
    const res = await answerWithoutBody(
      app,
      { authorization: mockCredentials.none.header() },
      9 * 1024 * 1024,
    );
    expect(res.status).toBe(401);
    expect(res.body.error.name).toBe('AuthenticationError');
    expect(bodies).toEqual([]);
  });
});
