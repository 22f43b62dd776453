/*
 * The Elasticsearch CCR provider against the cluster simulator's
 * Elasticsearch emulator, every REST call through `pods/exec` with `curl`
 * as a run sends it: a switchover and a failback swap which cluster leads
 * and which follows (read with `_ccr/info`, not from annotations), and an
 * emergency failover states its data-loss window in operations and keeps
 * an old leader with operations the new one lacks fenced.
 */
import {
  ElasticsearchCcrProvider,
  FailoverCallContext,
  FailoverSide,
} from '@multicluster/backstage-plugin-statefulsets-node';
import { RunningSimulator } from '@multicluster/cluster-simulator';
import { clientsFor, startDemoWorld } from './__testUtils__/simulatorWorld';

jest.setTimeout(90_000);

const workload = {
  apiVersion: 'apps/v1',
  kind: 'StatefulSet',
  namespace: 'databases',
  name: 'search-elasticsearch',
};
const FIRST_POD: Record<string, string> = {
  'eu-west': 'search-elasticsearch-10',
  'us-east': 'search-elasticsearch-20',
};
const ctx: FailoverCallContext = {
  entityRef: 'component:default/search-elasticsearch',
  engine: 'elasticsearch',
  now: Date.now,
};
const sleep = (ms: number) => new Promise(r => setTimeout(r, ms));

