import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { startSimulator } from '../simulator';
import { eventually } from '../testing/testWorld';
import { validateWorld } from '../world';
import {
  SIM_ENGINE,
  SIM_LAG_OBSERVED_AT,
  SIM_LAG_SECONDS,
  SIM_LAG_SOURCE,
} from './metrics';
import {
  chartReplicaOf,
  LAG_ANNOTATION,
  replicationLagController,
  SOURCE_ANNOTATION,
} from './replicationLagController';
import { FakeWorld } from './testing';
import type { KubeObject } from './types';

const NS = 'databases';

/** A StatefulSet shaped like a Bitnami MySQL chart's, with the given env. */
function mysql(
  name: string,
  env: Array<{ name: string; value: string }>,
  replicas = 1,
): KubeObject {
  const labels = {
    'app.kubernetes.io/name': 'mysql',
    'app.kubernetes.io/instance': name.replace(/-(primary|secondary)$/, ''),
    'app.kubernetes.io/component': name.endsWith('primary')
      ? 'primary'
      : 'secondary',
  };
  return {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: { name, namespace: NS, labels },
    spec: {
      replicas,
      serviceName: `${name}-headless`,
      selector: { matchLabels: labels },
      template: {
        metadata: { labels },
        spec: {
          containers: [
            { name: 'mysql', image: 'docker.io/bitnami/mysql:8.4.5', env },
          ],
        },
      },
    },
  };
}

function service(name: string, selector: Record<string, string>): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace: NS },
    spec: { selector, ports: [{ name: 'mysql', port: 3306 }] },
  };
}

const exportOf = (name: string): KubeObject => ({
  apiVersion: 'multicluster.x-k8s.io/v1alpha1',
  kind: 'ServiceExport',
  metadata: { name, namespace: NS },
});

const replicaEnv = (host: string) => [
  { name: 'MYSQL_REPLICATION_MODE', value: 'slave' },
  { name: 'MYSQL_MASTER_HOST', value: host },
];

/** eu-central runs the primary and its Service; eu-west a chart replica of `host`. */
function chartWorld(host: string, exported = true): FakeWorld {
  const world = FakeWorld.demo();
  world.ensureNamespace(NS);
  const central = world.cluster('eu-central');
  const primary = mysql('shop-mysql-primary', [
    { name: 'MYSQL_REPLICATION_MODE', value: 'master' },
  ]);
  central.create(primary);
  central.create(
    service('shop-mysql-primary', primary.spec.selector.matchLabels),
  );
  if (exported) central.create(exportOf('shop-mysql-primary'));
  world
    .cluster('eu-west')
    .create(mysql('shop-mysql-dr-secondary', replicaEnv(host), 2));
  return world;
}

const replicaIn = (world: FakeWorld) =>
  world
    .cluster('eu-west')
    .get('apps/v1', 'StatefulSet', NS, 'shop-mysql-dr-secondary')!;

const CLUSTERSET = 'shop-mysql-primary.databases.svc.clusterset.local';

