/*
 * Injected faults as real clients see them: refused connections, hanging
 * requests, garbage bodies, rejected tokens, error statuses and latency.
 */
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import type { RunningSimulator } from './simulator';
import { eventually, startTestSimulator } from './testing/testWorld';

jest.setTimeout(30000);

let sim: RunningSimulator;
let url: string;
let core: CoreV1Api;
const name = 'eu-west';

beforeAll(async () => {
  sim = await startTestSimulator();
  const c = sim.clusters.find(x => x.name === name)!;
  url = c.url;
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name, server: c.url, skipTLSVerify: true }],
    users: [{ name: 'u', token: c.token }],
    contexts: [{ name, cluster: name, user: 'u' }],
    currentContext: name,
  });
  core = kc.makeApiClient(CoreV1Api);
});

afterEach(() => sim.admin.clearFaults(name));
afterAll(() => sim.stop());

const list = () => core.listNamespacedPod({ namespace: 'databases' });

describe('fault injection', () => {
  it('down refuses connections and comes back on the same port', async () => {
    await sim.admin.setFaults(name, { down: true });
    const err = await fetch(`${url}/version`).catch(e => e);
    expect(err.name).toBe('TypeError');
    expect(err.cause?.code).toBe('ECONNREFUSED');
    await expect(list()).rejects.toThrow(/ECONNREFUSED/);
    await sim.admin.clearFaults(name);
    expect((await list()).kind).toBe('PodList');
  });

  it('hang accepts and never answers', async () => {
    await sim.admin.setFaults(name, { hang: true });
    const err = await fetch(`${url}/version`, {
      signal: AbortSignal.timeout(300),
    }).catch(e => e);
    expect(err.name).toBe('TimeoutError');
  });

  it('malformed answers 200 with a body that does not parse', async () => {
    await sim.admin.setFaults(name, { malformed: true });
    const res = await fetch(`${url}/api/v1/pods`);
    expect(res.status).toBe(200);
    await expect(res.json()).rejects.toMatchObject({ name: 'SyntaxError' });
    await expect(list()).rejects.toThrow();
  });

  it('rejectTokens answers 401', async () => {
    await sim.admin.setFaults(name, { rejectTokens: true });
    await expect(list()).rejects.toMatchObject({ code: 401 });
  });

  it('errorRate 1 answers the chosen status as a Kubernetes Status', async () => {
    await sim.admin.setFaults(name, { errorRate: 1, errorStatus: 503 });
    const res = await fetch(`${url}/api/v1/pods`, {
      headers: { Authorization: 'Bearer demo-token-eu-west' },
    });
    expect(res.status).toBe(503);
    expect(await res.json()).toMatchObject({
      kind: 'Status',
      code: 503,
      reason: 'ServiceUnavailable',
    });
    await expect(list()).rejects.toMatchObject({ code: 503 });
  });

  it('latency delays answers', async () => {
    const t0 = Date.now();
    await list();
    const fast = Date.now() - t0;
    await sim.admin.setFaults(name, { latencyMs: 300, jitterMs: 50 });
    const t1 = Date.now();
    await list();
    const slow = Date.now() - t1;
    expect(slow).toBeGreaterThanOrEqual(290);
    expect(slow).toBeGreaterThan(fast);
  });

  it('is driven through the admin HTTP API too', async () => {
    const admin = sim.admin.url;
    const put = await fetch(`${admin}/clusters/${name}/faults`, {
      method: 'PUT',
      body: JSON.stringify({ errorRate: 1, errorStatus: 500 }),
    });
    expect(put.status).toBe(200);
    const clusters = await (await fetch(`${admin}/clusters`)).json();
    expect(clusters.find((c: any) => c.name === name).faults).toEqual({
      errorRate: 1,
      errorStatus: 500,
    });
    await expect(list()).rejects.toMatchObject({ code: 500 });
    expect(
      (await fetch(`${admin}/clusters/${name}/faults`, { method: 'DELETE' }))
        .status,
    ).toBe(200);
    expect((await list()).kind).toBe('PodList');
    const bad = await fetch(`${admin}/clusters/${name}/faults`, {
      method: 'PUT',
      body: JSON.stringify({ slow: true }),
    });
    expect(bad.status).toBe(400);
    expect(
      (await fetch(`${admin}/clusters/nope/faults`, { method: 'DELETE' }))
        .status,
    ).toBe(404);
  });

  it('grows the replication lag while the source is partitioned away, back to 0 once healed', async () => {
    // orders-db runs MySQL: its lag is what the emulated engine reports,
    // 0 while linked, the time since it last received while cut off.
    const west = sim.stores.get('eu-west')!;
    const lag = () =>
      Number(
        west.get('apps/v1', 'StatefulSet', 'databases', 'orders-db')?.metadata
          .annotations?.['multicluster-statefulsets/replication-lag-seconds'],
      );
    await eventually(() => lag() === 0);
    const put = await fetch(`${sim.admin.url}/partitions`, {
      method: 'PUT',
      body: JSON.stringify({ from: 'eu-central', to: 'eu-west' }),
    });
    expect(put.status).toBe(200);
    await eventually(() => lag() > 1.2, 5000);
    await fetch(`${sim.admin.url}/partitions`, { method: 'DELETE' });
    await eventually(() => lag() === 0, 5000);
  });
});
