/*
 * An ECK Elasticsearch replicated by CCR between two simulated clusters, read
 * through the REST API without any of the product's annotations: the demo
 * world's `logs` files, with the simulated ECK operator installed.
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
  '/api/multicluster-statefulsets/entities/component/default/logs/topology';

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
    'logs-elasticsearch.yaml',
  );
  return parseAllDocuments(fs.readFileSync(file, 'utf8')).map(d => d.toJS());
}

const world = {
  clusters: ['eu-west', 'us-east'].map((name, i) => ({
    name,
    region: ['eu-west-1', 'us-east-1'][i],
    operators: ['eck'],
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
    name: 'logs',
    namespace: 'default',
    annotations: {
      'backstage.io/kubernetes-label-selector':
        'elasticsearch.k8s.elastic.co/cluster-name=logs',
      'backstage.io/kubernetes-namespace': 'databases',
      'multicluster-statefulsets/engine': 'elasticsearch',
    },
  },
  spec: {
    type: 'database',
    owner: 'group:default/database-platform',
    lifecycle: 'production',
  },
};

describe('an ECK Elasticsearch against the cluster simulator', () => {
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

  it('reads roles from ECK and the CCR link from eu-west to us-east', async () => {
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
          ['eu-west', 'active', [['logs-es-default', 'active', 'eck', 3]]],
          ['us-east', 'passive', [['logs-es-default', 'passive', 'eck', 3]]],
        ],
        links: [
          [
            'eu-west',
            'us-east',
            'logs-es-default',
            'eck',
            null,
            'lag not reported by ECK',
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
