/*
 * Elasticsearch roles from the engine: the exporter's
 * elasticsearch_ccr_follower_indices, read through Prometheus, makes a
 * cluster whose indices follow another's passive and one that follows
 * nothing active, whatever the annotations declare.
 */
import {
  applyEngineRoles,
  readEntityPolicy,
  TopologyWorkload,
} from '@multicluster/backstage-plugin-statefulsets-common';
import { EntityContext } from '@multicluster/backstage-plugin-statefulsets-node';
import {
  ENGINE_ROLE_SERIES,
  PrometheusEngineRoles,
} from '../lag/PrometheusEngineRoles';
import { InstantSample } from '../lag/prometheusResponse';

// After a switchover: us-east leads, eu-west's two indices follow it.
const FOLLOWERS: Record<string, number> = {
  'eu-west/search-elasticsearch-10': 2,
  'eu-west/search-elasticsearch-11': 2,
  'us-east/search-elasticsearch-20': 0,
  'us-east/search-elasticsearch-21': 0,
};

function context(): EntityContext {
  return {
    entityRef: 'component:default/search-elasticsearch',
    annotations: {},
    policy: readEntityPolicy({
      'multicluster-statefulsets/engine': 'elasticsearch',
    }),
    now: 0,
    clusters: ['eu-west', 'us-east'].map(name => ({
      cluster: { name, zones: [] },
      objects: {
        statefulSets: [
          {
            apiVersion: 'apps/v1',
            kind: 'StatefulSet',
            metadata: { name: 'search-elasticsearch', namespace: 'databases' },
          },
        ],
      } as any,
    })),
  };
}

const workload = (
  start: number,
  declared: 'active' | 'passive',
): TopologyWorkload => ({
  kind: 'StatefulSet',
  apiVersion: 'apps/v1',
  namespace: 'databases',
  name: 'search-elasticsearch',
  role: declared,
  replicas: { desired: 2, ready: 2, updated: 2 },
  ordinalsStart: start,
  pods: [start, start + 1].map(i => ({
    name: `search-elasticsearch-${i}`,
    ready: true,
    role: 'unknown',
  })) as any,
  volumes: [],
});

describe('Elasticsearch roles from the CCR follower indices', () => {
  it('makes a cluster with follower indices a replica, one without a primary', () => {
    const { podRole, source, metrics } = ENGINE_ROLE_SERIES.elasticsearch;
    expect(source).toBe('elasticsearch-ccr');
    expect(metrics).toEqual(['elasticsearch_ccr_follower_indices']);
    expect([0, 1, 5].map(v => podRole([v]))).toEqual([
      'primary',
      'replica',
      'replica',
    ]);
  });

  it('overrides the declared roles with what the engine reports', async () => {
    const queries: string[] = [];
    const readings = await new PrometheusEngineRoles({
      readFreshSamples: async (query: string): Promise<InstantSample[]> => {
        queries.push(query);
        return Object.entries(FOLLOWERS).map(([key, value]) => {
          const [cluster, pod] = key.split('/');
          return {
            labels: {
              cluster,
              namespace: 'databases',
              statefulset: 'search-elasticsearch',
              pod,
            },
            value,
          };
        });
      },
    }).readRoles(context());
    expect(queries).toEqual([
      'elasticsearch_ccr_follower_indices{namespace="databases"}',
    ]);
    const [west] = applyEngineRoles(
      'eu-west',
      [workload(10, 'active')],
      readings,
    );
    const [east] = applyEngineRoles(
      'us-east',
      [workload(20, 'passive')],
      readings,
    );
    expect(west).toMatchObject({
      role: 'passive',
      roleSource: 'elasticsearch-ccr',
      declaredRole: 'active',
    });
    expect(east).toMatchObject({
      role: 'active',
      roleSource: 'elasticsearch-ccr',
    });
    expect(east.pods.map(p => p.role)).toEqual(['primary', 'primary']);
  });
});
