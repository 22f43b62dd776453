/*
 * A switchover and a failback of the demo's inventory-kubefed (PostgreSQL
 * 17 StatefulSets: primary in us-east, standby in eu-west) started over
 * REST, as the failover dialog starts them, against the cluster simulator:
 * the plan words each step in PostgreSQL statements and tools, and the
 * runs leave the servers in swapped recovery states, read with `psql`
 * through pods/exec. The StatefulSets are placed as KubeFed places them
 * (the template with eu-west's overrides) but without the FederatedStatefulSet:
 * KubeFed would put the role annotations back to the template's after each
 * run, and without Prometheus scraping the engine the plan reads the roles
 * from those annotations.
 */

import {
  RunningSimulator,
  startSimulator,
} from '@multicluster/cluster-simulator';

import { clientsFor } from './__testUtils__/simulatorWorld';
import { INVENTORY, inventoryWorld } from './__testUtils__/inventoryWorld';
import { HttpClusterWriteClient } from './HttpClusterWriteClient';
import { databaseEntity } from '../__testUtils__/databaseEntity';

import {
  failoverAppConfig,
  startPluginBackend,
  switchOverByRest,
  until,
} from './__testUtils__/restFailover';

jest.setTimeout(120_000);

const NAME = INVENTORY;
const PRIMARY_POD: Record<string, string> = {
  'us-east': `${NAME}-20`,
  'eu-west': `${NAME}-10`,
};

// As in examples/databases.yaml.
const entity = databaseEntity(NAME, {
  'backstage.io/kubernetes-id': NAME,
  'backstage.io/kubernetes-namespace': 'databases',
  'multicluster-statefulsets/engine': 'postgresql',
  'multicluster-statefulsets/strategy': 'active-passive',
  'multicluster-statefulsets/max-failover-lag': '5',
});

function startWorld(): Promise<RunningSimulator> {
  return startSimulator({
    world: inventoryWorld(),
    portBase: 0,
    adminPort: 0,
    readinessDelayMs: 20,
    tickMs: 50,
    onError: () => undefined,
  });
}

describe('a PostgreSQL switchover and failback from the failover API', () => {
  let sim: RunningSimulator;
  let clients: HttpClusterWriteClient[];

  beforeAll(async () => {
    sim = await startWorld();
    clients = clientsFor(sim, 10_000);
  });

  afterAll(() => sim?.stop());

  /** `kubectl exec <primary pod> -c postgres -- psql -X -At -v ON_ERROR_STOP=1 -c <sql>`. */
  async function psql(cluster: string, sql: string) {
    return clients
      .find(c => c.cluster === cluster)!
      .exec(
        {
          namespace: 'databases',
          pod: PRIMARY_POD[cluster],
          container: 'postgres',
        },
        [
          'psql',
          '-X',
          '-At',
          '-v',
          'ON_ERROR_STOP=1',
          '-U',
          'postgres',
          '-c',
          sql,
        ],
        { timeoutMs: 10_000 },
      );
  }

  /** The old side's other pod streams from the new primary, rewound past the fork. */
  async function expectStandbyPodFollows(primary: string, standby: string) {
    const pod = { 'us-east': `${NAME}-21`, 'eu-west': `${NAME}-11` }[standby]!;
    const r = await clients
      .find(c => c.cluster === standby)!
      .exec(
        { namespace: 'databases', pod, container: 'postgres' },
        [
          'psql',
          '-X',
          '-At',
          '-c',
          'SELECT pg_is_in_recovery(), sender_host FROM pg_stat_wal_receiver',
        ],
        { timeoutMs: 10_000 },
      );
    expect(r.stdout).toBe(
      `t|${PRIMARY_POD[primary]}.${primary}.${NAME}-headless.databases.svc.clusterset.local\n`,
    );
  }

  async function expectPrimary(primary: string, standby: string) {
    expect((await psql(primary, 'SELECT pg_is_in_recovery()')).stdout).toBe(
      'f\n',
    );
    expect((await psql(standby, 'SELECT pg_is_in_recovery()')).stdout).toBe(
      't\n',
    );
    const receiver = await psql(
      standby,
      'SELECT status, sender_host FROM pg_stat_wal_receiver',
    );
    expect(receiver.stdout).toBe(
      `streaming|${PRIMARY_POD[primary]}.${primary}.${NAME}-headless.databases.svc.clusterset.local\n`,
    );
    const write = 'CREATE TABLE IF NOT EXISTS items (id int)';
    expect(await psql(primary, write)).toMatchObject({
      exitCode: 0,
      stderr: '',
    });
    const refused = await psql(standby, 'INSERT INTO items VALUES (1)');
    expect(refused.exitCode).toBe(1);
    expect(refused.stderr).toBe(
      'ERROR:  cannot execute INSERT in a read-only transaction\n',
    );
  }

  it('leaves the servers in swapped recovery states, and back', async () => {
    const config = failoverAppConfig(sim, 5000);
    const backend = await startPluginBackend(config, [entity]);
    try {
      await until(async () =>
        (await psql('eu-west', 'SELECT 1').catch(() => undefined))?.exitCode ===
        0
          ? true
          : undefined,
      );
      await expectPrimary('us-east', 'eu-west');

      const there = await switchOverByRest(backend.server, NAME, 'eu-west');
      expect(JSON.stringify(there.plan)).toContain(
        'SELECT pg_promote(true, 60)',
      );
      // The dialog states the window in WAL bytes next to the seconds.
      expect(there.plan.dataLossInEngine).toMatchObject({
        amount: expect.any(Number),
        unit: 'WAL bytes',
        provider: 'postgresql-streaming',
      });
      expect(there.run).toMatchObject({ status: 'succeeded' });
      await expectPrimary('eu-west', 'us-east');
      await expectStandbyPodFollows('eu-west', 'us-east');

      const back = await switchOverByRest(backend.server, NAME, 'us-east');
      expect(back.run).toMatchObject({ status: 'succeeded' });
      await expectPrimary('us-east', 'eu-west');
      await expectStandbyPodFollows('us-east', 'eu-west');
    } finally {
      await backend.stop();
    }
  });
});
