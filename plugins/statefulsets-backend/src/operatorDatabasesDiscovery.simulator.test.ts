/*
 * Discovery of the demo's databases run by the Zalando Postgres Operator,
 * the MongoDB Community Operator and the MySQL Operator: the demo world's
 * `acid-analytics`, `carts` and `ledger` files in simulated clusters with
 * those operators installed, found over the discovery route and grouped by
 * the operator resource's name, each with the owner its resource names and
 * the selector of its pods.
 */
import { createServiceFactory } from '@backstage/backend-plugin-api';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { signalsServiceRef } from '@backstage/plugin-signals-node';
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

const ROUTE = '/api/multicluster-statefulsets/discovery/databases';
const FILES = [
  'analytics-postgres.yaml',
  'carts-mongodb.yaml',
  'ledger-innodb.yaml',
];

const repoRoot = path.join(
  path.dirname(require.resolve('@multicluster/cluster-simulator/package.json')),
  '..',
  '..',
);

function demoObjects(cluster: string): unknown[] {
  return FILES.map(f => path.join(repoRoot, 'examples', 'world', cluster, f))
    .filter(f => fs.existsSync(f))
    .flatMap(f =>
      parseAllDocuments(fs.readFileSync(f, 'utf8')).map(d => d.toJS()),
    )
    .filter(Boolean);
}

const world = {
  clusters: ['eu-central', 'eu-west', 'us-east'].map(name => ({
    name,
    region: name,
    operators: ['zalando', 'mongodbcommunity', 'innodbcluster'],
    objects: [
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'databases' } },
      ...demoObjects(name),
    ],
  })),
};

describe('discovery of databases run by the Zalando, MongoDB Community and MySQL operators', () => {
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

  it('finds each database in its two clusters, grouped by its resource, owned as its resource says', async () => {
    const config = appConfigFor(sim.clusters) as any;
    config.multiclusterStatefulsets.discovery = {
      enabled: true,
      frequencySeconds: 5,
    };
    const backend = await startTestBackend({
      features: [
        multiclusterStatefulsetsPlugin,
        mockServices.rootConfig.factory({ data: config }),
        catalogServiceMock.factory({ entities: [] }),
        createServiceFactory({
          service: signalsServiceRef,
          deps: {},
          factory: () => ({ async publish() {} }),
        }),
      ],
    });
    try {
      const summary = (body: any) =>
        Object.fromEntries(
          (body?.items ?? []).map((i: any) => [
            i.name,
            {
              clusters: i.clusters,
              groupedBy: i.groupedBy,
              owner: i.entity?.spec?.owner,
              selector:
                i.entity?.metadata?.annotations?.[
                  'backstage.io/kubernetes-label-selector'
                ],
              reason: i.reason,
            },
          ]),
        );
      const expected = {
        'acid-analytics': {
          clusters: ['eu-west', 'us-east'],
          groupedBy: 'same Zalando Postgres Operator postgresql name',
          owner: 'group:default/database-platform',
          selector: 'cluster-name=acid-analytics,application=spilo',
        },
        carts: {
          clusters: ['eu-central', 'eu-west'],
          groupedBy: 'same MongoDB Community Operator MongoDBCommunity name',
          owner: 'group:default/database-platform',
          selector: 'app=carts-svc',
        },
        ledger: {
          clusters: ['eu-central', 'eu-west'],
          groupedBy: 'same MySQL Operator InnoDBCluster name',
          owner: 'group:default/database-platform',
          selector: 'mysql.oracle.com/cluster=ledger,tier=mysql',
        },
      };
      const deadline = Date.now() + 25_000;
      let res: request.Response;
      do {
        res = await request(backend.server)
          .get(ROUTE)
          .set('authorization', mockCredentials.user.header());
        if (JSON.stringify(summary(res.body)) === JSON.stringify(expected))
          break;
        await new Promise(resolve => setTimeout(resolve, 200));
      } while (Date.now() < deadline);
      expect(res.status).toBe(200);
      expect(summary(res.body)).toEqual(expected);
    } finally {
      await backend.stop();
    }
  }, 60_000);
});
