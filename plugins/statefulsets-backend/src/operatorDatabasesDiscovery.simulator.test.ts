/*
 * Discovery of the demo's databases run by the Zalando Postgres Operator,
 * the MongoDB Community Operator and the MySQL Operator: the demo world's
 * `acid-analytics`, `carts` and `ledger` files in simulated clusters with
 * those operators installed, found over the discovery route and grouped by
 * the operator resource's name, each with the owner its resource names and
 * the selector of its pods.
 */
import { mockCredentials } from '@backstage/backend-test-utils';
import { RunningSimulator } from '@multicluster/cluster-simulator';
import request from 'supertest';
import {
  demoFilesWorld,
  startDiscoveryBackend,
  startQuietSimulator,
} from './__testUtils__/simulatedDatabases';

const ROUTE = '/api/multicluster-statefulsets/discovery/databases';
const FILES = [
  'analytics-postgres.yaml',
  'carts-mongodb.yaml',
  'ledger-innodb.yaml',
];

describe('discovery of databases run by the Zalando, MongoDB Community and MySQL operators', () => {
  let sim: RunningSimulator;

  beforeAll(async () => {
    sim = await startQuietSimulator(
      demoFilesWorld({
        clusters: ['eu-central', 'eu-west', 'us-east'],
        operators: ['zalando', 'mongodbcommunity', 'innodbcluster'],
        files: FILES,
      }),
    );
  });

  afterAll(async () => {
    await sim?.stop();
  });

  it('finds each database in its two clusters, grouped by its resource, owned as its resource says', async () => {
    const backend = await startDiscoveryBackend(sim, {
      enabled: true,
      frequencySeconds: 5,
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
