/*
 * A switchover and a failback of the demo's search-elasticsearch started
 * over REST, as the failover dialog starts them, against the cluster
 * simulator: the plan words each step in Elasticsearch REST calls, and the
 * runs swap which cluster's indices lead and which follow, read with
 * `curl` (`_ccr/info`) through pods/exec, with a write accepted on the new
 * leader and refused on the old one.
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
import { clientsFor, startDemoWorld } from './__testUtils__/simulatorWorld';
import { HttpClusterWriteClient } from './HttpClusterWriteClient';

jest.setTimeout(120_000);

const BASE =
  '/api/multicluster-statefulsets/entities/component/default/search-elasticsearch';
const FIRST_POD: Record<string, string> = {
  'eu-west': 'search-elasticsearch-10',
  'us-east': 'search-elasticsearch-20',
};

/** The entity as in examples/databases.yaml. */
const entity: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: {
    name: 'search-elasticsearch',
    namespace: 'default',
    annotations: {
      'backstage.io/kubernetes-id': 'search-elasticsearch',
      'backstage.io/kubernetes-namespace': 'databases',
      'multicluster-statefulsets/engine': 'elasticsearch',
      'multicluster-statefulsets/strategy': 'active-passive',
      'multicluster-statefulsets/max-failover-lag': '60',
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
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > end) throw new Error('condition not reached in 60 s');
    await new Promise(r => setTimeout(r, 200));
  }
}

describe('an Elasticsearch switchover and failback from the failover API', () => {
  let sim: RunningSimulator;
  let clients: HttpClusterWriteClient[];

  beforeAll(async () => {
    sim = await startDemoWorld();
    clients = clientsFor(sim, 10_000);
  });

  afterAll(() => sim?.stop());

  /** `kubectl exec <first pod> -- curl -s -X <method> localhost:9200<path>` in a cluster. */
  async function curl(
    cluster: string,
    method: string,
    path: string,
    body?: unknown,
  ) {
    const r = await clients
      .find(c => c.cluster === cluster)!
      .exec(
        {
          namespace: 'databases',
          pod: FIRST_POD[cluster],
          container: 'elasticsearch',
        },
        [
          'curl',
          '-s',
          '-X',
          method,
          `localhost:9200${path}`,
          ...(body === undefined
            ? []
            : [
                '-H',
                'Content-Type: application/json',
                '-d',
                JSON.stringify(body),
              ]),
        ],
        { timeoutMs: 10_000 },
      );
    return JSON.parse(r.stdout);
  }

  async function expectLeader(leader: string, follower: string) {
    expect(
      (await curl(leader, 'GET', '/products/_ccr/info')).follower_indices,
    ).toEqual([]);
    const [info] = (await curl(follower, 'GET', '/products/_ccr/info'))
      .follower_indices;
    expect(info).toMatchObject({
      follower_index: 'products',
      leader_index: 'products',
      status: 'active',
    });
    const remote = await curl(follower, 'GET', '/_remote/info');
    expect(remote[info.remote_cluster].proxy_address).toContain(`.${leader}.`);
    expect(
      (await curl(leader, 'POST', '/products/_doc', { sku: 1 })).result,
    ).toBe('created');
    const refused = await curl(follower, 'POST', '/products/_doc', { sku: 1 });
    expect(refused.error.reason).toBe(
      'a following engine does not accept operations without an assigned sequence number',
    );
  }

  async function switchOver(server: any, targetCluster: string) {
    const plan = await until(async () => {
      const p = await request(server)
        .post(`${BASE}/failover/plan`)
        .send({ targetCluster, mode: 'switchover' });
      return p.body.allowed ? p.body : undefined;
    });
    const started = await request(server).post(`${BASE}/failover/runs`).send({
      targetCluster,
      mode: 'switchover',
      confirm: 'search-elasticsearch',
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

  it('swaps which cluster leads and which follows, and back', async () => {
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
      await curl('eu-west', 'GET', '/');
      await expectLeader('eu-west', 'us-east');

      const there = await switchOver(backend.server, 'us-east');
      expect(JSON.stringify(there.plan)).toContain(
        'PUT /<index>/_settings {\\"index.blocks.write\\":true}',
      );
      expect(there.plan.dataLossInEngine).toMatchObject({
        unit: 'operations',
        provider: 'elasticsearch-ccr',
      });
      expect(there.plan.dataLossInEngine.amount).toEqual(expect.any(Number));
      expect(there.run.status).toBe('succeeded');
      await expectLeader('us-east', 'eu-west');

      const back = await switchOver(backend.server, 'eu-west');
      expect(back.run.status).toBe('succeeded');
      await expectLeader('eu-west', 'us-east');
    } finally {
      await backend.stop();
    }
  });
});
