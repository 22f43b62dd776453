/*
 * A MongoDB member's lag in the topology is what rs.status() shows in its
 * pod: the primary's optimeDate minus its own while it reaches the primary
 * (one remote apply delay for a member in another cluster), the status
 * date minus its own optimeDate while cut off, growing until heal.
 */
import { LAG_ANNOTATION } from '../../controllers/replicationLagController';
import type { KubeObject } from '../../controllers/types';
import { lagWorld, runningPod } from '../testing/lagWorld';
import { REMOTE_APPLY_DELAY_MS } from './state';

const NS = 'databases';
const host = (cluster: string, pod: string) =>
  `${pod}.${cluster}.mongo.${NS}.svc.clusterset.local:27017`;
const MEMBERS = [
  { host: host('eu-central', 'mongo-0'), priority: 2 },
  { host: host('eu-central', 'mongo-1'), priority: 1 },
  { host: host('eu-west', 'mongo-10'), priority: 0 },
];
const SPEC = {
  containers: [{ name: 'mongod', image: 'mongo:7.0' }],
  volumes: [{ name: 'config', configMap: { name: 'mongo-members' } }],
};

function statefulSet(annotations?: Record<string, string>): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: { name: 'mongo', namespace: NS, annotations },
    spec: { serviceName: 'mongo', template: { spec: SPEC } },
  };
}

function world() {
  const w = lagWorld(['eu-central', 'eu-west'], NS);
  for (const cluster of ['eu-central', 'eu-west']) {
    w.store(cluster).create({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'mongo-members', namespace: NS },
      data: {
        'members.json': JSON.stringify(MEMBERS),
        'mongod.conf': 'replication:\n  replSetName: rs0\n',
      },
    });
  }
  const central = w.store('eu-central');
  central.create(statefulSet());
  central.create(runningPod('mongo', 0, NS, SPEC));
  central.create(runningPod('mongo', 1, NS, SPEC));
  const west = w.store('eu-west');
  west.create(
    statefulSet({
      'multicluster-statefulsets/role': 'passive',
      'multicluster-statefulsets/replication-source': 'eu-central',
    }),
  );
  west.create(runningPod('mongo', 10, NS, SPEC));
  return w;
}

type World = ReturnType<typeof world>;

/** rs.status() in the eu-west member: the lag its optimes show, in seconds. */
async function statusLag(w: World): Promise<number> {
  const r = await w.exec('eu-west', NS, 'mongo-10', [
    'mongosh',
    '--quiet',
    '--eval',
    'JSON.stringify(rs.status())',
  ]);
  expect(r.code).toBe(0);
  const status = JSON.parse(r.stdout);
  const self = status.members.find((m: any) => m.self);
  const primary = status.members.find((m: any) => m.stateStr === 'PRIMARY');
  const ms = (d: string) => Date.parse(d);
  return (ms(primary?.optimeDate ?? status.date) - ms(self.optimeDate)) / 1000;
}

const lagOf = (w: World) =>
  w.annotations('eu-west', NS, 'mongo')[LAG_ANNOTATION];

describe('the MongoDB member lag', () => {
  it('is what rs.status() shows: the apply delay linked, growing cut off, back after heal', async () => {
    const w = world();
    // The members meet and elect mongo-0.
    await w.exec('eu-central', NS, 'mongo-0', [
      'mongosh',
      '--eval',
      'rs.status().ok',
    ]);
    w.advance(10_000);
    w.reconcile();
    const linked = (REMOTE_APPLY_DELAY_MS / 1000).toFixed(3);
    expect(lagOf(w)).toBe(linked);
    expect((await statusLag(w)).toFixed(3)).toBe(linked);

    w.partition('eu-central', 'eu-west');
    w.advance(8_000);
    w.reconcile();
    // Its newest entry was written one apply delay before the cut.
    expect(lagOf(w)).toBe('9.000');
    expect(await statusLag(w)).toBe(9);

    w.advance(2_000);
    w.reconcile();
    expect(lagOf(w)).toBe('11.000');

    w.heal();
    w.advance(2_000);
    w.reconcile();
    expect(lagOf(w)).toBe(linked);
    expect((await statusLag(w)).toFixed(3)).toBe(linked);
  });
});
