import { objectPath } from './kubePaths';

describe('objectPath', () => {
  it('takes the plural from the kinds table', () => {
    expect(
      objectPath({
        apiVersion: 'apps/v1',
        kind: 'StatefulSet',
        namespace: 'databases',
        name: 'orders-db',
      }),
    ).toBe('/apis/apps/v1/namespaces/databases/statefulsets/orders-db');
    expect(
      objectPath({
        apiVersion: 'postgresql.cnpg.io/v1',
        kind: 'Cluster',
        namespace: 'db',
        name: 'pg',
      }),
    ).toBe('/apis/postgresql.cnpg.io/v1/namespaces/db/clusters/pg');
    expect(
      objectPath({
        apiVersion: 'networking.istio.io/v1',
        kind: 'ServiceEntry',
        namespace: 'mesh',
        name: 'orders',
      }),
    ).toBe(
      '/apis/networking.istio.io/v1/namespaces/mesh/serviceentries/orders',
    );
  });

  it('refuses a kind it does not know instead of guessing its plural', () => {
    expect(() =>
      objectPath({
        apiVersion: 'networking.k8s.io/v1',
        kind: 'Ingress',
        namespace: 'web',
        name: 'x',
      }),
    ).toThrow('No API path is known for networking.k8s.io/v1 Ingress');
  });
});
