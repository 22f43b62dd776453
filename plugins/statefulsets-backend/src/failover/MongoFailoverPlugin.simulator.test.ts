/*
 * A switchover and a failback of the demo's sessions-mongodb started over
 * REST, as the failover dialog starts them, against the cluster simulator:
 * the plan words each step in mongosh commands, and the runs move the
 * replica set's elected primary, read with `mongosh` through pods/exec.
 */
import { Entity } from '@backstage/catalog-model';

import { RunningSimulator } from '@multicluster/cluster-simulator';

import {
  clientsFor,
  DEMO_ENTITIES,
  startDemoWorld,
} from './__testUtils__/simulatorWorld';
import { HttpClusterWriteClient } from './HttpClusterWriteClient';
import {
  failoverAppConfig,
  startPluginBackend,
  switchOverByRest,
} from './__testUtils__/restFailover';

jest.setTimeout(120_000);

const FIRST_POD: Record<string, string> = {
  'eu-central': 'sessions-mongodb-0',
  'eu-west': 'sessions-mongodb-10',
};

const entity: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: {
    name: 'sessions-mongodb',
    namespace: 'default',
    annotations: {
      ...DEMO_ENTITIES['sessions-mongodb'],
      'multicluster-statefulsets/max-failover-lag': '5',
    },
  },
  spec: {
    type: 'database',
    owner: 'group:default/database-platform',
    lifecycle: 'production',
  },
};

describe('a MongoDB switchover and failback from the failover API', () => {
  let sim: RunningSimulator;
  let clients: HttpClusterWriteClient[];

  beforeAll(async () => {
    sim = await startDemoWorld();
    clients = clientsFor(sim, 20_000);
  });

  afterAll(() => sim?.stop());

  /** `kubectl exec <first pod> -- mongosh --quiet --eval <js>` in a cluster. */
  function mongosh(cluster: string, js: string) {
    return clients
      .find(c => c.cluster === cluster)!
      .exec(
        {
          namespace: 'databases',
          pod: FIRST_POD[cluster],
          container: 'mongod',
        },
        ['mongosh', '--quiet', '--eval', js],
        { timeoutMs: 20_000 },
      );
  }

  async function expectPrimary(primary: string, old: string) {
    expect(
      (await mongosh(primary, 'db.hello().isWritablePrimary')).stdout,
    ).toBe('true\n');
    expect((await mongosh(old, 'db.hello().isWritablePrimary')).stdout).toBe(
      'false\n',
    );
    const insert = "db.getSiblingDB('app').sessions.insertOne({user: 'u1'})";
    expect((await mongosh(primary, insert)).exitCode).toBe(0);
    const refused = await mongosh(old, insert);
    expect(refused.exitCode).toBe(1);
    expect(refused.stderr).toContain(
      'MongoServerError[NotWritablePrimary]: not primary',
    );
  }

  it('moves the elected primary to eu-west, and back', async () => {
    const config = failoverAppConfig(sim, 10000);
    const backend = await startPluginBackend(config, [entity]);
    try {
      await expectPrimary('eu-central', 'eu-west');
      // The roles the engine reports (mongodb_rs_myState, read through
      // Prometheus in the portal) make the sides without the primary
      // passive; without a Prometheus here they are declared so.
      for (const cluster of ['eu-west', 'us-east']) {
        const client = clients.find(c => c.cluster === cluster)!;
        await client.mergePatch(
          '/apis/apps/v1/namespaces/databases/statefulsets/sessions-mongodb',
          {
            metadata: {
              annotations: { 'multicluster-statefulsets/role': 'passive' },
            },
          },
        );
      }

      const there = await switchOverByRest(
        backend.server,
        'sessions-mongodb',
        'eu-west',
      );
      expect(JSON.stringify(there.plan)).toContain('replSetStepDown');
      expect(there.plan.dataLossInEngine).toMatchObject({
        unit: 'optime seconds',
        provider: 'mongodb-replica-set',
      });
      expect(there.run.error).toBeUndefined();
      expect(there.run.status).toBe('succeeded');
      await expectPrimary('eu-west', 'eu-central');

      const back = await switchOverByRest(
        backend.server,
        'sessions-mongodb',
        'eu-central',
      );
      expect(back.run.error).toBeUndefined();
      expect(back.run.status).toBe('succeeded');
      await expectPrimary('eu-central', 'eu-west');
    } finally {
      await backend.stop();
    }
  });
});
