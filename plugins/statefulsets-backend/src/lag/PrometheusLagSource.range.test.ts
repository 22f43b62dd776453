/*
 * The lag's history from Prometheus' range queries, against a small HTTP
 * server playing Prometheus on loopback.
 */
import http from 'node:http';
import { AddressInfo } from 'node:net';
import { mockServices } from '@backstage/backend-test-utils';
import { PrometheusLagSource } from './PrometheusLagSource';

const target = {
  engine: 'mysql',
  namespace: 'databases',
  workload: 'orders-db',
  cluster: 'eu-west',
  source: 'eu-central',
};
const start = Date.parse('2026-11-27T11:00:00Z');
const end = Date.parse('2026-11-27T12:00:00Z');

interface Seen {
  method?: string;
  path?: string;
  auth?: string;
  params: Record<string, string>;
}

/** A Prometheus on loopback answering every request with `answer`. */
async function fakePrometheus(answer: (seen: Seen) => [number, unknown]) {
  const seen: Seen[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', chunk => {
      body += chunk;
    });
    req.on('end', () => {
      const request: Seen = {
        method: req.method,
        path: req.url,
        auth: req.headers.authorization,
        params: Object.fromEntries(new URLSearchParams(body)),
      };
      seen.push(request);
      const [status, json] = answer(request);
      res.writeHead(status, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify(json));
    });
  });
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/prom`,
    seen,
    close: () => new Promise(resolve => server.close(resolve)),
  };
}

describe('PrometheusLagSource.readLagRange', () => {
  let prometheus: Awaited<ReturnType<typeof fakePrometheus>> | undefined;
  afterEach(async () => {
    await prometheus?.close();
    prometheus = undefined;
  });

  it('asks query_range for the lag query over the span and reads the matrix', async () => {
    prometheus = await fakePrometheus(() => [
      200,
      {
        status: 'success',
        data: {
          resultType: 'matrix',
          result: [
            {
              metric: { pod: 'orders-db-1' },
              values: [
                [start / 1000, '0.4'],
                [start / 1000 + 15, '6.5'],
              ],
            },
          ],
        },
      },
    ]);
    const source = PrometheusLagSource.create({
      url: prometheus.url,
      bearerToken: 's3cret',
    });
    await expect(
      source.readLagRange(target, { start, end, stepSeconds: 15 }),
    ).resolves.toEqual([
      { t: start, lagSeconds: 0.4 },
      { t: start + 15_000, lagSeconds: 6.5 },
    ]);
    expect(prometheus.seen).toEqual([
      {
        method: 'POST',
        path: '/prom/api/v1/query_range',
        auth: 'Bearer s3cret',
        params: {
          query:
            'mysql_slave_status_seconds_behind_master{namespace="databases", statefulset="orders-db", cluster="eu-west"}',
          start: `${start / 1000}.000`,
          end: `${end / 1000}.000`,
          step: '15',
          timeout: '2',
        },
      },
    ]);
  });

  it("throws Prometheus' refusal with a reason safe to show, and logs it once", async () => {
    prometheus = await fakePrometheus(() => [
      400,
      {
        status: 'error',
        errorType: 'bad_data',
        error: 'exceeded maximum resolution of 11,000 points per timeseries',
      },
    ]);
    const logger = mockServices.logger.mock();
    const source = PrometheusLagSource.create({
      url: prometheus.url,
      bearerToken: 's3cret',
      logger,
    });
    const range = { start, end, stepSeconds: 0.1 };
    await expect(source.readLagRange(target, range)).rejects.toThrow(
      'the mysql query failed in Prometheus: bad_data: exceeded maximum resolution of 11,000 points per timeseries',
    );
    await expect(source.readLagRange(target, range)).rejects.toThrow();
    expect(logger.warn).toHaveBeenCalledTimes(1);
    expect(JSON.stringify(logger.warn.mock.calls)).not.toContain('s3cret');
  });

  it('throws for an unreachable Prometheus', async () => {
    prometheus = await fakePrometheus(() => [200, {}]);
    const url = prometheus.url;
    await prometheus.close();
    prometheus = undefined;
    const source = PrometheusLagSource.create({ url });
    await expect(
      source.readLagRange(target, { start, end, stepSeconds: 15 }),
    ).rejects.toThrow('Prometheus unreachable: ECONNREFUSED');
  });

  it('throws without asking for an engine without a query or a value not known', async () => {
    const fetchImpl = jest.fn();
    const source = PrometheusLagSource.create({
      url: 'http://prometheus:9090',
      fetch: fetchImpl,
      queries: { mysql: '', postgresql: 'lag{source="{{source}}"}' },
    });
    await expect(
      source.readLagRange(target, { start, end, stepSeconds: 15 }),
    ).rejects.toThrow('no Prometheus query for engine mysql');
    await expect(
      source.readLagRange(
        { ...target, engine: 'postgresql', source: undefined },
        { start, end, stepSeconds: 15 },
      ),
    ).rejects.toThrow('the postgresql query needs {{source}}, not known here');
    expect(fetchImpl).not.toHaveBeenCalled();
  });
});
