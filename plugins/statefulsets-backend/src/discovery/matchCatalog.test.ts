import { Entity } from '@backstage/catalog-model';
import { DiscoveredDatabase } from './groupDatabases';
import { matchCatalog, normalizeSelector } from './matchCatalog';

function candidate(
  name: string,
  annotations: Record<string, string>,
): DiscoveredDatabase {
  return {
    id: `x/${name}`,
    name,
    namespace: 'databases',
    engine: 'mysql',
    grouping: 'kubernetes-id',
    groupedBy: 'same backstage.io/kubernetes-id',
    clusters: ['a', 'b'],
    objects: [],
    entityRef: `component:default/${name}`,
    annotations,
  };
}

function entity(
  name: string,
  annotations: Record<string, string> = {},
): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: { name, namespace: 'default', annotations },
  };
}

describe('matchCatalog', () => {
  it('matches by name, kubernetes-id and selector, ignoring entities discovery registered', () => {
    const [byName, byId, bySelector, ours, fresh] = matchCatalog(
      [
        candidate('orders', { 'backstage.io/kubernetes-id': 'orders' }),
        candidate('shop', { 'backstage.io/kubernetes-id': 'shop-mysql' }),
        candidate('clickstream', {
          'backstage.io/kubernetes-label-selector':
            'strimzi.io/cluster=clickstream, app=kafka',
        }),
        candidate('logs', { 'backstage.io/kubernetes-id': 'logs' }),
        candidate('carts', { 'backstage.io/kubernetes-id': 'carts' }),
      ],
      [
        entity('Orders'),
        entity('shop-db', { 'backstage.io/kubernetes-id': 'shop-mysql' }),
        entity('kafka', {
          'backstage.io/kubernetes-label-selector':
            'app=kafka,strimzi.io/cluster=clickstream',
        }),
        entity('logs', {
          'backstage.io/kubernetes-id': 'logs',
          'backstage.io/managed-by-location':
            'multicluster-statefulsets-discovery:kubernetes-id/databases/logs',
        }),
      ],
    );
    expect(byName.catalogMatch).toBe('component:default/orders');
    expect(byId.catalogMatch).toBe('component:default/shop-db');
    expect(bySelector.catalogMatch).toBe('component:default/kafka');
    expect(ours.catalogMatch).toBeUndefined();
    expect(fresh.catalogMatch).toBeUndefined();
  });

  it('compares selectors whatever their order and spacing', () => {
    expect(normalizeSelector(' b=2, a=1 ')).toBe(normalizeSelector('a=1,b=2'));
  });
});
