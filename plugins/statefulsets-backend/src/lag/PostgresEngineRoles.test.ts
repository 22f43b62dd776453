/*
 * PostgreSQL roles from postgres_exporter's pg_replication_is_replica: a
 * StatefulSet whose pods publish it gets the engine's roles; one that does
 * not (a CloudNativePG cluster, a Spilo StatefulSet of the Zalando
 * operator, whose pods the exporter series do not cover) gets no reading
 * and keeps its annotations and labels.
 */
import { readEntityPolicy } from '@multicluster/backstage-plugin-statefulsets-common';
import { EntityContext } from '@multicluster/backstage-plugin-statefulsets-node';
import { PrometheusEngineRoles } from './PrometheusEngineRoles';
import { InstantSample } from './prometheusResponse';

function context(names: string[]): EntityContext {
  return {
    entityRef: 'component:default/inventory',
    annotations: {},
    policy: readEntityPolicy({
      'multicluster-statefulsets/engine': 'postgresql',
    }),
    now: 0,
    clusters: ['us-east', 'eu-west'].map(name => ({
      cluster: { name, zones: [] },
      objects: {
        statefulSets: names.map(n => ({
          apiVersion: 'apps/v1',
          kind: 'StatefulSet',
          metadata: { name: n, namespace: 'databases' },
        })),
      } as any,
    })),
  };
}

describe('PostgreSQL roles from postgres_exporter', () => {
  it('names primaries and standbys from pg_replication_is_replica, only where the series exist', async () => {
    const queries: string[] = [];
    const samples: Record<string, number> = {
      'us-east/inventory/inventory-20': 0,
      'us-east/inventory/inventory-21': 1,
      'eu-west/inventory/inventory-10': 1,
    };
    const reader = {
      readFreshSamples: async (query: string): Promise<InstantSample[]> => {
        queries.push(query);
        return Object.entries(samples).map(([key, value]) => {
          const [cluster, statefulset, pod] = key.split('/');
          return {
            labels: { cluster, namespace: 'databases', statefulset, pod },
            value,
          };
        });
      },
    };
    const readings = await new PrometheusEngineRoles(reader).readRoles(
      context(['inventory', 'acid-analytics']),
    );
    expect(queries).toEqual([
      'pg_replication_is_replica{namespace="databases"}',
    ]);
    expect(readings).toEqual([
      {
        cluster: 'us-east',
        namespace: 'databases',
        workload: 'inventory',
        source: 'postgres-exporter',
        pods: { 'inventory-20': 'primary', 'inventory-21': 'replica' },
      },
      {
        cluster: 'eu-west',
        namespace: 'databases',
        workload: 'inventory',
        source: 'postgres-exporter',
        pods: { 'inventory-10': 'replica' },
      },
    ]);
  });
});
