import { ResponseError } from '@backstage/errors';
import { sendRequest } from './sendRequest';

describe('sendRequest', () => {
  const answer = (status: number, body?: unknown) =>
    new Response(body === undefined ? null : JSON.stringify(body), {
      status,
      headers: { 'content-type': 'application/json' },
    });

  function client(response: Response) {
    const fetchMock = jest.fn(
      async (_url: string, _init?: RequestInit) => response,
    );
    return {
      fetchMock,
      client: {
        pluginId: 'multicluster-statefulsets',
        discoveryApi: {
          getBaseUrl: async (id: string) => `http://backend.test/api/${id}`,
        },
        fetchApi: { fetch: fetchMock as unknown as typeof fetch },
      },
    };
  }

  it('sends JSON with the token, the query and the headers given', async () => {
    const { client: c, fetchMock } = client(answer(200, { id: 'r1' }));
    const res = await sendRequest<{ id: string }>(
      c,
      '/runs',
      {
        method: 'POST',
        query: { limit: 5, after: undefined },
        headers: { 'If-None-Match': undefined },
        body: { a: 1 },
        okStatuses: [],
      },
      { token: 't0k' },
    );
    expect(await res.json()).toEqual({ id: 'r1' });
    const [url, init] = fetchMock.mock.calls[0];
    expect(url).toBe(
      'http://backend.test/api/multicluster-statefulsets/runs?limit=5',
    );
    expect(init).toMatchObject({
      method: 'POST',
      body: '{"a":1}',
      headers: {
        Accept: 'application/json',
        'Content-Type': 'application/json',
        Authorization: 'Bearer t0k',
      },
    });
  });

  it('answers a declared 304 and throws a ResponseError for anything else', async () => {
    const notModified = client(answer(304));
    const res = await sendRequest(notModified.client, '/t', {
      method: 'GET',
      okStatuses: [304],
    });
    expect(res.status).toBe(304);

    const failing = client(
      answer(404, {
        error: { name: 'NotFoundError', message: 'no such entity' },
        response: { statusCode: 404 },
      }),
    );
    const error = await sendRequest(failing.client, '/t', {
      method: 'GET',
      okStatuses: [304],
    }).catch(e => e);
    expect(error).toBeInstanceOf(ResponseError);
    expect(error.body.error.message).toBe('no such entity');
  });
});
