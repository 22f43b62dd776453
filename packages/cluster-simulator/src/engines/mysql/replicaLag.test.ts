/*
 * A MySQL replica's lag in the topology is its Seconds_Behind_Source: 0
 * while linked, growing while the source is cut off, 0 again after heal.
 */
import {
  ERROR_ANNOTATION,
  LAG_ANNOTATION,
} from '../../controllers/replicationLagController';
import type { KubeObject } from '../../controllers/types';
import { lagWorld, runningPod } from '../testing/lagWorld';

const NS = 'databases';

function statefulSet(annotations?: Record<string, string>): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: { name: 'orders', namespace: NS, annotations },
    spec: {
      replicas: 1,
      serviceName: 'orders',
      template: {
        spec: { containers: [{ name: 'mysql', image: 'mysql:8.4' }] },
      },
    },
  };
}

function world() {
  const w = lagWorld(['eu-central', 'eu-west'], NS);
  const spec = { containers: [{ name: 'mysql', image: 'mysql:8.4' }] };
  w.store('eu-central').create(statefulSet());
  w.store('eu-central').create(runningPod('orders', 0, NS, spec));
  w.store('eu-west').create(
    statefulSet({
      'multicluster-statefulsets/role': 'passive',
      'multicluster-statefulsets/replication-source': 'eu-central',
    }),
  );
  w.store('eu-west').create(runningPod('orders', 0, NS, spec));
  return w;
}

async function secondsBehind(w: ReturnType<typeof world>) {
  const r = await w.exec('eu-west', NS, 'orders-0', [
    'mysql',
    '-e',
    'SHOW REPLICA STATUS\\G',
  ]);
  expect(r.code).toBe(0);
  return /Seconds_Behind_Source: (\S+)/.exec(r.stdout)![1];
}

const lagOf = (w: ReturnType<typeof world>) =>
  w.annotations('eu-west', NS, 'orders')[LAG_ANNOTATION];

describe('the MySQL replica lag', () => {
  it('is what SHOW REPLICA STATUS reports: 0 linked, growing cut off, 0 healed', async () => {
    const w = world();
    w.reconcile();
    expect(lagOf(w)).toBe('0.000');
    expect(await secondsBehind(w)).toBe('0');

    w.advance(5_000);
    w.partition('eu-central', 'eu-west');
    w.advance(12_000);
    w.reconcile();
    expect(lagOf(w)).toBe('12.000');
    expect(await secondsBehind(w)).toBe('12');

    w.advance(3_000);
    w.reconcile();
    expect(lagOf(w)).toBe('15.000');

    w.heal();
    w.advance(1_000);
    w.reconcile();
    expect(lagOf(w)).toBe('0.000');
    expect(await secondsBehind(w)).toBe('0');
  });

  it('does not drain because the source is annotated fenced: the engine decides', async () => {
    const w = world();
    w.reconcile();
    w.partition('eu-central', 'eu-west');
    const central = w.store('eu-central');
    const source = central.peek('apps', 'StatefulSet', NS, 'orders')!;
    central.update({
      ...source,
      metadata: {
        ...source.metadata,
        annotations: { 'multicluster-statefulsets/role': 'fenced' },
      },
    });
    w.advance(4_000);
    w.reconcile();
    expect(lagOf(w)).toBe('4.000');
    expect(await secondsBehind(w)).toBe('4');
  });

  it('counts from the last moment a reader saw the link when the source pod goes', async () => {
    const w = world();
    w.reconcile();
    w.advance(4_000);
    w.reconcile();
    const central = w.store('eu-central');
    const pod = central.peek('', 'Pod', NS, 'orders-0')!;
    central.updateStatus({ ...pod, status: { phase: 'Pending' } });
    w.advance(2_000);
    w.reconcile();
    expect(lagOf(w)).toBe('2.000');
    expect(await secondsBehind(w)).toBe('2');
  });

  it('is an error, not a number, once the replication threads are stopped', async () => {
    const w = world();
    w.reconcile();
    await w.exec('eu-west', NS, 'orders-0', ['mysql', '-e', 'STOP REPLICA']);
    w.advance(1_000);
    w.reconcile();
    const a = w.annotations('eu-west', NS, 'orders');
    expect(a[LAG_ANNOTATION]).toBeUndefined();
    expect(a[ERROR_ANNOTATION]).toMatch(/stopped/);
    expect(await secondsBehind(w)).toBe('NULL');
  });
});
