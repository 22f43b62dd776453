import { readEntityPolicy } from '@multicluster/backstage-plugin-statefulsets-common';
import { EntityContext } from '@multicluster/backstage-plugin-statefulsets-node';
import { PrometheusEngineRoles } from './PrometheusEngineRoles';
import { InstantSample } from './prometheusResponse';

function context(engine: string): EntityContext {
  const sts = (namespace: string) => ({
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: { name: 'orders', namespace },
  });
  return {
    entityRef: 'component:default/orders',
    annotations: {},
    policy: readEntityPolicy({ 'multicluster-statefulsets/engine': engine }),
    now: 0,
    clusters: ['eu-central', 'eu-west'].map(name => ({
      cluster: { name, zones: [] },
      objects: { statefulSets: [sts('db')] } as any,
    })),
  };
}

/** Fresh samples per query, as Prometheus would answer them. */
function prometheus(flags: Record<string, [number, number]>) {
  const queries: string[] = [];
  const reader = {
    queries,
    readFreshSamples: async (query: string): Promise<InstantSample[]> => {
      queries.push(query);
      const index = query.startsWith('mysql_global_variables_super_read_only')
        ? 0
        : 1;
      return Object.entries(flags).map(([key, values]) => {
        const [cluster, statefulset, pod] = key.split('/');
        return {
          labels: { cluster, namespace: 'db', statefulset, pod },
          value: values[index],
        };
      });
    },
  };
  return reader;
}

describe('PrometheusEngineRoles', () => {
  it("reads MySQL pods' roles from mysqld_exporter's read-only flags", async () => {
    const reader = prometheus({
      'eu-central/orders/orders-0': [0, 0],
      'eu-central/orders/orders-1': [1, 1],
      'eu-west/orders/orders-0': [1, 1],
      'eu-west/other/other-0': [0, 0],
      'us-east/orders/orders-0': [0, 0],
    });
    const readings = await new PrometheusEngineRoles(reader).readRoles(
      context('mysql'),
    );
    expect(reader.queries).toEqual([
      'mysql_global_variables_super_read_only{namespace="db"}',
      'mysql_global_variables_read_only{namespace="db"}',
    ]);
    expect(readings).toEqual([
      {
        cluster: 'eu-central',
        namespace: 'db',
        workload: 'orders',
        source: 'mysqld-exporter',
        pods: { 'orders-0': 'primary', 'orders-1': 'replica' },
      },
      {
        cluster: 'eu-west',
        namespace: 'db',
        workload: 'orders',
        source: 'mysqld-exporter',
        pods: { 'orders-0': 'replica' },
      },
    ]);
  });

  it('reads nothing for an engine without role series', async () => {
    const reader = prometheus({ 'eu-west/orders/orders-0': [0, 0] });
    await expect(
      new PrometheusEngineRoles(reader).readRoles(context('generic')),
    ).resolves.toEqual([]);
    expect(reader.queries).toEqual([]);
  });

  it('leaves out a pod missing one of the flags', async () => {
    const reader = prometheus({ 'eu-west/orders/orders-0': [0, 0] });
    const original = reader.readFreshSamples;
    reader.readFreshSamples = async q =>
      q.startsWith('mysql_global_variables_read_only') ? [] : original(q);
    await expect(
      new PrometheusEngineRoles(reader).readRoles(context('mysql')),
    ).resolves.toEqual([]);
  });
});
