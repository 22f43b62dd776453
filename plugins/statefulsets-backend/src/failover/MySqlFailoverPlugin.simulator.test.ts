/*
 * A switchover and a failback of the demo's orders-mysql started over REST,
 * as the failover dialog starts them, against the cluster simulator: the
 * plan words each step in MySQL statements, and the runs leave the engines
 * in swapped roles, read with `mysql` through pods/exec.
 */

import { RunningSimulator } from '@multicluster/cluster-simulator';

import {
  clientsFor,
  DEMO_ENTITIES,
  startDemoWorld,
} from './__testUtils__/simulatorWorld';
import { HttpClusterWriteClient } from './HttpClusterWriteClient';
import { databaseEntity } from '../__testUtils__/databaseEntity';

import {
  failoverAppConfig,
  startPluginBackend,
  switchOverByRest,
} from './__testUtils__/restFailover';

jest.setTimeout(120_000);

const PRIMARY_POD: Record<string, string> = {
  'eu-central': 'orders-mysql-0',
  'eu-west': 'orders-mysql-10',
};

const entity = databaseEntity('orders-mysql', DEMO_ENTITIES['orders-mysql']);

describe('a MySQL switchover and failback from the failover API', () => {
  let sim: RunningSimulator;
  let clients: HttpClusterWriteClient[];

  beforeAll(async () => {
    sim = await startDemoWorld();
    clients = clientsFor(sim, 10_000);
  });

  afterAll(() => sim?.stop());

  /** `kubectl exec <primary pod> -- mysql -N -e <sql>` in a cluster. */
  async function mysql(cluster: string, sql: string, user = 'root') {
    return clients
      .find(c => c.cluster === cluster)!
      .exec(
        {
          namespace: 'databases',
          pod: PRIMARY_POD[cluster],
          container: 'mysql',
        },
        ['mysql', `-u${user}`, '-N', '-e', sql],
        { timeoutMs: 10_000 },
      );
  }

  async function expectPrimary(primary: string, replica: string) {
    expect((await mysql(primary, 'SELECT @@super_read_only')).stdout).toBe(
      '0\n',
    );
    expect((await mysql(replica, 'SELECT @@super_read_only')).stdout).toBe(
      '1\n',
    );
    expect((await mysql(primary, 'SHOW REPLICA STATUS')).stdout).toBe('');
    const status = (await mysql(replica, 'SHOW REPLICA STATUS\\G')).stdout;
    expect(status).toContain(
      ` Source_Host: ${PRIMARY_POD[primary]}.${primary}.orders-mysql-headless.databases.svc.clusterset.local\n`,
    );
    expect(status).toContain(' Replica_SQL_Running: Yes\n');
    expect(
      (await mysql(primary, 'INSERT INTO orders VALUES (1)', 'app')).exitCode,
    ).toBe(0);
    const refused = await mysql(
      replica,
      'INSERT INTO orders VALUES (1)',
      'app',
    );
    expect(refused.stderr).toContain('ERROR 1290');
  }

  it('leaves the engines in swapped roles, and back', async () => {
    const config = failoverAppConfig(sim, 5000);
    const backend = await startPluginBackend(config, [entity]);
    try {
      await expectPrimary('eu-central', 'eu-west');

      const there = await switchOverByRest(
        backend.server,
        'orders-mysql',
        'eu-west',
      );
      expect(JSON.stringify(there.plan)).toContain(
        'SET PERSIST super_read_only=ON',
      );
      // The dialog states the window in transactions next to the seconds.
      expect(there.plan.dataLossInEngine).toMatchObject({
        unit: 'transactions',
        provider: 'mysql-gtid',
      });
      expect(there.plan.dataLossInEngine.amount).toEqual(expect.any(Number));
      expect(there.plan.dataLoss).toMatch(
        /the target lacks \d+ transactions of the source now/,
      );
      expect(there.run.status).toBe('succeeded');
      await expectPrimary('eu-west', 'eu-central');

      const back = await switchOverByRest(
        backend.server,
        'orders-mysql',
        'eu-central',
      );
      expect(back.run.status).toBe('succeeded');
      await expectPrimary('eu-central', 'eu-west');
    } finally {
      await backend.stop();
    }
  });
});
