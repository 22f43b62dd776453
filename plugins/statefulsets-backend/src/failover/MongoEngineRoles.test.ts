/*
 * MongoDB roles from the engine: mongodb_exporter's mongodb_rs_myState,
 * read through Prometheus, names each member's role, and the side whose
 * first pod is the elected primary is the active one.
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

const STATES: Record<string, number> = {
  'eu-central/sessions-mongodb-0': 2,
  'eu-central/sessions-mongodb-1': 2,
  'eu-west/sessions-mongodb-10': 1,
  'eu-west/sessions-mongodb-11': 2,
  'us-east/sessions-mongodb-20': 10,
};

function context(): EntityContext {
  return {
    entityRef: 'component:default/sessions-mongodb',
    annotations: {},
    policy: readEntityPolicy({ 'multicluster-statefulsets/engine': 'mongodb' }),
    now: 0,
    clusters: ['eu-central', 'eu-west', 'us-east'].map(name => ({
      cluster: { name, zones: [] },
      objects: {
        statefulSets: [
          {
            apiVersion: 'apps/v1',
            kind: 'StatefulSet',
            metadata: { name: 'sessions-mongodb', namespace: 'databases' },
          },
        ],
      } as any,
    })),
  };
}

describe('MongoDB roles from mongodb_exporter', () => {
  it('maps member states to pod roles', () => {
    const { podRole, source, metrics } = ENGINE_ROLE_SERIES.mongodb;
    expect(source).toBe('mongodb-exporter');
    expect(metrics).toEqual(['mongodb_rs_myState']);
    expect([1, 2, 7, 10].map(v => podRole([v]))).toEqual([
      'primary',
      'replica',
      'arbiter',
      'unknown',
    ]);
  });

  it('makes the side whose first pod is primary active', async () => {
    const queries: string[] = [];
    const readings = await new PrometheusEngineRoles({
      readFreshSamples: async (query: string): Promise<InstantSample[]> => {
        queries.push(query);
        return Object.entries(STATES).map(([key, value]) => {
          const [cluster, pod] = key.split('/');
          return {
            labels: {
              cluster,
              namespace: 'databases',
              statefulset: 'sessions-mongodb',
              pod,
            },
            value,
          };
        });
      },
    }).readRoles(context());
    expect(queries).toEqual(['mongodb_rs_myState{namespace="databases"}']);
    const workload = (start: number, pods: string[]): TopologyWorkload => ({
      kind: 'StatefulSet',
      apiVersion: 'apps/v1',
      namespace: 'databases',
      name: 'sessions-mongodb',
      role: 'active',
      replicas: {
        desired: pods.length,
        ready: pods.length,
        updated: pods.length,
      },
      ordinalsStart: start,
      pods: pods.map(name => ({ name, ready: true, role: 'unknown' })) as any,
      volumes: [],
    });
    const [west] = applyEngineRoles(
      'eu-west',
      [workload(10, ['sessions-mongodb-10', 'sessions-mongodb-11'])],
      readings,
    );
    const [central] = applyEngineRoles(
      'eu-central',
      [workload(0, ['sessions-mongodb-0', 'sessions-mongodb-1'])],
      readings,
    );
    expect(west).toMatchObject({
      role: 'active',
      roleSource: 'mongodb-exporter',
    });
    expect(central).toMatchObject({
      role: 'passive',
      roleSource: 'mongodb-exporter',
      declaredRole: 'active',
    });
    expect(central.pods.map(p => p.role)).toEqual(['replica', 'replica']);
  });
});
