/*
 * The demo's sessions-mongodb in the simulator, read with a real kubectl
 * v1.35 `kubectl exec … -- mongosh`: one replica set over three clusters
 * whose primary is elected by the members' priorities, whose state lives
 * on each member's claim so it outlives the pod, and whose member states
 * mongodb_exporter publishes in `/metrics`.
 */
import path from 'node:path';
import type { RunningSimulator } from '../../simulator';
import { fetchKubectl, KubectlHome } from '../../testing/kubectl';
import {
  eventually,
  podRunning,
  startTestSimulator,
} from '../../testing/testWorld';
import { loadWorld } from '../../world';
import { MONGODB_STATE_ANNOTATION } from './emulator';

jest.setTimeout(60000);

const ID = 'backstage.io/kubernetes-id';
let sim: RunningSimulator;
let home: KubectlHome | undefined;

beforeAll(async () => {
  fetchKubectl();
  const world = loadWorld(
    path.resolve(__dirname, '../../../../../examples/world/world.yaml'),
  );
  world.clusters = world.clusters.filter(c =>
    ['eu-central', 'eu-west', 'us-east'].includes(c.name),
  );
  for (const c of world.clusters) {
    c.operators = [];
    c.objects = c.objects.filter(
      o =>
        o.object.kind === 'Namespace' ||
        o.object.metadata?.labels?.[ID] === 'sessions-mongodb',
    );
  }
  sim = await startTestSimulator(world);
  home = new KubectlHome(sim.clusters, 'sim-mongo-');
  await podRunning(sim, 'eu-central', 'sessions-mongodb-0');
  await podRunning(sim, 'eu-west', 'sessions-mongodb-10');
  await podRunning(sim, 'us-east', 'sessions-mongodb-20');
}, 300000);

afterAll(async () => {
  await sim?.stop();
  home?.remove();
});

const mongosh = (cluster: string, pod: string, js: string) =>
  home!.run([
    '--context',
    cluster,
    '-n',
    'databases',
    'exec',
    pod,
    '--',
    'mongosh',
    '--quiet',
    '--eval',
    js,
  ]);

async function metrics(cluster: string): Promise<string> {
  const c = sim.clusters.find(x => x.name === cluster)!;
  const res = await fetch(`${c.url}/metrics`, {
    headers: { authorization: `Bearer ${c.token}` },
  });
  return res.text();
}

describe('kubectl exec … -- mongosh in the demo MongoDB pods', () => {
  it('answers hello with the elected primary in eu-central', async () => {
    expect(
      await mongosh(
        'eu-central',
        'sessions-mongodb-0',
        'db.hello().isWritablePrimary',
      ),
    ).toEqual({ code: 0, stdout: 'true\n', stderr: '' });
    const west = await mongosh(
      'eu-west',
      'sessions-mongodb-10',
      'db.hello().isWritablePrimary',
    );
    expect(west.stdout).toBe('false\n');
    const refused = await mongosh(
      'eu-west',
      'sessions-mongodb-10',
      "db.getSiblingDB('app').sessions.insertOne({user: 'u1'})",
    );
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(
      'MongoServerError[NotWritablePrimary]: not primary\n',
    );
    expect(await metrics('eu-central')).toMatch(
      /^mongodb_rs_myState\{namespace="databases",statefulset="sessions-mongodb",pod="sessions-mongodb-0",cluster="eu-central",set="sessions"\} 1$/m,
    );
    expect(await metrics('eu-west')).toMatch(
      /^mongodb_rs_myState\{[^}]*pod="sessions-mongodb-10"[^}]*\} 2$/m,
    );
  });

  it('keeps a member configuration over a pod restart', async () => {
    const raise = await mongosh(
      'eu-central',
      'sessions-mongodb-0',
      'cfg = rs.conf(); cfg.members[4].priority = 0.25; rs.reconfig(cfg)',
    );
    expect(raise).toMatchObject({ code: 0 });
    const before = await mongosh(
      'us-east',
      'sessions-mongodb-20',
      'rs.conf().version',
    );
    const store = sim.stores.get('us-east')!;
    const pod = store.peek('', 'Pod', 'databases', 'sessions-mongodb-20')!;
    const uid = pod.metadata.uid;
    await home!.run([
      '--context',
      'us-east',
      '-n',
      'databases',
      'delete',
      'pod',
      'sessions-mongodb-20',
    ]);
    await eventually(() => {
      const p = store.peek('', 'Pod', 'databases', 'sessions-mongodb-20');
      return p?.metadata.uid !== uid && p?.status?.phase === 'Running';
    }, 20000);
    const claim = store.peek(
      '',
      'PersistentVolumeClaim',
      'databases',
      'data-sessions-mongodb-20',
    );
    expect(
      claim?.metadata.annotations?.[MONGODB_STATE_ANNOTATION],
    ).toBeTruthy();
    const after = await mongosh(
      'us-east',
      'sessions-mongodb-20',
      'rs.conf().members[4].priority',
    );
    expect(after.stdout).toBe('0.25\n');
    expect(
      (await mongosh('us-east', 'sessions-mongodb-20', 'rs.conf().version'))
        .stdout,
    ).toBe(before.stdout);
  });
});
