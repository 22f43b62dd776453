import { setupServer } from 'msw/node';
import { http, HttpResponse } from 'msw';
import { registerMswTestHooks, mockApis } from '@backstage/test-utils';
import { ResponseError } from '@backstage/errors';
import { mysqlTopology } from '../__fixtures__/topology';
import { MultiClusterStatefulSetsClient } from './MultiClusterStatefulSetsClient';

const server = setupServer();
const base = 'http://backend/api/multicluster-statefulsets';
const ref = { kind: 'Component', namespace: 'default', name: 'orders-mysql' };

describe('MultiClusterStatefulSetsClient', () => {
  registerMswTestHooks(server);

  const client = new MultiClusterStatefulSetsClient({
    discoveryApi: mockApis.discovery({ baseUrl: 'http://backend' }),
    fetchApi: { fetch: (...args) => fetch(...args) },
  });

  it('reads a topology with its ETag and answers 304 as not modified', async () => {
    server.use(
      http.get(
        `${base}/entities/Component/default/orders-mysql/topology`,
        ({ request }) =>
          request.headers.get('If-None-Match') === '"abc"'
            ? new HttpResponse(null, {
                status: 304,
                headers: { ETag: '"abc"' },
              })
            : HttpResponse.json(mysqlTopology(), {
                headers: { ETag: '"abc"' },
              }),
      ),
    );
    const first = await client.getTopology(ref);
    expect(first.notModified).toBe(false);
    expect(first.etag).toBe('"abc"');
    expect(!first.notModified && first.topology.clusters).toHaveLength(3);
    const second = await client.getTopology(ref, { etag: '"abc"' });
    expect(second).toEqual({ notModified: true, etag: '"abc"' });
  });

  it('throws a ResponseError carrying the server message', async () => {
    server.use(
      http.get(`${base}/entities/Component/default/orders-mysql/topology`, () =>
        HttpResponse.json(
          {
            error: { name: 'NotFoundError', message: 'add the annotation' },
            response: { statusCode: 404 },
          },
          { status: 404 },
        ),
      ),
    );
    const error = await client.getTopology(ref).catch(e => e);
    expect(error).toBeInstanceOf(ResponseError);
    expect(error.body.error.message).toBe('add the annotation');
  });

  it('lists discovered databases', async () => {
    const body = {
      enabled: true,
      providerEnabled: false,
      clusters: [{ name: 'eu-central', objects: 2 }],
      items: [],
    };
    server.use(
      http.get(`${base}/discovery/databases`, () => HttpResponse.json(body)),
    );
    await expect(client.listDiscoveredDatabases()).resolves.toEqual(body);
  });

  it('lists clusters', async () => {
    server.use(
      http.get(`${base}/clusters`, () =>
        HttpResponse.json({
          items: [
            { name: 'eu-central', zones: [], synced: true, servedKinds: [] },
          ],
        }),
      ),
    );
    expect(await client.listClusters()).toEqual([
      { name: 'eu-central', zones: [], synced: true, servedKinds: [] },
    ]);
  });

  it('reads the lag history of a window', async () => {
    const history = {
      entityRef: 'component:default/orders-mysql',
      window: '1d',
      from: 0,
      to: 86_400_000,
      thresholdSeconds: 5,
      links: [],
      runs: [],
    };
    let asked: string | null = null;
    server.use(
      http.get(
        `${base}/entities/Component/default/orders-mysql/lag-history`,
        ({ request }) => {
          asked = new URL(request.url).searchParams.get('window');
          return HttpResponse.json(history);
        },
      ),
    );
    expect(await client.getLagHistory(ref, '1d')).toEqual(history);
    expect(asked).toBe('1d');
  });
});
