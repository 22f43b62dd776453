/*
 * A switchover and a failback of the demo's search-elasticsearch started
 * over REST, as the failover dialog starts them, against the cluster
 * simulator: the plan words each step in Elasticsearch REST calls, and the
 * runs swap which cluster's indices lead and which follow, read with
 * `curl` (`_ccr/info`) through pods/exec, with a write accepted on the new
 * leader and refused on the old one.
 */
import { Entity } from '@backstage/catalog-model';

import { RunningSimulator } from '@multicluster/cluster-simulator';

import { clientsFor, startDemoWorld } from './__testUtils__/simulatorWorld';
import { HttpClusterWriteClient } from './HttpClusterWriteClient';
import {
  failoverAppConfig,
  startPluginBackend,
  switchOverByRest,
} from './__testUtils__/restFailover';

jest.setTimeout(120_000);

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

  it('swaps which cluster leads and which follows, and back', async () => {
    const config = failoverAppConfig(sim, 10000);
    const backend = await startPluginBackend(config, [entity]);
    try {
      await curl('eu-west', 'GET', '/');
      await expectLeader('eu-west', 'us-east');

      const there = await switchOverByRest(
        backend.server,
        'search-elasticsearch',
        'us-east',
      );
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

      const back = await switchOverByRest(
        backend.server,
        'search-elasticsearch',
        'eu-west',
      );
      expect(back.run.status).toBe('succeeded');
      await expectLeader('eu-west', 'us-east');
    } finally {
      await backend.stop();
    }
  });
});
