import { mockServices } from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import {
  discoveryLocationOf,
  emptyClusterObjects,
  KubeObject,
  OperatorConvention,
} from '@multicluster/backstage-plugin-statefulsets-common';
import { DatabaseDiscovery, DiscoveryClusterReader } from './DatabaseDiscovery';
import { DiscoveryOptions } from './readDiscoveryConfig';

const options: DiscoveryOptions = {
  enabled: true,
  frequencySeconds: 60,
  ownerLabel: 'backstage.io/owner',
  lifecycle: 'production',
  providerEnabled: true,
};

const conventions: OperatorConvention[] = [
  {
    id: 'strimzi',
    title: 'Strimzi',
    engine: 'kafka',
    resources: o => o.strimziKafkas,
    selectorOf: r => `strimzi.io/cluster=${r.metadata.name}`,
    isRelated: () => true,
  },
];

function kafka(name: string): KubeObject {
  return {
    kind: 'Kafka',
    metadata: {
      name,
      namespace: 'databases',
      labels: { 'backstage.io/owner': 'database-platform' },
    },
  };
}

function reader(cluster: string, names: string[]): DiscoveryClusterReader {
  return {
    cluster,
    read: async () => ({
      cluster,
      objects: { ...emptyClusterObjects(), strimziKafkas: names.map(kafka) },
      count: names.length,
    }),
  };
}

describe('DatabaseDiscovery', () => {
  it('reads every cluster, groups and marks what the catalog already has', async () => {
    const discovery = DatabaseDiscovery.create({
      readers: [
        reader('a', ['events', 'clickstream']),
        reader('b', ['events', 'clickstream']),
        {
          cluster: 'down',
          read: async () => {
            throw new Error('connection refused');
          },
        },
      ],
      options,
      conventions,
      catalog: catalogServiceMock({
        entities: [
          {
            apiVersion: 'backstage.io/v1alpha1',
            kind: 'Component',
            metadata: {
              name: 'events-by-hand',
              namespace: 'default',
              annotations: {
                'backstage.io/kubernetes-label-selector':
                  'strimzi.io/cluster=events',
              },
            },
          },
        ],
      }),
      auth: mockServices.auth(),
      logger: mockServices.logger.mock(),
    });
    expect(discovery.current().items).toEqual([]);
    await discovery.run();
    const current = discovery.current();
    expect(current.enabled).toBe(true);
    expect(current.refreshedAt).toBeDefined();
    expect(current.catalogError).toBeUndefined();
    expect(current.clusters).toEqual([
      { name: 'a', objects: 2 },
      { name: 'b', objects: 2 },
      { name: 'down', objects: 0, error: 'connection refused' },
    ]);
    expect(
      current.items.map(i => [i.name, i.owner, i.catalogMatch ?? null]),
    ).toEqual([
      ['clickstream', 'group:default/database-platform', null],
      [
        'events',
        'group:default/database-platform',
        'component:default/events-by-hand',
      ],
    ]);
  });

  it('keeps objects stamped for the entity discovery registered, not those stamped for others', async () => {
    const stamped = (name: string, entity: string): KubeObject => {
      const k = kafka(name);
      k.metadata.annotations = {
        'multicluster-statefulsets/owner-entity': entity,
      };
      return k;
    };
    const clusterOf = (cluster: string): DiscoveryClusterReader => ({
      cluster,
      read: async () => ({
        cluster,
        objects: {
          ...emptyClusterObjects(),
          strimziKafkas: [
            // Its owner followed the failover check's advice and stamped it
            // for the entity discovery gave it.
            stamped('clickstream', 'component:default/clickstream'),
            stamped('events', 'component:default/events-by-hand'),
          ],
        },
        count: 2,
      }),
    });
    const discovery = DatabaseDiscovery.create({
      readers: [clusterOf('a'), clusterOf('b')],
      options,
      conventions,
      catalog: catalogServiceMock({
        entities: [
          {
            apiVersion: 'backstage.io/v1alpha1',
            kind: 'Component',
            metadata: {
              name: 'clickstream',
              namespace: 'default',
              annotations: {
                'backstage.io/managed-by-location': discoveryLocationOf(
                  'operator/databases/strimzi/Kafka/clickstream',
                ),
              },
            },
          },
          {
            apiVersion: 'backstage.io/v1alpha1',
            kind: 'Component',
            metadata: {
              name: 'events-by-hand',
              namespace: 'default',
              annotations: { 'backstage.io/managed-by-location': 'url:x' },
            },
          },
        ],
      }),
      auth: mockServices.auth(),
      logger: mockServices.logger.mock(),
    });
    await discovery.run();
    expect(
      discovery.current().items.map(i => [i.entityRef, !!i.entity]),
    ).toEqual([['component:default/clickstream', true]]);
  });

  it('reads nothing and offers nothing when disabled', async () => {
    const read = jest.fn();
    const discovery = DatabaseDiscovery.create({
      readers: [{ cluster: 'a', read }],
      options: { ...options, enabled: false, providerEnabled: false },
      conventions,
      catalog: catalogServiceMock(),
      auth: mockServices.auth(),
      logger: mockServices.logger.mock(),
    });
    await discovery.run();
    expect(read).not.toHaveBeenCalled();
    expect(discovery.current()).toEqual({
      enabled: false,
      providerEnabled: false,
      clusters: [],
      items: [],
    });
  });

  it('reports a catalog it cannot read instead of offering possible doubles as matched', async () => {
    const catalog = catalogServiceMock.mock({
      getEntities: async () => {
        throw new Error('catalog down');
      },
    });
    const discovery = DatabaseDiscovery.create({
      readers: [reader('a', ['events']), reader('b', ['events'])],
      options,
      conventions,
      catalog,
      auth: mockServices.auth(),
      logger: mockServices.logger.mock(),
    });
    await discovery.run();
    expect(discovery.current().catalogError).toContain('catalog down');
  });
});
