/*
 * A template-generated Elasticsearch pair in the simulator: the follower's
 * emulated cluster starts with what its CCR setup Job PUTs (the remote
 * cluster and the auto-follow pattern of the replication ConfigMap), so its
 * indices follow the leader's, answered through `curl` in its pods.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import type { RunningSimulator } from '../../simulator';
import { podRunning, startTestSimulator } from '../../testing/testWorld';
import { runCommand } from '../programs';

jest.setTimeout(60000);

const GOLDEN = path.resolve(
  __dirname,
  '../../../../../plugins/scaffolder-backend-module-statefulsets/src/generate/__fixtures__/golden/elasticsearch-active-passive-none-mcs/clusters',
);

function objectsOf(cluster: string): any[] {
  const dir = path.join(GOLDEN, cluster);
  return fs
    .readdirSync(dir)
    .filter(f => f.endsWith('.yaml') && f !== 'kustomization.yaml')
    .flatMap(f =>
      parseAllDocuments(fs.readFileSync(path.join(dir, f), 'utf8')).map(d =>
        d.toJSON(),
      ),
    )
    .filter(Boolean);
}

let sim: RunningSimulator;

beforeAll(async () => {
  const secret = {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: 'elasticsearch-db-credentials', namespace: 'data' },
    data: { 'elastic-password': Buffer.from('pw').toString('base64') },
  };
  const ns = {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name: 'data' },
  };
  sim = await startTestSimulator({
    clusters: ['eu-central', 'eu-west'].map(name => ({
      name,
      region: name === 'eu-west' ? 'eu-west-1' : 'eu-central-1',
      objects: [ns, secret, ...objectsOf(name)],
    })),
  });
  await podRunning(sim, 'eu-central', 'elasticsearch-db-0', 'data');
  await podRunning(sim, 'eu-west', 'elasticsearch-db-3', 'data');
});

afterAll(() => sim?.stop());

async function curl(cluster: string, pod: string, url: string) {
  const store = sim.stores.get(cluster)!;
  const p = store.peek('', 'Pod', 'data', pod)!;
  let stdout = '';
  const code = await runCommand(
    ['sh', '-c', `curl -s -u "elastic:$ELASTIC_PASSWORD" '${url}'`],
    {
      store,
      pod: p,
      container: p.spec.containers[0],
      now: Date.now,
      peers: { store: n => sim.stores.get(n), reachable: () => true },
    },
    {
      stdout: t => {
        stdout += t;
      },
      stderr: () => undefined,
      stdin: async () => '',
    },
  );
  expect(code).toBe(0);
  return JSON.parse(stdout);
}

describe('a generated Elasticsearch follower', () => {
  it('follows the leader through the remote cluster and pattern its Job sets up', async () => {
    const info = await curl(
      'eu-west',
      'elasticsearch-db-3',
      'localhost:9200/_all/_ccr/info',
    );
    expect(info.follower_indices.map((f: any) => f.remote_cluster)).toEqual([
      'eu-central',
      'eu-central',
    ]);
    const remote = await curl(
      'eu-west',
      'elasticsearch-db-3',
      'localhost:9200/_remote/info',
    );
    expect(remote['eu-central']).toMatchObject({
      connected: true,
      mode: 'sniff',
    });
    const patterns = await curl(
      'eu-west',
      'elasticsearch-db-3',
      'localhost:9200/_ccr/auto_follow',
    );
    expect(patterns.patterns[0]).toMatchObject({
      name: 'elasticsearch-db-from-eu-central',
      pattern: { remote_cluster: 'eu-central', leader_index_patterns: ['*'] },
    });
    const leader = await curl(
      'eu-central',
      'elasticsearch-db-0',
      'localhost:9200/_all/_ccr/info',
    );
    expect(leader.follower_indices).toEqual([]);
  });
});