describe('ElasticsearchCcrProvider through pods/exec', () => {
  let sim: RunningSimulator;
  let sides: Record<string, FailoverSide>;
  const provider = new ElasticsearchCcrProvider();

  /** `kubectl exec <first pod> -- curl -s …` in a cluster (credentials from the pod's .curlrc). */
  async function curl(
    cluster: string,
    method: string,
    path: string,
    body?: unknown,
  ) {
    const r = await sides[cluster].client.exec!(
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
        `http://localhost:9200${path}`,
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
    expect(r.exitCode).toBe(0);
    return JSON.parse(r.stdout);
  }

  async function switchover(from: string, to: string) {
    const fenced = await provider.fence(sides[from], sides[to], ctx);
    await provider.waitCaughtUp(sides[to], sides[from], {
      ...ctx,
      timeoutMs: 10_000,
    });
    const promoted = await provider.promote(sides[to], sides[from], {
      ...ctx,
      fenced,
      emergency: false,
    });
    await provider.reattach(sides[from], sides[to], promoted, ctx);
    return { fenced, promoted };
  }

  async function expectRoles(leader: string, follower: string, alias: string) {
    expect(
      (await curl(leader, 'GET', '/_all/_ccr/info')).follower_indices,
    ).toEqual([]);
    const info = await curl(follower, 'GET', '/_all/_ccr/info');
    expect(
      info.follower_indices
        .map((f: any) => [f.follower_index, f.remote_cluster, f.status])
        .sort(),
    ).toEqual([
      ['product-suggestions', alias, 'active'],
      ['products', alias, 'active'],
    ]);
    const accepted = await curl(leader, 'POST', '/products/_doc', {
      name: 'lamp',
    });
    expect(accepted.result).toBe('created');
    const refused = await curl(follower, 'POST', '/products/_doc', {
      name: 'lamp',
    });
    expect(refused).toMatchObject({
      status: 403,
      error: { type: 'status_exception' },
    });
    expect(
      await provider.verifyRoles(sides[leader], sides[follower], ctx),
    ).toEqual([]);
    expect(await provider.isPromoted(sides[leader], ctx)).toBe(true);
    expect(await provider.isPromoted(sides[follower], ctx)).toBe(false);
    const sts = await sides[follower].client.get(
      '/apis/apps/v1/namespaces/databases/statefulsets/search-elasticsearch',
    );
    expect(sts.metadata.annotations).toMatchObject({
      'multicluster-statefulsets/role': 'passive',
      'multicluster-statefulsets/replication-source': leader,
    });
  }

  beforeAll(async () => {
    sim = await startDemoWorld();
    const clients = clientsFor(sim, 10_000);
    sides = Object.fromEntries(
      ['eu-west', 'us-east'].map(cluster => [
        cluster,
        {
          cluster,
          client: clients.find(c => c.cluster === cluster)!,
          workload,
        },
      ]),
    );
    for (const [cluster, pod] of Object.entries(FIRST_POD)) {
      const deadline = Date.now() + 30_000;
      while (
        (
          await sides[cluster].client.get(
            `/api/v1/namespaces/databases/pods/${pod}`,
          )
        )?.status?.phase !== 'Running'
      ) {
        if (Date.now() > deadline) throw new Error(`${pod} is not Running`);
        await sleep(200);
      }
    }
  });

  afterAll(() => sim?.stop());

  it('is chosen for Elasticsearch StatefulSets only', () => {
    expect(provider.supportsWorkload(workload, 'elasticsearch')).toBe(true);
    expect(provider.supportsWorkload(workload, 'mysql')).toBe(false);
  });

  it("starts with the demo's wiring: us-east follows eu-west through remote cluster 'leader'", async () => {
    await curl('eu-west', 'GET', '/');
    await sleep(1_100);
    await expectRoles('eu-west', 'us-east', 'leader');
    expect((await provider.readLag(sides['us-east'], ctx)).seconds).toBe(0);
  });

  it('switches over and fails back, leaving the engines in swapped roles', async () => {
    const { fenced, promoted } = await switchover('eu-west', 'us-east');
    expect(fenced).toMatchObject({
      pod: 'search-elasticsearch-10',
      indices: ['product-suggestions', 'products'],
      blockedBefore: [],
    });
    // A switchover loses nothing.
    expect(promoted).toMatchObject({
      pod: 'search-elasticsearch-20',
      lostOperations: 0,
    });
    // eu-west reached us-east through a new remote cluster named after it.
    const remote = await curl('eu-west', 'GET', '/_remote/info');
    expect(remote['us-east']).toMatchObject({
      connected: true,
      mode: 'proxy',
      proxy_address:
        'search-elasticsearch-transport.databases.us-east.mesh.internal:9300',
    });
    await expectRoles('us-east', 'eu-west', 'us-east');
    const autoFollow = await curl('eu-west', 'GET', '/_ccr/auto_follow');
    expect(
      autoFollow.patterns.map((p: any) => p.pattern.remote_cluster),
    ).toEqual(['us-east']);
    expect(
      (await curl('us-east', 'GET', '/_ccr/auto_follow')).patterns,
    ).toEqual([]);

    await sleep(600);
    await switchover('us-east', 'eu-west');
    await expectRoles('eu-west', 'us-east', 'leader');
  });

  it('rolls a fence back, also when the fence ran twice', async () => {
    await provider.fence(sides['eu-west'], sides['us-east'], ctx);
    const undo = await provider.fence(sides['eu-west'], sides['us-east'], ctx);
    const blocked = await curl('eu-west', 'POST', '/products/_doc', {});
    expect(blocked.error.type).toBe('cluster_block_exception');
    await provider.unfence(sides['eu-west'], undo, ctx);
    expect((await curl('eu-west', 'POST', '/products/_doc', {})).result).toBe(
      'created',
    );
  });

  it('states an emergency failover’s data-loss window in operations and keeps a diverged old leader fenced', async () => {
    // us-east is cut off from eu-west, which writes on.
    await provider.readLag(sides['us-east'], ctx);
    sim.admin.partition('us-east', 'eu-west');
    await sleep(1_200);
    const window = await provider.readDataLoss(
      sides['us-east'],
      sides['eu-west'],
      ctx,
    );
    expect(window).toMatchObject({ unit: 'operations', amount: 0 });
    expect(window!.detail).toContain('does not answer');
    const promoted = await provider.promote(
      sides['us-east'],
      sides['eu-west'],
      {
        ...ctx,
        emergency: true,
      },
    );
    expect(promoted.lostOperations).toBe(0);
    expect((await curl('us-east', 'POST', '/products/_doc', {})).result).toBe(
      'created',
    );
    sim.admin.heal();

    // The old leader comes back with operations us-east never received.
    await provider.markFenced(sides['eu-west'], sides['us-east'], ctx);
    const blocked = await curl('eu-west', 'POST', '/products/_doc', {});
    expect(blocked.error.type).toBe('cluster_block_exception');
    expect(
      (await curl('eu-west', 'GET', '/_all/_ccr/info')).follower_indices,
    ).toEqual([]);
    const diverged =
      /eu-west \(search-elasticsearch-10\) has operations us-east never received: .*products \+\d+/;
    await expect(
      provider.reattach(sides['eu-west'], sides['us-east'], promoted, ctx),
    ).rejects.toThrow(diverged);
    expect(
      await provider.verifyRoles(sides['us-east'], sides['eu-west'], ctx),
    ).toEqual([expect.stringMatching(diverged)]);
  });

  it('journals commands that carry no password', async () => {
    const seen: string[][] = [];
    const client = sides['us-east'].client;
    const spy: FailoverSide = {
      ...sides['us-east'],
      client: {
        cluster: client.cluster,
        pathOf: r => client.pathOf(r),
        get: p => client.get(p),
        mergePatch: (p, patch) => client.mergePatch(p, patch),
        create: (p, body) => client.create(p, body),
        delete: p => client.delete(p),
        exec: (t, command, o) => {
          seen.push(command);
          return client.exec!(t, command, o);
        },
      },
    };
    await provider.readLag(spy, ctx);
    expect(seen[0]).toEqual([
      'sh',
      '-c',
      `curl -s -u "elastic:$ELASTIC_PASSWORD" -X GET 'http://localhost:9200/_ccr/stats'`,
    ]);
  });
});
