/*
 * The demo's MongoDB Community `carts` and MySQL Operator `ledger`, read
 * through the REST API from two simulated clusters without any of the
 * product's annotations: each cluster runs its own replica set or group,
 * which the operators cannot relate across Kubernetes clusters, so the
 * topology names the operator as the source, calls no side active or
 * passive and has no link.
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

const repoRoot = path.join(
  path.dirname(require.resolve('@multicluster/cluster-simulator/package.json')),
  '..',
  '..',
);

function demoObjects(cluster: string, file: string): unknown[] {
  return parseAllDocuments(
    fs.readFileSync(
      path.join(repoRoot, 'examples', 'world', cluster, file),
      'utf8',
    ),
  )
    .map(d => d.toJS())
    .filter(Boolean);
}

const world = {
  clusters: ['eu-central', 'eu-west'].map(name => ({
    name,
    region: `${name}-1`,
    operators: ['mongodbcommunity', 'innodbcluster'],
    objects: [
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'databases' } },
      ...demoObjects(name, 'carts-mongodb.yaml'),
      ...demoObjects(name, 'ledger-innodb.yaml'),
    ],
  })),
};

function entity(name: string, selector: string, engine: string): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: {
      name,
      namespace: 'default',
      annotations: {
        'backstage.io/kubernetes-label-selector': selector,
        'backstage.io/kubernetes-namespace': 'databases',
        'multicluster-statefulsets/engine': engine,
      },
    },
    spec: {
      type: 'database',
      owner: 'group:default/database-platform',
      lifecycle: 'production',
    },
  };
}

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
  links: body.replication ?? [],
});

describe('MongoDB Community and MySQL Operator databases against the cluster simulator', () => {
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

  it.each([
    ['carts', 'app=carts-svc', 'mongodb', 'mongodb-community'],
    [
      'ledger',
      'mysql.oracle.com/cluster=ledger,tier=mysql',
      'mysql',
      'mysql-operator',
    ],
  ])(
    'reads %s as two separate databases run by the operator, with no link',
    async (name, selector, engine, source) => {
      const backend = await startTestBackend({
        features: [
          multiclusterStatefulsetsPlugin,
          mockServices.rootConfig.factory({
            data: appConfigFor(sim.clusters) as JsonObject,
          }),
          catalogServiceMock.factory({
            entities: [entity(name, selector, engine)],
          }),
        ],
      });
      try {
        const expected = {
          clusters: ['eu-central', 'eu-west'].map(cluster => [
            cluster,
            'unknown',
            [[name, 'unknown', source, 3]],
          ]),
          links: [],
        };
        let body: any;
        for (let i = 0; i < 100; i++) {
          const res = await request(backend.server).get(
            `/api/multicluster-statefulsets/entities/component/default/${name}/topology`,
          );
          expect(res.status).toBe(200);
          body = res.body;
          if (JSON.stringify(summary(body)) === JSON.stringify(expected)) break;
          await new Promise(r => setTimeout(r, 100));
        }
        expect(summary(body)).toEqual(expected);
      } finally {
        await backend.stop();
      }
    },
    40000,
  );
});
