import { buildTopology } from '../buildTopology';
import { readEntityPolicy } from '../entityPolicy';
import { ClusterObjects, emptyClusterObjects, KubeObject } from '../kube';
import { keepRelatedOperatorObjects, operatorLinks } from './index';
import { spiloPodRole, zalandoConvention } from './zalando';

const NS = 'databases';
const NAME = 'acid-analytics';
const HOST = 'acid-analytics.databases.eu-west.lb.example.net';
const NOW = Date.parse('2026-12-01T00:00:00Z');
const spilo = { application: 'spilo', 'cluster-name': NAME, team: 'acid' };

function postgresql(name: string, standby?: Record<string, string>) {
  return {
    apiVersion: 'acid.zalan.do/v1',
    kind: 'postgresql',
    metadata: { name, namespace: NS },
    spec: {
      teamId: 'acid',
      numberOfInstances: 2,
      postgresql: { version: '17' },
      volume: { size: '10Gi' },
      ...(standby ? { standby } : { enableMasterLoadBalancer: true }),
    },
    status: { PostgresClusterStatus: 'Running' },
  };
}

function side(options: {
  standby?: Record<string, string>;
  image: string;
  publish?: string;
}): ClusterObjects {
  const objects = emptyClusterObjects();
  objects.zalandoPostgresqls.push(
    postgresql(NAME, options.standby),
    postgresql('acid-unrelated'),
  );
  objects.statefulSets.push({
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: { name: NAME, namespace: NS, labels: spilo },
    spec: {
      replicas: 2,
      serviceName: NAME,
      template: {
        metadata: { labels: spilo },
        spec: { containers: [{ name: 'postgres', image: options.image }] },
      },
    },
    status: { readyReplicas: 2, updatedReplicas: 2 },
  });
  objects.pods.push(
    ...['master', 'replica'].map(
      (role, i): KubeObject => ({
        metadata: {
          name: `${NAME}-${i}`,
          namespace: NS,
          labels: { ...spilo, 'spilo-role': role },
          ownerReferences: [{ kind: 'StatefulSet', name: NAME }],
        },
        status: { phase: 'Running' },
      }),
    ),
  );
  objects.services.push({
    metadata: {
      name: NAME,
      namespace: NS,
      labels: { ...spilo, 'spilo-role': 'master' },
    },
    spec: { type: options.publish ? 'LoadBalancer' : 'ClusterIP' },
    status: options.publish
      ? { loadBalancer: { ingress: [{ hostname: options.publish }] } }
      : {},
  });
  return objects;
}

function world(host = HOST) {
  return {
    'eu-west': side({
      image: 'ghcr.io/zalando/spilo-17:4.0-p3',
      publish: HOST,
    }),
    'us-east': side({
      image: 'ghcr.io/zalando/spilo-17:4.0-p2',
      standby: { standby_host: host, standby_port: '5432' },
    }),
  };
}

