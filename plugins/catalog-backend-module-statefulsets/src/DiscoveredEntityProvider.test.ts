import { RestModels } from '@multicluster/backstage-plugin-statefulsets-common';
import { DiscoveredEntityProvider } from './DiscoveredEntityProvider';
import { jsonAnswer, providerHarness } from './__testUtils__/providerHarness';

type Candidate = RestModels.DiscoveredDatabase;

function candidate(name: string, extra: Partial<Candidate> = {}): Candidate {
  const annotations = {
    'backstage.io/kubernetes-id': name,
    'backstage.io/kubernetes-namespace': 'databases',
    'multicluster-statefulsets/engine': 'mysql',
  };
  return {
    id: `kubernetes-id/databases/${name}`,
    name,
    namespace: 'databases',
    engine: 'mysql',
    grouping: 'kubernetes-id',
    groupedBy: 'same backstage.io/kubernetes-id',
    clusters: ['eu-central', 'eu-west'],
    objects: [],
    owner: 'group:default/database-platform',
    entityRef: `component:default/${name}`,
    annotations,
    entity: {
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'Component',
      metadata: { name, namespace: 'default', annotations },
      spec: {
        type: 'database',
        lifecycle: 'production',
        owner: 'group:default/database-platform',
      },
    },
    ...extra,
  };
}

const ENABLED = {
  enabled: true,
  providerEnabled: true,
  refreshedAt: '2026-12-06T05:00:00Z',
  clusters: [],
};

describe('DiscoveredEntityProvider', () => {
  function setup(respond: () => Response) {
    return providerHarness(o => DiscoveredEntityProvider.create(o), respond);
  }

  it('registers the entities of owned candidates the catalog lacks, saying where they came from', async () => {
    const { provider, auth, fetchMock, connection } = setup(() =>
      jsonAnswer({
        ...ENABLED,
        items: [
          candidate('shop-mysql'),
          candidate('orphan', { entity: undefined, reason: 'no owner: …' }),
          candidate('orders-mysql', {
            catalogMatch: 'component:default/orders-mysql',
          }),
        ],
      }),
    );
    await provider.connect(connection);
    await provider.refresh();

    expect(auth.getPluginRequestToken).toHaveBeenCalledWith(
      expect.objectContaining({ targetPluginId: 'multicluster-statefulsets' }),
    );
    const [url, init] = fetchMock.mock.calls[0];
    expect(url).toBe(
      'http://backend.test/api/multicluster-statefulsets/discovery/databases',
    );
    expect(new Headers(init?.headers).get('authorization')).toBe(
      'Bearer svc-token',
    );
    const location =
      'multicluster-statefulsets-discovery:kubernetes-id/databases/shop-mysql';
    expect(connection.applyMutation).toHaveBeenCalledWith({
      type: 'full',
      entities: [
        {
          locationKey: location,
          entity: {
            apiVersion: 'backstage.io/v1alpha1',
            kind: 'Component',
            metadata: {
              name: 'shop-mysql',
              namespace: 'default',
              annotations: {
                'backstage.io/kubernetes-id': 'shop-mysql',
                'backstage.io/kubernetes-namespace': 'databases',
                'multicluster-statefulsets/engine': 'mysql',
                'backstage.io/managed-by-location': location,
                'backstage.io/managed-by-origin-location': location,
              },
            },
            spec: {
              type: 'database',
              lifecycle: 'production',
              owner: 'group:default/database-platform',
            },
          },
        },
      ],
    });
  });

  it('registers nothing (and removes what it registered) when discovery is off', async () => {
    const { provider, connection } = setup(() =>
      jsonAnswer({
        enabled: false,
        providerEnabled: true,
        clusters: [],
        items: [],
      }),
    );
    await provider.connect(connection);
    await provider.refresh();
    expect(connection.applyMutation).toHaveBeenCalledWith({
      type: 'full',
      entities: [],
    });
  });

  it('keeps its entities while the backend could not check the catalog, or has not run yet', async () => {
    let body: unknown = {
      ...ENABLED,
      catalogError: 'the catalog could not be read',
      items: [candidate('shop-mysql')],
    };
    const { provider, connection } = setup(() => jsonAnswer(body));
    await provider.connect(connection);
    await provider.refresh();
    body = { ...ENABLED, refreshedAt: undefined, items: [] };
    await provider.refresh();
    expect(connection.applyMutation).not.toHaveBeenCalled();
  });

  it('fails the run on an error answer, leaving the catalog as it was', async () => {
    const { provider, connection } = setup(() =>
      jsonAnswer({ error: { name: 'NotAllowedError', message: 'no' } }, 403),
    );
    await provider.connect(connection);
    await expect(provider.refresh()).rejects.toThrow();
    expect(connection.applyMutation).not.toHaveBeenCalled();
  });
});
