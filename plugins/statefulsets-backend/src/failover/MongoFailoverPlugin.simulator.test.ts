/*
 * A switchover and a failback of the demo's sessions-mongodb started over
 * REST, as the failover dialog starts them, against the cluster simulator:
 * the plan words each step in mongosh commands, and the runs move the
 * replica set's elected primary, read with `mongosh` through pods/exec.
 */
import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import {
  appConfigFor,
  RunningSimulator,
} from '@multicluster/cluster-simulator';
import request from 'supertest';
import { multiclusterStatefulsetsPlugin } from '../plugin';
import {
  clientsFor,
  DEMO_ENTITIES,
  startDemoWorld,
} from './__testUtils__/simulatorWorld';
import { HttpClusterWriteClient } from './HttpClusterWriteClient';

jest.setTimeout(120_000);

const BASE =
  '/api/multicluster-statefulsets/entities/component/default/sessions-mongodb';
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

async function until<T>(probe: () => Promise<T | undefined>): Promise<T> {
  const end = Date.now() + 60_000;
  for (;;) {
    const [value, error] = await probe().then(
      v => [v, undefined] as const,
      e => [undefined, e] as const,
    );
    if (value !== undefined) return value;
    if (Date.now() > end)
      throw new Error(`condition not reached in 60 s: ${String(error)}`);
    await new Promise(r => setTimeout(r, 200));
  }
}

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

  async function switchOver(server: any, targetCluster: string) {
    const plan = await until(async () => {
      const p = await request(server)
        .post(`${BASE}/failover/plan`)
        .send({ targetCluster, mode: 'switchover' });
      if (!p.body.allowed) throw new Error(JSON.stringify(p.body.checks));
      return p.body;
    });
    const started = await request(server).post(`${BASE}/failover/runs`).send({
      targetCluster,
      mode: 'switchover',
      confirm: 'sessions-mongodb',
    });
    expect(started.status).toBe(202);
    const run = await until(async () => {
      const r = await request(server).get(
        `${BASE}/failover/runs/${started.body.id}`,
      );
      return ['pending', 'running'].includes(r.body.status)
        ? undefined
        : r.body;
    });
    return { plan, run };
  }

  it('moves the elected primary to eu-west, and back', async () => {
    const config = appConfigFor(
      sim.clusters.map(c => ({
        ...c,
        readOnlyToken: undefined,
        writeToken: undefined,
        rbac: false,
      })),
    ) as any;
    config.multiclusterStatefulsets.failover = { catchUpTimeoutMs: 10000 };
    config.multiclusterStatefulsets.cacheTtlMs = 1;
    const backend = await startTestBackend({
      features: [
        multiclusterStatefulsetsPlugin,
        mockServices.rootConfig.factory({ data: config }),
        catalogServiceMock.factory({ entities: [entity] }),
      ],
    });
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

      const there = await switchOver(backend.server, 'eu-west');
      expect(JSON.stringify(there.plan)).toContain('replSetStepDown');
      expect(there.plan.dataLossInEngine).toMatchObject({
        unit: 'optime seconds',
        provider: 'mongodb-replica-set',
      });
      expect(there.run.error).toBeUndefined();
      expect(there.run.status).toBe('succeeded');
      await expectPrimary('eu-west', 'eu-central');

      const back = await switchOver(backend.server, 'eu-central');
      expect(back.run.error).toBeUndefined();
      expect(back.run.status).toBe('succeeded');
      await expectPrimary('eu-central', 'eu-west');
    } finally {
      await backend.stop();
    }
  });
});
