/*
 * The demo world's reports-mysql is misconfigured on purpose: its replica
 * in eu-west names the source by eu-central's cluster-local pod name. The
 * simulated exporter reports that link broken, with the reason, while the
 * demo's hand-written databases keep replicating as annotated.
 */
import path from 'node:path';
import { eventually, startTestSimulator } from '../../testing/testWorld';
import { loadWorld } from '../../world';
import { ERROR_ANNOTATION, LAG_ANNOTATION } from '../replicationLagController';

const WORLD_FILE = path.resolve(
  __dirname,
  '../../../../../examples/world/world.yaml',
);

it('shows the demo replica with a wrong source address as broken, with the reason', async () => {
  const sim = await startTestSimulator(loadWorld(WORLD_FILE));
  try {
    const west = sim.stores.get('eu-west')!;
    const annotations = (name: string) =>
      west.get('apps/v1', 'StatefulSet', 'databases', name)?.metadata
        .annotations ?? {};
    await eventually(
      () =>
        !!annotations('reports-mysql')[ERROR_ANNOTATION] &&
        annotations('orders-mysql')[LAG_ANNOTATION] !== undefined,
      10_000,
    ).catch(() => undefined);
    expect(annotations('reports-mysql')[ERROR_ANNOTATION]).toBe(
      "IO thread not running: error connecting to source of channel 'eu-central': reports-mysql-0.reports-mysql-headless.databases.svc.cluster.local does not resolve in eu-west: no pod reports-mysql-0 behind a headless Service databases/reports-mysql-headless there (pod names under cluster.local resolve only inside their cluster)",
    );
    expect(annotations('reports-mysql')[LAG_ANNOTATION]).toBeUndefined();
    expect(annotations('orders-mysql')[ERROR_ANNOTATION]).toBeUndefined();
    expect(annotations('orders-mysql')[LAG_ANNOTATION]).toBeDefined();
  } finally {
    await sim.stop();
  }
}, 30_000);
