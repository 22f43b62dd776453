import { mockServices } from '@backstage/backend-test-utils';
import {
  FakeKubeApi,
  fakeClusterDetails,
  seedDemo,
} from '../__testUtils__/FakeKubeApi';
import { ClusterConnection } from './ClusterConnection';
import { createAuthStrategy } from './createAuthStrategy';
import { Informer, InformerChange, InformerState } from './Informer';
import { KINDS } from './kinds';
import { parseLabelSelector } from './labelSelector';
import { PluginOptions } from './readClusterConfig';

const options: PluginOptions = {
  requestTimeoutMs: 800,
  idleTimeoutMs: 60_000,
  watchIdleMs: 60_000,
  backoffInitialMs: 50,
  backoffMaxMs: 200,
  cacheTtlMs: 1000,
};
const statefulSets = KINDS.find(k => k.key === 'statefulSets')!;

async function until(check: () => boolean, ms = 3000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not reached');
    await new Promise(r => setTimeout(r, 10));
  }
}

describe('Informer', () => {
  const api = new FakeKubeApi();
  let url: string;
  const informers: Informer[] = [];

  beforeAll(async () => {
    url = await api.start();
    seedDemo(api, 'c1', { role: 'active' });
  });
  afterEach(() => {
    informers.splice(0).forEach(i => i.stop());
    api.fault = { type: 'none' };
  });
  afterAll(() => api.stop());

  async function informer(at = url, kind = statefulSets) {
    const client = ClusterConnection.create(
      { details: fakeClusterDetails(at), info: { name: 'c1', zones: [] } },
      createAuthStrategy(),
    ).reader;
    const changes: InformerChange[] = [];
    const states: InformerState[] = [];
    const i = new Informer({
      kind,
      version: 'v1',
      namespace: 'databases',
      client,
      options,
      logger: mockServices.logger.mock(),
      onChange: c => changes.push(c),
    });
    informers.push(i);
    const track = () => {
      if (states[states.length - 1] !== i.state) states.push(i.state);
    };
    const timer = setInterval(track, 2);
    timer.unref();
    track();
    return { informer: i, changes, states, track };
  }

  it('goes syncing → seeded → synced, answers reads when seeded, and reports changes once synced', async () => {
    const { informer: i, changes, states, track } = await informer();
    expect(i.state).toBe('syncing');
    expect(i.readable).toBe(false);
    i.start();
    await i.settled(2000);
    expect(i.readable).toBe(true);
    expect(i.select('databases').map(o => o.metadata.name)).toEqual([
      'orders-db',
    ]);
    expect(changes).toEqual([]);
    await until(() => i.state === 'synced');
    // The sampler may not have run since the last transition.
    track();
    expect(states).toEqual(['syncing', 'seeded', 'synced']);
    seedDemo(api, 'c1', { role: 'passive', source: 'c2' });
    await until(() => changes.length > 0);
    expect(changes[0].object?.labels[1]).toEqual(
      expect.objectContaining({ 'backstage.io/kubernetes-id': 'orders-db' }),
    );
    expect(
      i.select('databases', parseLabelSelector('backstage.io/kubernetes-id=x')),
    ).toEqual([]);
    seedDemo(api, 'c1', { role: 'active' });
  });

  it('goes failing with the typed reason when the cluster refuses, and synced once it answers', async () => {
    api.fault = { type: 'status', status: 503 };
    const { informer: i } = await informer();
    i.start();
    await i.settled(2000);
    expect(i.state).toBe('failing');
    expect(i.lastError?.reason).toBe('unreachable');
    expect(i.readable).toBe(false);
    api.fault = { type: 'none' };
    await until(() => i.state === 'synced');
    expect(i.lastError).toBeUndefined();
    expect(i.size).toBe(1);
  });

  it('keeps its objects, failing, when a synced watch breaks', async () => {
    const other = new FakeKubeApi();
    const otherUrl = await other.start();
    seedDemo(other, 'c1', { role: 'active' });
    const { informer: i, changes } = await informer(otherUrl);
    i.start();
    await until(() => i.state === 'synced');
    await other.stop();
    await until(() => i.state === 'failing');
    expect(i.readable).toBe(true);
    expect(i.select('databases')).toHaveLength(1);
    // Readers learn that the answer went stale.
    expect(changes.some(c => !c.object)).toBe(true);
  });

  it('is an empty kind, not a failure, when the cluster does not serve it', async () => {
    const cnpg = KINDS.find(k => k.key === 'cnpgClusters')!;
    const { informer: i } = await informer(url, cnpg);
    i.start();
    await i.settled(2000);
    expect(i.notServed).toBe(true);
    expect(i.readable).toBe(true);
    expect(i.lastError).toBeUndefined();
    expect(i.select('databases')).toEqual([]);
  });

  it('stops', async () => {
    const { informer: i } = await informer();
    i.start();
    await until(() => i.state === 'synced');
    i.stop();
    expect(i.state).toBe('stopped');
  });
});
