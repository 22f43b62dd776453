/*
 * The demo's search-elasticsearch in the simulator, read with a real
 * kubectl v1.35 `kubectl exec … -- curl`: the follower in us-east reports
 * its leader's global checkpoint in `_ccr/stats`, credentials come from the
 * .curlrc the pod mounts (no -u), and the state lives on the first pod's
 * claim so it outlives the pod.
 */
import path from 'node:path';
import type { RunningSimulator } from '../../simulator';
import { fetchKubectl, KubectlHome } from '../../testing/kubectl';
import { podRunning, startTestSimulator } from '../../testing/testWorld';
import { loadWorld } from '../../world';
import { ES_STATE_ANNOTATION } from './cluster';

jest.setTimeout(60000);

const ID = 'backstage.io/kubernetes-id';
let sim: RunningSimulator;
let home: KubectlHome | undefined;

beforeAll(async () => {
  fetchKubectl();
  const world = loadWorld(
    path.resolve(__dirname, '../../../../../examples/world/world.yaml'),
  );
  // Only the two clusters of search-elasticsearch and its objects.
  world.clusters = world.clusters.filter(c =>
    ['eu-west', 'us-east'].includes(c.name),
  );
  for (const c of world.clusters) {
    c.operators = [];
    c.objects = c.objects.filter(
      o =>
        o.object.kind === 'Namespace' ||
        o.object.metadata?.labels?.[ID] === 'search-elasticsearch',
    );
  }
  sim = await startTestSimulator(world);
  home = new KubectlHome(sim.clusters, 'sim-es-');
  await podRunning(sim, 'eu-west', 'search-elasticsearch-10');
  await podRunning(sim, 'us-east', 'search-elasticsearch-20');
}, 300000);

afterAll(async () => {
  await sim?.stop();
  home?.remove();
});

const curl = (cluster: string, pod: string, ...args: string[]) =>
  home!.run([
    '--context',
    cluster,
    '-n',
    'databases',
    'exec',
    pod,
    '-c',
    'elasticsearch',
    '--',
    'curl',
    '-s',
    ...args,
  ]);

describe('kubectl exec … -- curl in the demo Elasticsearch pods', () => {
  it('reads the follower stats of us-east against its leader in eu-west', async () => {
    // The leader's indices take writes from its first request on.
    await curl('eu-west', 'search-elasticsearch-10', 'localhost:9200/');
    await new Promise(r => setTimeout(r, 1200));
    const r = await curl(
      'us-east',
      'search-elasticsearch-21',
      'localhost:9200/_ccr/stats',
    );
    expect(r.code).toBe(0);
    const stats = JSON.parse(r.stdout);
    const indices = stats.follow_stats.indices;
    expect(indices.map((i: any) => i.index).sort()).toEqual([
      'product-suggestions',
      'products',
    ]);
    const shard = indices[0].shards[0];
    expect(shard.remote_cluster).toBe('leader');
    expect(shard.follower_global_checkpoint).toBe(
      shard.leader_global_checkpoint,
    );
    expect(shard.leader_global_checkpoint).toBeGreaterThanOrEqual(0);
  });

  it('writes on the leader, refuses on the follower, and keeps the state on the claim', async () => {
    const write = (cluster: string, pod: string) =>
      curl(
        cluster,
        pod,
        '-X',
        'POST',
        'http://localhost:9200/products/_doc',
        '-H',
        'Content-Type: application/json',
        '-d',
        '{"name":"lamp"}',
      );
    expect(
      JSON.parse((await write('eu-west', 'search-elasticsearch-11')).stdout)
        .result,
    ).toBe('created');
    const refused = JSON.parse(
      (await write('us-east', 'search-elasticsearch-20')).stdout,
    );
    expect(refused).toMatchObject({
      status: 403,
      error: { type: 'status_exception' },
    });
    const claim = sim.stores
      .get('eu-west')!
      .peek(
        '',
        'PersistentVolumeClaim',
        'databases',
        'data-search-elasticsearch-10',
      );
    const state = JSON.parse(claim!.metadata.annotations![ES_STATE_ANNOTATION]);
    expect(state.clusterName).toBe('search-eu-west');
    expect(Object.keys(state.indices).sort()).toEqual([
      'product-suggestions',
      'products',
    ]);
  });

  it('answers 401 without the mounted credentials (-q skips .curlrc)', async () => {
    const direct = await home!.run([
      '--context',
      'eu-west',
      '-n',
      'databases',
      'exec',
      'search-elasticsearch-10',
      '--',
      'curl',
      '-q',
      '-s',
      'localhost:9200/_cluster/health',
    ]);
    expect(JSON.parse(direct.stdout)).toMatchObject({
      status: 401,
      error: { type: 'security_exception' },
    });
  });
});

describe("the exporter's CCR series in /metrics", () => {
  it('names the follower indices of each cluster and their lag, from the emulator state', async () => {
    const metrics = async (name: string) =>
      (
        await fetch(`${sim.clusters.find(c => c.name === name)!.url}/metrics`)
      ).text();
    const east = await metrics('us-east');
    expect(east).toContain(
      'elasticsearch_ccr_follower_indices{namespace="databases",statefulset="search-elasticsearch",pod="search-elasticsearch-20",cluster="us-east"} 2\n',
    );
    expect(east).toMatch(
      /^elasticsearch_ccr_follower_global_checkpoint_lag\{namespace="databases",statefulset="search-elasticsearch",index="products",remote_cluster="leader",cluster="us-east"\} 0$/m,
    );
    const west = await metrics('eu-west');
    expect(west).toContain(
      'elasticsearch_ccr_follower_indices{namespace="databases",statefulset="search-elasticsearch",pod="search-elasticsearch-10",cluster="eu-west"} 0\n',
    );
    expect(west).not.toContain(
      'elasticsearch_ccr_follower_global_checkpoint_lag{',
    );
  });
});
