import { mockServices } from '@backstage/backend-test-utils';
import { PrometheusLagSource } from './PrometheusLagSource';

const now = Date.parse('2026-11-27T12:00:00Z');
const target = {
  engine: 'mysql',
  namespace: 'databases',
  workload: 'orders-db',
  cluster: 'eu-west',
  source: 'eu-central',
};

function json(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'Content-Type': 'application/json' },
  });
}

function vector(value: string) {
  return {
    status: 'success',
    data: {
      resultType: 'vector',
      result: [{ metric: { cluster: 'eu-west' }, value: [now / 1000, value] }],
    },
  };
}

/** A Prometheus that answers the lag query with `lag`, scraped `age` seconds ago. */
function prometheus(lag: string, age = 2) {
  return jest.fn(async (_url: URL | RequestInfo, init?: RequestInit) => {
    const query = new URLSearchParams(String(init!.body)).get('query')!;
    return json(
      200,
      vector(query.startsWith('timestamp(') ? String(now / 1000 - age) : lag),
    );
  });
}

function create(fetchImpl: typeof fetch, extra = {}) {
  const logger = mockServices.logger.mock();
  const source = PrometheusLagSource.create({
    url: 'http://prometheus.monitoring:9090/prom',
    fetch: fetchImpl,
    now: () => now,
    logger,
    ...extra,
  });
  return { source, logger };
}

describe('PrometheusLagSource', () => {
  it('asks for the lag and its sample time at one evaluation time', async () => {
    const fetchImpl = prometheus('1.5');
    const { source } = create(fetchImpl, { bearerToken: 's3cret' });
    await expect(source.readLag(target)).resolves.toEqual({
      seconds: 1.5,
      observedAt: '2026-11-27T11:59:58.000Z',
    });
    expect(fetchImpl).toHaveBeenCalledTimes(2);
    const calls = fetchImpl.mock.calls.map(([url, init]) => ({
      url: String(url),
      method: init!.method,
      auth: (init!.headers as Record<string, string>).Authorization,
      params: Object.fromEntries(new URLSearchParams(String(init!.body))),
    }));
    const selector =
      'mysql_slave_status_seconds_behind_master{namespace="databases", statefulset="orders-db", cluster="eu-west"}';
    expect(calls).toEqual([
      {
        url: 'http://prometheus.monitoring:9090/prom/api/v1/query',
        method: 'POST',
        auth: 'Bearer s3cret',
        params: { query: selector, time: '1795780800.000', timeout: '2' },
      },
      expect.objectContaining({
        params: expect.objectContaining({
          query: `timestamp(${selector})`,
          time: '1795780800.000',
        }),
      }),
    ]);
  });

  it('sends credentials of the URL as Basic auth and extra headers as given', async () => {
    const fetchImpl = prometheus('0');
    const { source } = create(fetchImpl, {
      url: 'https://user:p%40ss@mimir.example.com/prometheus/',
      headers: { 'X-Scope-OrgID': 'tenant-a' },
    });
    await source.readLag(target);
    const [url, init] = fetchImpl.mock.calls[0];
    expect(String(url)).toBe(
      'https://mimir.example.com/prometheus/api/v1/query',
    );
    expect(init!.headers).toMatchObject({
      Authorization: `Basic ${Buffer.from('user:p@ss').toString('base64')}`,
      'X-Scope-OrgID': 'tenant-a',
    });
  });

  it('answers an engine without a query as unknown without asking', async () => {
    const fetchImpl = prometheus('0');
    const { source } = create(fetchImpl, { queries: { mysql: '' } });
    expect(source.supportsEngine('mysql')).toBe(false);
    expect(source.supportsEngine('postgresql')).toBe(true);
    await expect(source.readLag(target)).resolves.toEqual({
      seconds: null,
      reason: 'lag unknown: no Prometheus query for engine mysql',
    });
    expect(fetchImpl).not.toHaveBeenCalled();
  });

  it('answers a query needing the unknown source as unknown', async () => {
    const { source } = create(prometheus('0'), {
      queries: { mysql: 'm{source="{{source}}"}' },
    });
    await expect(
      source.readLag({ ...target, source: undefined }),
    ).resolves.toEqual({
      seconds: null,
      reason: 'lag unknown: the mysql query needs {{source}}, not known here',
    });
  });

  it("turns Prometheus' refusal into an unknown lag with its reason", async () => {
    const fetchImpl = jest.fn(async () =>
      json(400, {
        status: 'error',
        errorType: 'bad_data',
        error: 'parse error',
      }),
    );
    const { source } = create(fetchImpl);
    await expect(source.readLag(target)).resolves.toEqual({
      seconds: null,
      reason:
        'lag unknown: the mysql query failed in Prometheus: bad_data: parse error',
    });
  });

  it('turns an answer that is not JSON into an unknown lag', async () => {
    const { source } = create(
      jest.fn(
        async () => new Response('<html>bad gateway</html>', { status: 502 }),
      ),
    );
    await expect(source.readLag(target)).resolves.toEqual({
      seconds: null,
      reason: 'lag unknown: Prometheus answered HTTP 502 without JSON',
    });
  });

  it('gives up after the timeout, and logs each new failure once without secrets', async () => {
    const hanging = jest.fn(
      (_url: URL | RequestInfo, init?: RequestInit) =>
        new Promise<Response>((_resolve, reject) =>
          init!.signal!.addEventListener('abort', () =>
            reject(init!.signal!.reason),
          ),
        ),
    );
    const { source, logger } = create(hanging, {
      timeoutMs: 50,
      bearerToken: 's3cret',
    });
    const reading = await source.readLag(target);
    expect(reading).toEqual({
      seconds: null,
      reason: 'lag unknown: Prometheus did not answer within 50 ms',
    });
    await source.readLag(target);
    expect(logger.warn).toHaveBeenCalledTimes(1);
    expect(JSON.stringify(logger.warn.mock.calls)).not.toContain('s3cret');
  });

  it('reports a refused connection and logs the recovery', async () => {
    let up = false;
    const fetchImpl = jest.fn(
      async (url: URL | RequestInfo, init?: RequestInit) => {
        if (up) return prometheus('0.5')(url, init);
        throw new TypeError('fetch failed', {
          cause: Object.assign(new Error('connect ECONNREFUSED'), {
            code: 'ECONNREFUSED',
          }),
        });
      },
    );
    const { source, logger } = create(fetchImpl);
    await expect(source.readLag(target)).resolves.toEqual({
      seconds: null,
      reason: 'lag unknown: Prometheus unreachable: ECONNREFUSED',
    });
    up = true;
    await expect(source.readLag(target)).resolves.toMatchObject({
      seconds: 0.5,
    });
    expect(logger.info).toHaveBeenCalledWith(
      'Prometheus answers the replication lag queries again',
    );
  });

  it("rethrows the caller's abort untouched", async () => {
    const controller = new AbortController();
    const aborted = new Error('engine stopping');
    const fetchImpl = jest.fn(async () => {
      controller.abort(aborted);
      throw aborted;
    });
    const { source } = create(fetchImpl);
    await expect(
      source.readLag(target, { signal: controller.signal }),
    ).rejects.toBe(aborted);
  });

  it('refuses a URL that is not http(s)', () => {
    expect(() => create(prometheus('0'), { url: 'prometheus:9090' })).toThrow(
      /must be http\(s\)/,
    );
    expect(() => create(prometheus('0'), { url: 'not a url' })).toThrow(
      /not a URL/,
    );
  });
});
