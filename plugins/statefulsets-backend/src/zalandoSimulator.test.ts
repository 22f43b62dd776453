/*
 * A Zalando Postgres Operator primary and its standby cluster in two
 * simulated clusters, read through the REST API without any of the
 * product's annotations: the demo world's `acid-analytics` files, with the
 * simulated operator installed.
 */
import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import { JsonObject } from '@backstage/types';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import {
  appConfigFor,
  RunningSimulator,
  startSimulator,
} from '@multicluster/cluster-simulator';
import fs from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import { parseAllDocuments } from 'yaml';
import { multiclusterStatefulsetsPlugin } from './plugin';

const TOPOLOGY =
  '/api/multicluster-statefulsets/entities/component/default/acid-analytics/topology';

const repoRoot = path.join(
  path.dirname(require.resolve('@multicluster/cluster-simulator/package.json')),
  '..',
  '..',
);

function demoObjects(cluster: string): unknown[] {
  const file = path.join(
    repoRoot,
    'examples',
    'world',
    cluster,
    'analytics-postgres.yaml',
  );
  return parseAllDocuments(fs.readFileSync(file, 'utf8')).map(d => d.toJS());
}

const world = {
  clusters: ['eu-west', 'us-east'].map((name, i) => ({
    name,
    region: ['eu-west-1', 'us-east-1'][i],
    operators: ['zalando'],
    objects: [
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'databases' } },
      ...demoObjects(name),
    ],
  })),
};

const entity: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: {
    name: 'acid-analytics',
    namespace: 'default',
    annotations: {
      'backstage.io/kubernetes-label-selector':
        'cluster-name=acid-analytics,application=spilo',
      'backstage.io/kubernetes-namespace': 'databases',
      'multicluster-statefulsets/engine': 'postgresql',
    },
  },
  spec: {
    type: 'database',
    owner: 'group:default/database-platform',
    lifecycle: 'production',
  },
};

describe('a Zalando primary and standby cluster against the cluster simulator', () => {
  let sim: RunningSimulator;

  beforeAll(async () => {
    sim = await startSimulator({
      world,
      portBase: 0,
      adminPort: 0,
      readinessDelayMs: 20,
      tickMs: 100,
      onError: () => {},
    });
  });

  afterAll(async () => {
    await sim?.stop();
  });

  it('reads roles from the operator and the standby link from eu-west to us-east', async () => {
    const backend = await startTestBackend({
      features: [
        multiclusterStatefulsetsPlugin,
        mockServices.rootConfig.factory({
          data: appConfigFor(sim.clusters) as JsonObject,
        }),
        catalogServiceMock.factory({ entities: [entity] }),
      ],
    });
    try {
      const summary = (body: any) => ({
        clusters: (body.clusters ?? []).map((c: any) => [
          c.name,
          c.role,
          c.workloads.map((w: any) => [
            w.name,
            w.role,
            w.roleSource,
            w.replicas.ready,
          ]),
        ]),
        links: (body.replication ?? []).map((l: any) => [
          l.from,
          l.to,
          l.workload,
          l.provider,
          l.lagSeconds,
          l.reason,
        ]),
      });
      const expected = {
        clusters: [
          [
            'eu-west',
            'active',
            [['acid-analytics', 'active', 'zalando-postgres-operator', 2]],
          ],
          [
            'us-east',
            'passive',
            [['acid-analytics', 'passive', 'zalando-postgres-operator', 2]],
          ],
        ],
        links: [
          [
            'eu-west',
            'us-east',
            'acid-analytics',
            'zalando-postgres-operator',
            null,
            'lag not published by the Zalando Postgres Operator',
          ],
        ],
      };
      let body: any;
      for (let i = 0; i < 100; i++) {
        const res = await request(backend.server).get(TOPOLOGY);
        expect(res.status).toBe(200);
        body = res.body;
        if (JSON.stringify(summary(body)) === JSON.stringify(expected)) break;
        await new Promise(r => setTimeout(r, 100));
      }
      expect(summary(body)).toEqual(expected);
      expect(body.drift).toEqual([]);
    } finally {
      await backend.stop();
    }
  }, 30000);
});
