import { mockCredentials, mockServices } from '@backstage/backend-test-utils';
import { StatefulsetsBackendClient } from './StatefulsetsBackendClient';

describe('StatefulsetsBackendClient', () => {
  const discovery = mockServices.discovery.mock({
    getBaseUrl: async id => `http://backend.test/api/${id}`,
  });
  const auth = mockServices.auth.mock({
    getPluginRequestToken: async () => ({ token: 'tok-1' }),
    getOwnServiceCredentials: async () =>
      mockCredentials.service('plugin:scaffolder'),
  });
  const timeout = jest.spyOn(AbortSignal, 'timeout');
  beforeEach(() => jest.clearAllMocks());
  afterAll(() => timeout.mockRestore());

  it('mints the token on behalf of the given user, with the given timeout', async () => {
    const client = StatefulsetsBackendClient.create({ discovery, auth });
    const user = mockCredentials.user('user:default/ada');

    const options = await client.callOptions({
      credentials: user,
      timeoutMs: 1234,
    });

    expect(options.token).toBe('tok-1');
    expect(auth.getPluginRequestToken).toHaveBeenCalledWith({
      onBehalfOf: user,
      targetPluginId: 'multicluster-statefulsets',
    });
    expect(auth.getOwnServiceCredentials).not.toHaveBeenCalled();
    expect(timeout).toHaveBeenCalledWith(1234);
  });

  it('calls as the module itself, within 10 s, when no one is named', async () => {
    const client = StatefulsetsBackendClient.create({ discovery, auth });

    await client.callOptions();

    expect(auth.getPluginRequestToken).toHaveBeenCalledWith({
      onBehalfOf: mockCredentials.service('plugin:scaffolder'),
      targetPluginId: 'multicluster-statefulsets',
    });
    expect(timeout).toHaveBeenCalledWith(10_000);
  });

  it('sends the typed operations with the token through the given fetch', async () => {
    const fetchMock = jest.fn(
      async (_url: string, _init?: RequestInit) =>
        new Response(JSON.stringify({ items: [] }), {
          status: 200,
          headers: { 'content-type': 'application/json' },
        }),
    );
    const client = StatefulsetsBackendClient.create({
      discovery,
      auth,
      fetch: fetchMock as unknown as typeof fetch,
    });

    const response = await client.rest.listClusters(await client.callOptions());

    expect(await response.json()).toEqual({ items: [] });
    const [url, init] = fetchMock.mock.calls[0];
    expect(url).toBe(
      'http://backend.test/api/multicluster-statefulsets/clusters',
    );
    expect((init?.headers as Record<string, string>).Authorization).toBe(
      'Bearer tok-1',
    );
    expect(init?.signal).toBeInstanceOf(AbortSignal);
  });
});