describe('the replication lag controller for Helm chart replicas', () => {
  const controller = () => replicationLagController(() => 0.5);

  it('writes the simulator’s lag record, never the product’s annotations', () => {
    const world = chartWorld(CLUSTERSET);
    world.reconcile([controller()]);
    const a = replicaIn(world).metadata.annotations!;
    expect(a).toEqual({
      [SIM_LAG_SECONDS]: '0.850',
      [SIM_LAG_SOURCE]: 'eu-central',
      [SIM_LAG_OBSERVED_AT]: '2026-06-01T12:00:00Z',
      [SIM_ENGINE]: 'mysql',
    });
    expect(
      Object.keys(a).some(k => k.startsWith('multicluster-statefulsets/')),
    ).toBe(false);
    // The primary replicates from nobody.
    expect(
      world
        .cluster('eu-central')
        .get('apps/v1', 'StatefulSet', NS, 'shop-mysql-primary')!.metadata
        .annotations,
    ).toBeUndefined();
  });

  it('finds no source without a ServiceExport, and drops the record when the export goes', () => {
    const world = chartWorld(CLUSTERSET, false);
    const c = controller();
    world.reconcile([c]);
    expect(replicaIn(world).metadata.annotations).toBeUndefined();
    world.cluster('eu-central').create(exportOf('shop-mysql-primary'));
    world.reconcile([c]);
    expect(replicaIn(world).metadata.annotations?.[SIM_LAG_SOURCE]).toBe(
      'eu-central',
    );
    world
      .cluster('eu-central')
      .delete(
        'multicluster.x-k8s.io/v1alpha1',
        'ServiceExport',
        NS,
        'shop-mysql-primary',
      );
    world.reconcile([c]);
    expect(replicaIn(world).metadata.annotations).toEqual({});
  });

  it('grows the lag while the source is partitioned away or down, and catches up', () => {
    const world = chartWorld(CLUSTERSET);
    const c = controller();
    world.reconcile([c]);
    world.partition('eu-central', 'eu-west');
    world.advance(10_000);
    world.reconcile([c]);
    expect(
      Number(replicaIn(world).metadata.annotations![SIM_LAG_SECONDS]),
    ).toBeCloseTo(10.85, 3);
    world.heal();
    world.down.add('eu-central');
    world.advance(5_000);
    world.reconcile([c]);
    expect(
      Number(replicaIn(world).metadata.annotations![SIM_LAG_SECONDS]),
    ).toBeCloseTo(15.85, 3);
    world.heal();
    world.advance(1_000);
    world.reconcile([c]);
    expect(
      Number(replicaIn(world).metadata.annotations![SIM_LAG_SECONDS]),
    ).toBeCloseTo(10.85, 3);
  });

  it('publishes nothing from a cluster that is down', () => {
    const world = chartWorld(CLUSTERSET);
    world.down.add('eu-west');
    world.reconcile([controller()]);
    expect(replicaIn(world).metadata.annotations).toBeUndefined();
  });

  it('drains the lag once the primary behind the Service is scaled to zero', () => {
    const world = chartWorld(CLUSTERSET);
    const c = controller();
    world.reconcile([c]);
    const central = world.cluster('eu-central');
    const primary = central.get(
      'apps/v1',
      'StatefulSet',
      NS,
      'shop-mysql-primary',
    )!;
    central.update({ ...primary, spec: { ...primary.spec, replicas: 0 } });
    world.advance(1_000);
    world.reconcile([c]);
    expect(replicaIn(world).metadata.annotations![SIM_LAG_SECONDS]).toBe(
      '0.000',
    );
  });

  it('follows a LoadBalancer address to the cluster publishing it', () => {
    const world = chartWorld('mysql.eu-central.example.com:3306', false);
    const central = world.cluster('eu-central');
    const svc = central.get('v1', 'Service', NS, 'shop-mysql-primary')!;
    central.updateStatus({
      ...svc,
      status: {
        loadBalancer: {
          ingress: [{ hostname: 'mysql.eu-central.example.com' }],
        },
      },
    });
    world.reconcile([controller()]);
    expect(replicaIn(world).metadata.annotations?.[SIM_LAG_SOURCE]).toBe(
      'eu-central',
    );
  });

  it.each([
    'shop-mysql-primary',
    'shop-mysql-primary.databases',
    'shop-mysql-primary.databases.svc.cluster.local',
    'mysql.example.com',
  ])('keeps no record for %s (same cluster or unresolvable)', host => {
    const world = chartWorld(host);
    world.reconcile([controller()]);
    expect(replicaIn(world).metadata.annotations).toBeUndefined();
  });

  it('keeps refreshing annotated StatefulSets as before', () => {
    const world = chartWorld(CLUSTERSET);
    const west = world.cluster('eu-west');
    const annotated = mysql('orders', []);
    annotated.metadata.annotations = { [SOURCE_ANNOTATION]: 'eu-central' };
    west.create(annotated);
    world.reconcile([controller()]);
    const a = west.get('apps/v1', 'StatefulSet', NS, 'orders')!.metadata
      .annotations!;
    expect(a[LAG_ANNOTATION]).toBe('0.850');
    expect(a[SIM_LAG_SOURCE]).toBeUndefined();
  });

  it('reads PostgreSQL and MongoDB replicas, expanding the namespace', () => {
    const pg = mysql('orders-postgresql-read', [
      { name: 'POSTGRES_REPLICATION_MODE', value: 'slave' },
      { name: 'POSTGRES_MASTER_HOST', value: 'orders-postgresql-primary' },
    ]);
    expect(chartReplicaOf(pg)).toEqual({
      engine: 'postgresql',
      host: 'orders-postgresql-primary',
    });
    const mongo = mysql('carts-mongodb-hidden', []);
    mongo.spec.template.spec.containers[0].env = [
      {
        name: 'MY_POD_NAMESPACE',
        valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } },
      },
      { name: 'MONGODB_REPLICA_SET_MODE', value: 'hidden' },
      {
        name: 'MONGODB_INITIAL_PRIMARY_HOST',
        value:
          'carts-mongodb-0.carts-mongodb-headless.$(MY_POD_NAMESPACE).svc.clusterset.local',
      },
    ];
    expect(chartReplicaOf(mongo)).toEqual({
      engine: 'mongodb',
      host: 'carts-mongodb-0.carts-mongodb-headless.databases.svc.clusterset.local',
    });
  });
});

