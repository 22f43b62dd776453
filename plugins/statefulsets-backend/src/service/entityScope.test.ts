import { Entity } from '@backstage/catalog-model';
import { entityScope } from './entityScope';

function entity(annotations: Record<string, string>): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: { name: 'orders', annotations },
  };
}

const REF = 'component:default/orders';

describe('entityScope', () => {
  it('watches the objects labelled with the entity id, in its namespace', () => {
    expect(
      entityScope(
        entity({
          'backstage.io/kubernetes-id': 'orders',
          'backstage.io/kubernetes-namespace': 'db',
          'multicluster-statefulsets/traffic': 'mesh/orders',
        }),
        REF,
      ),
    ).toEqual({
      namespace: 'db',
      labelSelector: 'backstage.io/kubernetes-id=orders',
      routeNamespace: 'mesh',
    });
  });

  it('refuses a selector the API server would refuse, naming the annotation', () => {
    expect(() =>
      entityScope(
        entity({ 'backstage.io/kubernetes-label-selector': 'app in (orders' }),
        REF,
      ),
    ).toThrow(
      /invalid label selector "app in \(orders".*fix the backstage.io\/kubernetes-label-selector annotation/,
    );
    expect(() =>
      entityScope(entity({ 'backstage.io/kubernetes-id': 'orders db' }), REF),
    ).toThrow(/fix the backstage.io\/kubernetes-id annotation/);
  });

  it('names the annotation to add when there is none', () => {
    expect(() => entityScope(entity({}), REF)).toThrow(
      /add the backstage.io\/kubernetes-id annotation/,
    );
  });

  it('does not read an over-long annotation and names it', () => {
    const selector = `app in (${'a,'.repeat(600)}b)`;
    expect(() =>
      entityScope(
        entity({ 'backstage.io/kubernetes-label-selector': selector }),
        REF,
      ),
    ).toThrow(
      `Entity ${REF}: annotation backstage.io/kubernetes-label-selector is ${selector.length} characters; at most 1024 are read — shorten it`,
    );
    expect(() =>
      entityScope(
        entity({ 'backstage.io/kubernetes-id': 'o'.repeat(254) }),
        REF,
      ),
    ).toThrow(
      'annotation backstage.io/kubernetes-id is 254 characters; at most 253 are read',
    );
  });
});
