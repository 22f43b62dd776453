import { mockServices } from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import { GeneratedEntityProvider } from './GeneratedEntityProvider';
import { jsonAnswer, providerHarness } from './__testUtils__/providerHarness';

function entity(name: string): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: {
      name,
      annotations: {
        'backstage.io/managed-by-location': `multicluster-statefulsets:component:default/${name}`,
        'backstage.io/managed-by-origin-location': `multicluster-statefulsets:component:default/${name}`,
      },
    },
    spec: {
      type: 'database',
      lifecycle: 'production',
      owner: 'group:default/dba',
    },
  };
}

describe('GeneratedEntityProvider', () => {
  function setup(respond: () => Response) {
    return providerHarness(o => GeneratedEntityProvider.create(o), respond);
  }

  it('applies the stored entities as a full mutation, read with its own service token', async () => {
    const { provider, auth, fetchMock, connection } = setup(() =>
      jsonAnswer({
        items: [
          { entityRef: 'component:default/a-db', entity: entity('a-db') },
          { entityRef: 'component:default/b-db', entity: entity('b-db') },
        ],
      }),
    );
    expect(provider.getProviderName()).toBe(
      'multicluster-statefulsets-generated',
    );
    await provider.connect(connection);

    await provider.refresh();

    expect(auth.getPluginRequestToken).toHaveBeenCalledWith({
      onBehalfOf: await auth.getOwnServiceCredentials(),
      targetPluginId: 'multicluster-statefulsets',
    });
    expect(fetchMock.mock.calls[0][0]).toBe(
      'http://backend.test/api/multicluster-statefulsets/generated-entities',
    );
    expect(
      (fetchMock.mock.calls[0][1]?.headers as Record<string, string>)
        .Authorization,
    ).toBe('Bearer svc-token');
    expect(connection.applyMutation).toHaveBeenCalledWith({
      type: 'full',
      entities: [
        {
          entity: entity('a-db'),
          locationKey: 'multicluster-statefulsets-generated:',
        },
        {
          entity: entity('b-db'),
          locationKey: 'multicluster-statefulsets-generated:',
        },
      ],
    });
  });

  it('empties the catalog of its entities when none are stored', async () => {
    const { provider, connection } = setup(() => jsonAnswer({ items: [] }));
    await provider.connect(connection);
    await provider.refresh();
    expect(connection.applyMutation).toHaveBeenCalledWith({
      type: 'full',
      entities: [],
    });
  });

  it('leaves the catalog alone when the backend refuses', async () => {
    const { provider, connection } = setup(() =>
      jsonAnswer(
        { error: { name: 'NotAllowedError', message: 'services only' } },
        403,
      ),
    );
    await provider.connect(connection);
    await expect(provider.refresh()).rejects.toThrow(/403/);
    expect(connection.applyMutation).not.toHaveBeenCalled();
  });

  it('refuses to refresh before the catalog connected it', async () => {
    const { provider } = setup(() => jsonAnswer({ items: [] }));
    await expect(provider.refresh()).rejects.toThrow(/not connected/);
  });

  it('runs on its schedule once connected', async () => {
    const { connection } = setup(() => jsonAnswer({ items: [] }));
    const run = jest.fn(async ({ fn }: { fn: () => Promise<void> }) => fn());
    const provider = GeneratedEntityProvider.create({
      discovery: mockServices.discovery.mock({
        getBaseUrl: async id => `http://backend.test/api/${id}`,
      }),
      auth: mockServices.auth.mock({
        getPluginRequestToken: async () => ({ token: 't' }),
      }),
      logger: mockServices.logger.mock(),
      schedule: { run } as any,
      fetch: (async () =>
        jsonAnswer({ items: [{ entity: entity('c-db') }] })) as any,
    });

    await provider.connect(connection);

    expect(run).toHaveBeenCalledWith(
      expect.objectContaining({
        id: 'multicluster-statefulsets-generated:refresh',
      }),
    );
    expect(connection.applyMutation).toHaveBeenCalledWith({
      type: 'full',
      entities: [
        {
          entity: entity('c-db'),
          locationKey: 'multicluster-statefulsets-generated:',
        },
      ],
    });
  });
});
