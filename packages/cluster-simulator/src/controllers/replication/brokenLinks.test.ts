/*
 * A wrong address in a generated database's engine configuration shows as a
 * broken link with its reason, and no lag: the replication exporter does
 * not take the role annotations' word for it. Each test starts from a
 * golden case that replicates, breaks one thing a real cluster would trip
 * on, and (where it can) mends it again.
 */
import { renderMetrics } from '../metrics';
import { ERROR_ANNOTATION, LAG_ANNOTATION } from '../replicationLagController';
import type { FakeCluster, FakeWorld } from '../testing';
import type { KubeObject } from '../types';
import { apply, goldenWorld, settle } from '../../__testUtils__/goldenWorld';

const NS = 'data';

function replica(
  world: FakeWorld,
  cluster: string,
  name: string,
  kind = 'StatefulSet',
) {
  const api = kind === 'StatefulSet' ? 'apps/v1' : 'postgresql.cnpg.io/v1';
  const obj = world.cluster(cluster).get(api, kind, NS, name)!;
  const a = obj.metadata.annotations ?? {};
  return { obj, error: a[ERROR_ANNOTATION], lag: a[LAG_ANNOTATION] };
}

/** Replaces text in one key of a ConfigMap. */
function editConfig(
  cluster: FakeCluster,
  name: string,
  key: string,
  from: string,
  to: string,
) {
  const cm: any = cluster.get('v1', 'ConfigMap', NS, name)!;
  expect(cm.data[key]).toContain(from);
  cluster.update({
    ...cm,
    data: { ...cm.data, [key]: cm.data[key].split(from).join(to) },
  });
}

function edit(cluster: FakeCluster, obj: KubeObject, change: (o: any) => void) {
  const copy = structuredClone(obj);
  change(copy);
  cluster.update(copy);
}

describe('MySQL: the CHANGE REPLICATION SOURCE host decides the link', () => {
  const CROSS =
    'mysql-db-0.eu-central.mysql-db-headless.data.svc.clusterset.local';

  it('is healthy as generated', () => {
    const world = goldenWorld('mysql-active-passive-none-mcs');
    settle(world);
    expect(replica(world, 'eu-west', 'mysql-db')).toEqual(
      expect.objectContaining({ error: undefined, lag: expect.any(String) }),
    );
  });

  it('breaks on the cluster-local pod name across clusters, and mends', () => {
    const world = goldenWorld('mysql-active-passive-none-mcs');
    settle(world);
    const west = world.cluster('eu-west');
    editConfig(
      west,
      'mysql-db-replication',
      'join.sh',
      CROSS,
      'mysql-db-0.mysql-db-headless.data.svc.cluster.local',
    );
    settle(world);
    const broken = replica(world, 'eu-west', 'mysql-db');
    expect(broken.lag).toBeUndefined();
    expect(broken.error).toBe(
      "IO thread not running: error connecting to source of channel 'eu-central': mysql-db-0.mysql-db-headless.data.svc.cluster.local does not resolve in eu-west: no pod mysql-db-0 behind a headless Service data/mysql-db-headless there (pod names under cluster.local resolve only inside their cluster)",
    );
    expect(renderMetrics('eu-west', [broken.obj])).toContain(
      'mysql_slave_status_slave_io_running{namespace="data",statefulset="mysql-db",source="eu-central",cluster="eu-west"} 0',
    );
    expect(renderMetrics('eu-west', [broken.obj])).toMatch(
      /multicluster_replication_link_error_info\{[^}]*source="eu-central"[^}]*reason="IO thread not running: [^"]*"\} 1/,
    );

    editConfig(
      west,
      'mysql-db-replication',
      'join.sh',
      'mysql-db-0.mysql-db-headless.data.svc.cluster.local',
      CROSS,
    );
    settle(world);
    const mended = replica(world, 'eu-west', 'mysql-db');
    expect(mended).toEqual(
      expect.objectContaining({ error: undefined, lag: expect.any(String) }),
    );
    expect(renderMetrics('eu-west', [mended.obj])).toContain(
      'multicluster_replication_link_up{namespace="data",statefulset="mysql-db",source="eu-central",cluster="eu-west"} 1',
    );
  });

  it('breaks when the source cluster does not export the headless Service', () => {
    const world = goldenWorld('mysql-active-passive-none-mcs');
    world
      .cluster('eu-central')
      .delete(
        'multicluster.x-k8s.io/v1alpha1',
        'ServiceExport',
        NS,
        'mysql-db-headless',
      );
    settle(world);
    expect(replica(world, 'eu-west', 'mysql-db').error).toContain(
      `${CROSS} does not resolve: no cluster with MCS id eu-central exports Service data/mysql-db-headless`,
    );
  });

  it('breaks when the source cluster has another MCS cluster id', () => {
    const world = goldenWorld('mysql-active-passive-none-mcs');
    world.cluster('eu-central').create({
      apiVersion: 'about.k8s.io/v1alpha1',
      kind: 'ClusterProperty',
      metadata: { name: 'cluster.clusterset.k8s.io' },
      spec: { value: 'ec1' },
    });
    settle(world);
    expect(replica(world, 'eu-west', 'mysql-db').error).toContain(
      'no cluster with MCS id eu-central',
    );
  });

  it('breaks when the channel names a cluster the host does not lead to', () => {
    const world = goldenWorld('mysql-active-passive-none-mcs');
    editConfig(
      world.cluster('eu-west'),
      'mysql-db-replication',
      'join.sh',
      CROSS,
      'mysql-db-3.eu-west.mysql-db-headless.data.svc.clusterset.local',
    );
    settle(world);
    expect(replica(world, 'eu-west', 'mysql-db').error).toContain(
      'mysql-db-3.eu-west.mysql-db-headless.data.svc.clusterset.local leads to eu-west, not to eu-central',
    );
  });

  it('breaks under Istio when the replica cluster is not in the mesh', () => {
    const world = goldenWorld('mysql-active-passive-none-istio');
    world
      .cluster('eu-west')
      .delete(
        'apiextensions.k8s.io/v1',
        'CustomResourceDefinition',
        undefined,
        'serviceentries.networking.istio.io',
      );
    settle(world);
    expect(replica(world, 'eu-west', 'mysql-db').error).toContain(
      'mysql-db-0.data.svc.cluster.local does not resolve in eu-west: no Service data/mysql-db-0 there, and cluster.local names resolve only inside their cluster',
    );
  });
});

