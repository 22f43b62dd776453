import { mockCredentials, mockServices } from '@backstage/backend-test-utils';
import { DiscoveryClusterDirectory } from './ClusterDirectory';

describe('DiscoveryClusterDirectory', () => {
  const discovery = mockServices.discovery.mock({
    getBaseUrl: async id => `http://backend.test/api/${id}`,
  });

  it('asks the backend plugin with a token on behalf of the user', async () => {
    const auth = mockServices.auth.mock({
      getPluginRequestToken: async () => ({ token: 'tok-123' }),
    });
    const fetchMock = jest.fn(
      async (_url: string, _init?: RequestInit) =>
        new Response(
          JSON.stringify({
            items: [
              {
                name: 'eu-central',
                region: 'eu-central-1',
                zones: ['a'],
                federationHost: 'karmada',
                synced: true,
                servedKinds: [],
              },
              { name: 'eu-west', zones: [], synced: false, servedKinds: [] },
            ],
          }),
          { status: 200, headers: { 'content-type': 'application/json' } },
        ),
    );
    const directory = DiscoveryClusterDirectory.create({
      discovery,
      auth,
      fetch: fetchMock as unknown as typeof fetch,
    });
    const user = mockCredentials.user('user:default/ada');

    const clusters = await directory.listClusters({ credentials: user });

    expect(auth.getPluginRequestToken).toHaveBeenCalledWith({
      onBehalfOf: user,
      targetPluginId: 'multicluster-statefulsets',
    });
    expect(fetchMock.mock.calls[0][0]).toBe(
      'http://backend.test/api/multicluster-statefulsets/clusters',
    );
    expect(
      (fetchMock.mock.calls[0][1]?.headers as Record<string, string>)
        .Authorization,
    ).toBe('Bearer tok-123');
    expect(clusters).toEqual([
      {
        name: 'eu-central',
        region: 'eu-central-1',
        zones: ['a'],
        federationHost: 'karmada',
      },
      { name: 'eu-west', zones: [] },
    ]);
  });

  it('turns an error answer into a ResponseError', async () => {
    const directory = DiscoveryClusterDirectory.create({
      discovery,
      auth: mockServices.auth(),
      fetch: (async () =>
        new Response(
          JSON.stringify({ error: { name: 'NotAllowedError', message: 'no' } }),
          { status: 403, headers: { 'content-type': 'application/json' } },
        )) as unknown as typeof fetch,
    });
    await expect(directory.listClusters()).rejects.toThrow(/403/);
  });
});