describe('the demo world’s shop-mysql', () => {
  const worldFile = path.join(
    path.dirname(
      require.resolve('@multicluster/cluster-simulator/package.json'),
    ),
    '..',
    '..',
    'examples',
    'world',
    'world.yaml',
  );

  /** The demo world's clusters holding only this database's files. */
  function shopMysqlWorld() {
    const raw = parse(fs.readFileSync(worldFile, 'utf8'));
    for (const c of raw.clusters) {
      c.files = c.files.filter(
        (f: string) => f === 'namespace.yaml' || f.endsWith('/shop-mysql.yaml'),
      );
    }
    return validateWorld(raw, worldFile);
  }

  it('runs its pods and reports the eu-west replica’s lag behind eu-central', async () => {
    const sim = await startSimulator({
      world: shopMysqlWorld(),
      portBase: 0,
      adminPort: 0,
      readinessDelayMs: 20,
      tickMs: 100,
      onError: () => {},
    });
    try {
      const running = (cluster: string, pod: string) =>
        sim.stores.get(cluster)?.peek('', 'Pod', NS, pod)?.status?.phase ===
        'Running';
      await eventually(
        () =>
          running('eu-central', 'shop-mysql-primary-0') &&
          running('eu-west', 'shop-mysql-dr-secondary-0') &&
          running('eu-west', 'shop-mysql-dr-secondary-1'),
        15000,
      );
      const replica = await eventually(() => {
        const sts = sim.stores
          .get('eu-west')!
          .peek('apps', 'StatefulSet', NS, 'shop-mysql-dr-secondary');
        return sts?.metadata.annotations?.[SIM_LAG_SOURCE] ? sts : undefined;
      }, 10000).then(sts => sts!);
      expect(replica.metadata.annotations).toMatchObject({
        [SIM_LAG_SOURCE]: 'eu-central',
        [SIM_ENGINE]: 'mysql',
      });
      expect(
        Object.keys(replica.metadata.annotations ?? {}).filter(k =>
          k.startsWith('multicluster-statefulsets/'),
        ),
      ).toEqual([]);
      const west = sim.clusters.find(c => c.name === 'eu-west')!;
      const res = await fetch(`${west.url}/metrics`, {
        headers: { authorization: `Bearer ${west.token}` },
      });
      const text = await res.text();
      expect(text).toMatch(
        /^mysql_slave_status_seconds_behind_master\{namespace="databases",statefulset="shop-mysql-dr-secondary",source="eu-central",cluster="eu-west"\} \d/m,
      );
    } finally {
      await sim.stop();
    }
  }, 60000);
});