describe('zalandoConvention', () => {
  it('reads the primary cluster active and the standby cluster passive', () => {
    const w = world();
    const roleOf = (cluster: 'eu-west' | 'us-east') =>
      zalandoConvention.roleOf!(w[cluster].statefulSets[0], w[cluster]);
    expect(roleOf('eu-west')).toEqual({
      role: 'active',
      source: 'zalando-postgres-operator',
    });
    expect(roleOf('us-east')).toEqual({
      role: 'passive',
      source: 'zalando-postgres-operator',
    });
  });

  it('says nothing about a StatefulSet Spilo does not run', () => {
    const objects = world()['eu-west'];
    const other: KubeObject = {
      metadata: { name: NAME, namespace: NS, labels: { app: 'x' } },
    };
    expect(zalandoConvention.roleOf!(other, objects)).toBeUndefined();
  });

  it('reads pod roles from the spilo-role label Patroni keeps', () => {
    const pods = world()['us-east'].pods;
    expect(pods.map(spiloPodRole)).toEqual(['primary', 'replica']);
    expect(spiloPodRole({ metadata: { name: 'x' } })).toBe('unknown');
  });

  it('selects the Spilo pods of a postgresql', () => {
    expect(zalandoConvention.selectorOf!(postgresql(NAME))).toBe(
      'cluster-name=acid-analytics,application=spilo',
    );
  });

  it('links the standby to the cluster publishing its standby host, lag left to the lag source', () => {
    expect(
      zalandoConvention.links!(world(), { now: NOW, maxLagSeconds: 30 }),
    ).toEqual([
      {
        from: 'eu-west',
        to: 'us-east',
        workload: NAME,
        provider: 'zalando-postgres-operator',
        lagSeconds: null,
        healthy: false,
        reason: 'lag not published by the Zalando Postgres Operator',
      },
    ]);
  });

  it('links a standby streaming from a Multi-Cluster Services name to the exporting cluster', () => {
    const w = world('acid-analytics.databases.svc.clusterset.local');
    w['eu-west'].serviceExports.push({
      metadata: { name: NAME, namespace: NS },
    });
    expect(
      zalandoConvention.links!(w, { now: NOW, maxLagSeconds: 30 }).map(l => [
        l.from,
        l.to,
      ]),
    ).toEqual([['eu-west', 'us-east']]);
  });

  it('draws no link to a host of its own cluster', () => {
    expect(
      zalandoConvention.links!(
        world('acid-analytics.databases.svc.cluster.local'),
        { now: NOW, maxLagSeconds: 30 },
      ),
    ).toEqual([]);
  });

  it('draws no link to a host no cluster publishes', () => {
    expect(
      zalandoConvention.links!(world('db.elsewhere.example.org'), {
        now: NOW,
        maxLagSeconds: 30,
      }),
    ).toEqual([]);
  });

  it('says when the standby cluster is not running', () => {
    const w = world();
    w['us-east'].zalandoPostgresqls[0].status = {
      PostgresClusterStatus: 'SyncFailed',
    };
    expect(
      zalandoConvention.links!(w, { now: NOW, maxLagSeconds: 30 })[0].reason,
    ).toBe('standby cluster status SyncFailed');
  });

  it('drops a postgresql of the namespace that runs none of the pods', () => {
    const objects = world()['eu-west'];
    keepRelatedOperatorObjects(objects);
    expect(objects.zalandoPostgresqls.map(p => p.metadata.name)).toEqual([
      NAME,
    ]);
  });

  it('builds the topology of a primary and its standby cluster', () => {
    const w = world();
    for (const objects of Object.values(w)) keepRelatedOperatorObjects(objects);
    const topology = buildTopology({
      entityRef: 'component:default/acid-analytics',
      policy: readEntityPolicy({
        'multicluster-statefulsets/engine': 'postgresql',
      }),
      snapshots: Object.entries(w).map(([name, objects]) => ({
        info: { name, zones: [] },
        objects,
      })),
      replication: operatorLinks(w, { now: NOW, maxLagSeconds: 30 }),
      traffic: { routing: 'none', weights: {}, warnings: [] },
      now: NOW,
    });
    expect(
      topology.clusters.map(c => [
        c.name,
        c.role,
        c.workloads.map(x => [x.name, x.role, x.roleSource]),
      ]),
    ).toEqual([
      ['eu-west', 'active', [[NAME, 'active', 'zalando-postgres-operator']]],
      ['us-east', 'passive', [[NAME, 'passive', 'zalando-postgres-operator']]],
    ]);
    // Each pod's role comes from the spilo-role label.
    expect(
      topology.clusters
        .find(c => c.name === 'us-east')!
        .workloads[0].pods.map(p => p.role),
    ).toEqual(['primary', 'replica']);
    expect(topology.replication).toEqual([
      expect.objectContaining({
        from: 'eu-west',
        to: 'us-east',
        provider: 'zalando-postgres-operator',
        lagSeconds: null,
      }),
    ]);
    expect(topology.drift).toEqual([
      expect.objectContaining({
        workload: NAME,
        field: 'image[postgres]',
        values: {
          'eu-west': 'ghcr.io/zalando/spilo-17:4.0-p3',
          'us-east': 'ghcr.io/zalando/spilo-17:4.0-p2',
        },
      }),
    ]);
  });
});