describe('CloudNativePG: externalClusters and certificates decide the link', () => {
  const HOST = 'postgresql-db-eu-central.data.svc.clusterset.local';

  it('is healthy as generated, from the cluster the host leads to', () => {
    const world = goldenWorld('postgresql-active-passive-none-mcs');
    settle(world);
    const west = replica(world, 'eu-west', 'postgresql-db', 'Cluster');
    expect(west.error).toBeUndefined();
    expect(west.obj.status.replicationLag.source).toBe('eu-central');
  });

  it('breaks when the source certificate does not name the host', () => {
    const world = goldenWorld('postgresql-active-passive-none-mcs');
    const central = world.cluster('eu-central');
    edit(
      central,
      central.get('postgresql.cnpg.io/v1', 'Cluster', NS, 'postgresql-db')!,
      o => {
        o.spec.certificates.serverAltDNSNames =
          o.spec.certificates.serverAltDNSNames.filter(
            (n: string) => n !== HOST,
          );
      },
    );
    settle(world);
    const west = replica(world, 'eu-west', 'postgresql-db', 'Cluster');
    expect(west.lag).toBeUndefined();
    expect(west.obj.status.replicationLag).toBeUndefined();
    expect(west.error).toBe(
      `cannot connect to postgresql-db-eu-central: server certificate of eu-central does not name ${HOST} (add it to spec.certificates.serverAltDNSNames there)`,
    );
  });

  it('breaks when the two sides do not share a CA', () => {
    const world = goldenWorld('postgresql-active-passive-none-mcs');
    const west = world.cluster('eu-west');
    edit(
      west,
      west.get('postgresql.cnpg.io/v1', 'Cluster', NS, 'postgresql-db')!,
      o => {
        delete o.spec.certificates.serverCASecret;
        delete o.spec.certificates.clientCASecret;
      },
    );
    settle(world);
    expect(
      replica(world, 'eu-west', 'postgresql-db', 'Cluster').error,
    ).toContain(
      'the clusters do not share a CA: spec.certificates.serverCASecret is unset here',
    );
  });
});

describe('Kafka and Elasticsearch: only what runs replicates', () => {
  it('breaks without a MirrorMaker 2 Deployment in the receiving cluster', () => {
    const world = goldenWorld('kafka-active-passive-karmada-mcs');
    settle(world);
    expect(replica(world, 'eu-west', 'kafka-db').error).toBeUndefined();
    world
      .cluster('eu-west')
      .delete('apps/v1', 'Deployment', NS, 'kafka-db-mirrormaker');
    settle(world);
    const west = replica(world, 'eu-west', 'kafka-db');
    expect(west.lag).toBeUndefined();
    expect(west.error).toBe(
      'MirrorMaker 2 cannot replicate from eu-central: no MirrorMaker 2 runs in eu-west: mm2.properties needs a Deployment running connect-mirror-maker.sh with --clusters eu-west',
    );
  });

  it('breaks without the CCR setup Job in the follower cluster', () => {
    const world = goldenWorld('elasticsearch-active-passive-none-mcs');
    const west = world.cluster('eu-west');
    for (const job of west.list('batch/v1', 'Job', NS))
      west.delete('batch/v1', 'Job', NS, job.metadata.name);
    settle(world);
    expect(replica(world, 'eu-west', 'elasticsearch-db').error).toBe(
      'remote cluster eu-central not connected: no CCR setup Job in eu-west applies remote-clusters.json (the remote cluster is never configured)',
    );
    // The Job back: the link works again.
    apply(west, {
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: { name: 'ccr', namespace: NS },
      spec: {
        template: {
          spec: {
            volumes: [
              {
                name: 'ccr',
                configMap: { name: 'elasticsearch-db-replication' },
              },
            ],
          },
        },
      },
    });
    settle(world);
    expect(replica(world, 'eu-west', 'elasticsearch-db').error).toBeUndefined();
  });
});

describe('MongoDB: every member host leads to the cluster its tag names', () => {
  it('breaks when a member is named by its cluster-local name', () => {
    const world = goldenWorld('mongodb-active-active-none-mcs');
    editConfig(
      world.cluster('eu-west'),
      'mongodb-db-replication',
      'replicaset.json',
      'mongodb-db-0.eu-central.mongodb-db-headless.data.svc.clusterset.local',
      'mongodb-db-0.mongodb-db-headless.data.svc.cluster.local',
    );
    settle(world);
    expect(replica(world, 'eu-west', 'mongodb-db').error).toContain(
      'replica set member of eu-central unreachable: mongodb-db-0.mongodb-db-headless.data.svc.cluster.local does not resolve in eu-west',
    );
    expect(replica(world, 'us-east', 'mongodb-db').error).toBeUndefined();
  });
});
