/*
 * The demo's Strimzi Kafka (clickstream) read through the REST API from the
 * simulated clusters: each Kafka a workload with its role from Strimzi, the
 * MirrorMaker 2 link from eu-central (whose Kafka publishes the mirror's
 * source address) to us-east, and no drift between the two Kafkas.
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
  '/api/multicluster-statefulsets/entities/component/default/clickstream-kafka/topology';

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
    'clickstream-kafka.yaml',
  );
  return parseAllDocuments(fs.readFileSync(file, 'utf8')).map(d => d.toJS());
}

const world = {
  clusters: ['eu-central', 'us-east'].map((name, i) => ({
    name,
    region: ['eu-central-1', 'us-east-1'][i],
    operators: ['strimzi'],
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
    name: 'clickstream-kafka',
    namespace: 'default',
    annotations: {
      'backstage.io/kubernetes-label-selector':
        'strimzi.io/cluster=clickstream',
      'backstage.io/kubernetes-namespace': 'databases',
      'multicluster-statefulsets/engine': 'kafka',
    },
  },
  spec: {
    type: 'database',
    owner: 'group:default/database-platform',
    lifecycle: 'production',
  },
};

describe('a Strimzi Kafka against the cluster simulator', () => {
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

  it('reads roles from Strimzi and the MirrorMaker 2 link from eu-central to us-east', async () => {
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
            w.kind,
            w.name,
            w.role,
            w.roleSource,
            w.replicas.ready,
            w.volumes.length,
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
            'eu-central',
            'active',
            [['Kafka', 'clickstream', 'active', 'strimzi', 6, 6]],
          ],
          [
            'us-east',
            'passive',
            [['Kafka', 'clickstream', 'passive', 'strimzi', 6, 6]],
          ],
        ],
        links: [
          [
            'eu-central',
            'us-east',
            'clickstream',
            'strimzi',
            null,
            'lag not reported by Strimzi',
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
