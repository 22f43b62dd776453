/*
 * A switchover and a failback of the demo's `payments` (Percona XtraDB
 * Cluster, eu-central the source site, eu-west the replica) started over
 * REST as the failover dialog starts them, against the cluster simulator
 * running the simulated Percona operator: the plan words each step in the
 * operator's fields, and the runs leave the PerconaXtraDBCluster resources
 * with their replication channels turned around and the servers in
 * swapped roles, read with `mysql` through pods/exec. The lag (which the
 * operator's status does not carry) comes the product's way, from
 * Prometheus: a stand-in that answers instant queries from the clusters'
 * own `/metrics` (mysqld_exporter's series), scraped at each query.
 */
import { Entity } from '@backstage/catalog-model';

import { RunningSimulator } from '@multicluster/cluster-simulator';

import {
  databaseEntity,
  demoFilesWorld,
  startQuietSimulator,
} from '../__testUtils__/simulatedDatabases';
import { clientsFor } from './__testUtils__/simulatorWorld';
import { startPrometheusStandIn } from './__testUtils__/prometheusStandIn';
import { HttpClusterWriteClient } from './HttpClusterWriteClient';
import {
  failoverAppConfig,
  startPluginBackend,
  switchOverByRest,
  until,
} from './__testUtils__/restFailover';

jest.setTimeout(180_000);

const ENTITY_REF = 'component:default/payments';
const PXC_PATH =
  '/apis/pxc.percona.com/v1/namespaces/databases/perconaxtradbclusters/payments';
const host = (cluster: string, i: number) =>
  `payments-pxc-${i}.databases.${cluster}.elb.simulator.local`;

const base = databaseEntity('payments', 'mysql', {
  selector:
    'app.kubernetes.io/instance=payments,app.kubernetes.io/name=percona-xtradb-cluster',
});
const entity: Entity = {
  ...base,
  metadata: {
    ...base.metadata,
    annotations: {
      ...base.metadata.annotations,
      'multicluster-statefulsets/strategy': 'active-passive',
      'multicluster-statefulsets/max-failover-lag': '5',
    },
  },
};

describe('a PXC switchover and failback from the failover API', () => {
  let sim: RunningSimulator;
  let clients: HttpClusterWriteClient[];
  const client = (cluster: string) => clients.find(c => c.cluster === cluster)!;

  beforeAll(async () => {
    sim = await startQuietSimulator(
      demoFilesWorld({
        clusters: ['eu-central', 'eu-west'],
        operators: ['percona'],
        files: ['payments-pxc.yaml'],
      }),
    );
    clients = clientsFor(sim, 10_000);
    // The owner stamps the operator's StatefulSets for the entity.
    for (const c of clients) {
      for (const sts of ['payments-haproxy', 'payments-pxc']) {
        const path = `/apis/apps/v1/namespaces/databases/statefulsets/${sts}`;
        await until(() => c.get(path), `${sts} in ${c.cluster}`);
        await c.mergePatch(path, {
          metadata: {
            annotations: {
              'multicluster-statefulsets/owner-entity': ENTITY_REF,
            },
          },
        });
      }
    }
  });

  afterAll(() => sim?.stop());

  /** `kubectl exec payments-pxc-<i> -c pxc -- mysql -u<user> -N -e <sql>`. */
  function mysql(cluster: string, sql: string, user = 'root', i = 0) {
    return client(cluster).exec(
      { namespace: 'databases', pod: `payments-pxc-${i}`, container: 'pxc' },
      ['mysql', `-u${user}`, '-N', '-e', sql],
      { timeoutMs: 10_000 },
    );
  }

  async function expectSource(source: string, replica: string) {
    const [src, rep] = await Promise.all([
      client(source).get(PXC_PATH),
      client(replica).get(PXC_PATH),
    ]);
    const [srcChannel] = src.spec.pxc.replicationChannels;
    const [repChannel] = rep.spec.pxc.replicationChannels;
    expect(srcChannel.isSource).toBe(true);
    expect(srcChannel.sourcesList).toBeUndefined();
    expect(repChannel.isSource).toBe(false);
    expect(repChannel.sourcesList.map((s: any) => s.host)).toEqual(
      [0, 1, 2].map(i => host(source, i)),
    );
    // The servers: the source's take writes, every replica pod refuses them.
    for (const i of [0, 1, 2]) {
      expect(
        (await mysql(source, 'SELECT @@read_only', 'root', i)).stdout,
      ).toBe('0\n');
      expect(
        (await mysql(replica, 'SELECT @@read_only', 'root', i)).stdout,
      ).toBe('1\n');
    }
    expect((await mysql(source, 'SHOW REPLICA STATUS')).stdout).toBe('');
    const status = (await mysql(replica, 'SHOW REPLICA STATUS\\G')).stdout;
    expect(status).toContain(` Source_Host: ${host(source, 0)}\n`);
    expect(status).toContain(' Replica_SQL_Running: Yes\n');
    expect(
      (await mysql(source, 'INSERT INTO payments VALUES (1)', 'app')).exitCode,
    ).toBe(0);
    const refused = await mysql(
      replica,
      'INSERT INTO payments VALUES (1)',
      'app',
    );
    expect(refused.stderr).toContain('ERROR 1290');
  }

  it('turns the operator resources and the servers around, and back', async () => {
    const config = failoverAppConfig(sim, 5000);
    const prometheus = await startPrometheusStandIn(sim);
    config.multiclusterStatefulsets.prometheus = { url: prometheus.url };
    const backend = await startPluginBackend(config, [entity]);
    try {
      await until(async () => {
        await expectSource('eu-central', 'eu-west');
        return true;
      }, 'eu-central the source');

      const there = await switchOverByRest(
        backend.server,
        'payments',
        'eu-west',
      );
      const words = JSON.stringify(there.plan);
      expect(words).toContain('isSource = false');
      expect(words).toContain('WAIT_FOR_EXECUTED_GTID_SET');
      expect(there.plan.dataLossInEngine).toMatchObject({
        unit: 'transactions',
        provider: 'percona-xtradb-cluster',
      });
      expect(there.run.status).toBe('succeeded');
      await expectSource('eu-west', 'eu-central');

      const back = await switchOverByRest(
        backend.server,
        'payments',
        'eu-central',
      );
      expect(back.run.status).toBe('succeeded');
      await expectSource('eu-central', 'eu-west');
    } finally {
      await backend.stop();
      await prometheus.stop();
    }
  });
});
