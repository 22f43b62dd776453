/*
 * The demo's MongoDB Community `carts` and MySQL Operator `ledger`, read
 * through the REST API from two simulated clusters without any of the
 * product's annotations: each cluster runs its own replica set or group,
 * which the operators cannot relate across Kubernetes clusters, so the
 * topology names the operator as the source, calls no side active or
 * passive and has no link.
 */
import { RunningSimulator } from '@multicluster/cluster-simulator';
import {
  bodyOnceShaped,
  databaseEntity,
  demoFilesWorld,
  startQuietSimulator,
  topologyPath,
  topologySummary,
  withBackend,
} from './__testUtils__/simulatedDatabases';

describe('MongoDB Community and MySQL Operator databases against the cluster simulator', () => {
  let sim: RunningSimulator;

  beforeAll(async () => {
    sim = await startQuietSimulator(
      demoFilesWorld({
        clusters: ['eu-central', 'eu-west'],
        operators: ['mongodbcommunity', 'innodbcluster'],
        files: ['carts-mongodb.yaml', 'ledger-innodb.yaml'],
      }),
    );
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
      const expected = {
        clusters: ['eu-central', 'eu-west'].map(cluster => [
          cluster,
          'unknown',
          [[name, 'unknown', source, 3]],
        ]),
        links: [],
      };
      const entity = databaseEntity(name, engine, { selector });
      const body = await withBackend(sim, [entity], get =>
        bodyOnceShaped(get, topologyPath(name), topologySummary, expected),
      );
      expect(topologySummary(body)).toEqual(expected);
    },
    40000,
  );
});
