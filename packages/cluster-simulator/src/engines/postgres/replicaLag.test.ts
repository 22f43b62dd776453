/*
 * A PostgreSQL standby's lag in the topology is its replay lag, as
 * pg_last_xact_replay_timestamp() and the exporter's
 * `pg_replication_lag_seconds` give it: 0 while streaming, growing while
 * the primary is cut off, 0 again after heal.
 */
import { renderMetrics } from '../../controllers/metrics';
import {
  LAG_ANNOTATION,
  SOURCE_ANNOTATION,
} from '../../controllers/replicationLagController';
import type { KubeObject } from '../../controllers/types';
import { lagWorld, runningPod } from '../testing/lagWorld';
import { renderPostgresExporterMetrics } from './exporterMetrics';

const NS = 'databases';
const CONTAINERS = [{ name: 'postgres', image: 'postgres:16' }];

function statefulSet(annotations?: Record<string, string>): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: { name: 'orders', namespace: NS, annotations },
    spec: {
      replicas: 1,
      serviceName: 'orders',
      template: { spec: { containers: CONTAINERS } },
    },
  };
}

function world() {
  const w = lagWorld(['eu-central', 'eu-west'], NS);
  w.store('eu-central').create(statefulSet());
  w.store('eu-central').create(
    runningPod('orders', 0, NS, { containers: CONTAINERS }),
  );
  w.store('eu-west').create(
    statefulSet({
      'multicluster-statefulsets/role': 'passive',
      'multicluster-statefulsets/replication-source': 'eu-central',
    }),
  );
  w.store('eu-west').create(
    runningPod('orders', 0, NS, { containers: CONTAINERS }),
  );
  return w;
}

type World = ReturnType<typeof world>;

/** The exporter's lag of the standby, and its last replayed transaction as psql prints it. */
async function engineSays(w: World) {
  const metrics = renderPostgresExporterMetrics(
    'eu-west',
    w.store('eu-west'),
    w.now(),
    w.peers,
  );
  const r = await w.exec('eu-west', NS, 'orders-0', [
    'psql',
    '-At',
    '-c',
    'SELECT pg_last_xact_replay_timestamp()',
  ]);
  expect(r.code).toBe(0);
  return {
    exported: /^pg_replication_lag_seconds\{.*\} (\S+)$/m.exec(metrics)?.[1],
    replayedAt: r.stdout.trim(),
  };
}

const lagOf = (w: World) =>
  w.annotations('eu-west', NS, 'orders')[LAG_ANNOTATION];

describe('the PostgreSQL standby lag', () => {
  it('is the replay lag: 0 streaming, growing cut off, 0 healed', async () => {
    const w = world();
    w.reconcile();
    expect(lagOf(w)).toBe('0.000');

    w.advance(5_000);
    w.down('eu-central');
    const cutAt = w.now();
    w.advance(7_500);
    w.reconcile();
    expect(lagOf(w)).toBe('7.500');
    const cut = await engineSays(w);
    expect(cut.replayedAt).toContain(
      new Date(cutAt).toISOString().slice(11, 19),
    );

    w.heal();
    w.advance(1_000);
    w.reconcile();
    expect(lagOf(w)).toBe('0.000');
    expect((await engineSays(w)).exported).toBe('0');
  });

  it('publishes the same number in the exporter while cut off', async () => {
    const w = world();
    w.reconcile();
    w.partition('eu-central', 'eu-west');
    w.advance(3_000);
    w.reconcile();
    expect(lagOf(w)).toBe('3.000');
    expect((await engineSays(w)).exported).toBe('3');
  });

  it("follows the engine's source when the declared one is taken away", async () => {
    const w = world();
    // The standby's configuration is written (a psql session loads it),
    // then its declaration goes, as KubeFed reverting a switchover's
    // annotations would leave it: the engine still streams from eu-central.
    expect(
      (await w.exec('eu-west', NS, 'orders-0', ['psql', '-c', 'SELECT 1']))
        .code,
    ).toBe(0);
    const declared = w
      .store('eu-west')
      .peek('apps', 'StatefulSet', NS, 'orders')!;
    const stripped = structuredClone(declared);
    delete stripped.metadata.annotations![SOURCE_ANNOTATION];
    stripped.metadata.annotations!['multicluster-statefulsets/role'] = 'active';
    w.store('eu-west').update(stripped);
    w.partition('eu-central', 'eu-west');
    w.advance(2_000);
    w.reconcile();
    const series = () =>
      renderMetrics(
        'eu-west',
        w.store('eu-west').peekAll('apps', 'StatefulSet'),
      )
        .split('\n')
        .filter(l => l.startsWith('cnpg_pg_replication_lag{'));
    expect(lagOf(w)).toBeUndefined();
    expect(series()).toEqual([
      'cnpg_pg_replication_lag{namespace="databases",statefulset="orders",source="eu-central",cluster="eu-west"} 2',
    ]);

    // Declared again as the engine runs: the product's annotations carry
    // the lag and the simulator's own record goes.
    w.store('eu-west').update({
      ...stripped,
      metadata: {
        ...w.store('eu-west').peek('apps', 'StatefulSet', NS, 'orders')!
          .metadata,
        annotations: declared.metadata.annotations,
      },
    });
    w.heal();
    w.advance(1_000);
    w.reconcile();
    expect(lagOf(w)).toBe('0.000');
    expect(series()).toHaveLength(1);
    expect(
      Object.keys(w.annotations('eu-west', NS, 'orders') ?? {}).filter(k =>
        k.startsWith('simulator.local/'),
      ),
    ).toEqual([]);
  });
});
