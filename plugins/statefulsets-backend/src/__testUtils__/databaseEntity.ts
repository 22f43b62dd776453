/*
 * The catalog entity of a database as the tests' catalogs hold it: a
 * production Component of type database owned by database-platform.
 */
import { Entity } from '@backstage/catalog-model';

/** A database Component; by default it is found by its own kubernetes-id. */
export function databaseEntity(
  name: string,
  annotations: Record<string, string> = { 'backstage.io/kubernetes-id': name },
): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: { name, namespace: 'default', annotations },
    spec: {
      type: 'database',
      owner: 'group:default/database-platform',
      lifecycle: 'production',
    },
  };
}
