/*
 * Drives the simulated Percona operators against the in-memory fake
 * clusters (what they create, the status they report, the replica side's
 * lag record), runs the demo world's Percona databases in the simulator,
 * and checks the demo's resources against the upstream CRDs.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parse, parseAllDocuments } from 'yaml';
import { type CustomResourceDefinition, validateAgainstCrd } from '../../crds';
import {
  renderMetrics,
  SIM_ENGINE,
  SIM_LAG_SECONDS,
  SIM_LAG_SOURCE,
} from '../metrics';
import { statefulSetController } from '../statefulSetController';
import { FakeWorld } from '../testing';
import type { KubeObject } from '../types';
import { startSimulator } from '../../simulator';
import { eventually } from '../../testing/testWorld';
import { validateWorld } from '../../world';
import {
  loadBalancerHostname,
  perconaController,
  PSMDB_API_VERSION,
  PSMDB_KIND,
  PXC_API_VERSION,
  PXC_KIND,
} from './percona';
import { upstreamSchemasDir } from '../../testing/upstreamSchemas';

const NS = 'databases';
const repoRoot = path.join(
  path.dirname(require.resolve('@multicluster/cluster-simulator/package.json')),
  '..',
  '..',
);
const worldDir = path.join(repoRoot, 'examples', 'world');
const upstream = upstreamSchemasDir();

function readDocs(file: string): KubeObject[] {
  return parseAllDocuments(fs.readFileSync(file, 'utf8'))
    .map(d => d.toJS())
    .filter(Boolean);
}

/** The demo world's file of one database in one cluster. */
function demo(cluster: string, file: string): KubeObject {
  return readDocs(path.join(worldDir, cluster, file))[0];
}

function setup() {
  const world = FakeWorld.demo();
  world.ensureNamespace(NS);
  for (const cluster of world.clusters.values()) {
    for (const zone of cluster.zones) {
      cluster.create({
        apiVersion: 'v1',
        kind: 'Node',
        metadata: {
          name: `${cluster.name}-${zone}-1`,
          labels: { 'topology.kubernetes.io/zone': zone },
        },
      });
    }
  }
  const controllers = [
    perconaController(),
    statefulSetController({ readinessDelayMs: 0 }),
  ];
  const run = (rounds = 6) => {
    for (let i = 0; i < rounds; i++) {
      world.advance(1000);
      world.reconcile(controllers);
    }
  };
  const get = (
    cluster: string,
    apiVersion: string,
    kind: string,
    name: string,
  ) => world.cluster(cluster).get(apiVersion, kind, NS, name);
  return { world, run, get };
}

describe('perconaController: Percona XtraDB Cluster', () => {
  function pxcSites() {
    const s = setup();
    s.world
      .cluster('eu-central')
      .create(demo('eu-central', 'payments-pxc.yaml'));
    s.world.cluster('eu-west').create(demo('eu-west', 'payments-pxc.yaml'));
    s.run();
    return s;
  }

  it('runs the pxc nodes and HAProxy as the operator does, owned by the resource', () => {
    const { world, get } = pxcSites();
    const cr = get('eu-central', PXC_API_VERSION, PXC_KIND, 'payments')!;
    const sts = world
      .cluster('eu-central')
      .list('apps/v1', 'StatefulSet', NS)
      .map(s => s.metadata.name)
      .sort();
    expect(sts).toEqual(['payments-haproxy', 'payments-pxc']);
    const pxc = get('eu-central', 'apps/v1', 'StatefulSet', 'payments-pxc')!;
    expect(pxc.metadata.labels).toEqual({
      'app.kubernetes.io/name': 'percona-xtradb-cluster',
      'app.kubernetes.io/instance': 'payments',
      'app.kubernetes.io/component': 'pxc',
      'app.kubernetes.io/managed-by': 'percona-xtradb-cluster-operator',
      'app.kubernetes.io/part-of': 'percona-xtradb-cluster',
    });
    expect(pxc.metadata.ownerReferences).toEqual([
      expect.objectContaining({
        kind: PXC_KIND,
        name: 'payments',
        uid: cr.metadata.uid,
        controller: true,
      }),
    ]);
    expect(pxc.spec.replicas).toBe(3);
    expect(pxc.spec.volumeClaimTemplates[0].spec).toMatchObject({
      storageClassName: 'gp3',
      resources: { requests: { storage: '20Gi' } },
    });
    const haproxy = get(
      'eu-central',
      'apps/v1',
      'StatefulSet',
      'payments-haproxy',
    )!;
    expect(haproxy.metadata.labels!['app.kubernetes.io/component']).toBe(
      'haproxy',
    );
    expect(haproxy.spec.replicas).toBe(2);
    // Every container port name is a valid IANA service name.
    for (const s of [pxc, haproxy]) {
      for (const c of s.spec.template.spec.containers) {
        for (const p of c.ports ?? []) {
          expect([p.name, p.name.length <= 15]).toEqual([p.name, true]);
        }
      }
    }
    expect(
      world
        .cluster('eu-central')
        .list('v1', 'Pod', NS)
        .map(p => p.metadata.name)
        .sort(),
    ).toEqual([
      'payments-haproxy-0',
      'payments-haproxy-1',
      'payments-pxc-0',
      'payments-pxc-1',
      'payments-pxc-2',
    ]);
  });

  it("exposes the source site's pods with LoadBalancers naming the cluster", () => {
    const { world, get } = pxcSites();
    for (const i of [0, 1, 2]) {
      const svc = get('eu-central', 'v1', 'Service', `payments-pxc-${i}`)!;
      expect(svc.spec).toMatchObject({
        type: 'LoadBalancer',
        selector: { 'statefulset.kubernetes.io/pod-name': `payments-pxc-${i}` },
      });
      expect(svc.metadata.labels!['app.kubernetes.io/instance']).toBe(
        'payments',
      );
      expect(svc.status.loadBalancer.ingress).toEqual([
        {
          hostname: loadBalancerHostname('eu-central', NS, `payments-pxc-${i}`),
        },
      ]);
    }
    // The replica site exposes its pods too (a switchover points the other
    // site at them), under its own cluster's name; its sourcesList names
    // exactly the source site's published hostnames.
    expect(
      get('eu-west', 'v1', 'Service', 'payments-pxc-0')!.status.loadBalancer
        .ingress,
    ).toEqual([
      { hostname: loadBalancerHostname('eu-west', NS, 'payments-pxc-0') },
    ]);
    const replica = get('eu-west', PXC_API_VERSION, PXC_KIND, 'payments')!;
    expect(
      replica.spec.pxc.replicationChannels[0].sourcesList.map(
        (s: any) => s.host,
      ),
    ).toEqual(
      [0, 1, 2].map(
        i =>
          get('eu-central', 'v1', 'Service', `payments-pxc-${i}`)!.status
            .loadBalancer.ingress[0].hostname,
      ),
    );
    expect(
      world
        .cluster('eu-west')
        .list('v1', 'Service', NS)
        .map(s => s.metadata.name)
        .sort(),
    ).toEqual([
      'payments-haproxy',
      'payments-pxc',
      'payments-pxc-0',
      'payments-pxc-1',
      'payments-pxc-2',
    ]);
  });

  it('reports ready in status, with pxc, haproxy, host and the channels', () => {
    const { get } = pxcSites();
    for (const cluster of ['eu-central', 'eu-west']) {
      const { status } = get(cluster, PXC_API_VERSION, PXC_KIND, 'payments')!;
      expect(status).toMatchObject({
        state: 'ready',
        ready: 5,
        size: 5,
        host: 'payments-haproxy.databases',
        pxc: {
          ready: 3,
          size: 3,
          status: 'ready',
          image: 'percona/percona-xtradb-cluster:8.0.42-33.1',
          version: '8.0.42-33.1',
        },
        haproxy: { ready: 2, size: 2, status: 'ready' },
        pxcReplication: {
          replicationChannels: [{ name: 'payments_eu_central_to_eu_west' }],
        },
      });
      expect(status.conditions.at(-1)).toMatchObject({
        type: 'ready',
        status: 'True',
      });
    }
  });

  it("keeps the lag record on the replica site's pxc StatefulSet, growing while partitioned", () => {
    const { world, run, get } = pxcSites();
    const annotations = (cluster: string) =>
      get(cluster, 'apps/v1', 'StatefulSet', 'payments-pxc')!.metadata
        .annotations ?? {};
    expect(annotations('eu-central')[SIM_LAG_SOURCE]).toBeUndefined();
    const replica = annotations('eu-west');
    expect(replica[SIM_LAG_SOURCE]).toBe('eu-central');
    expect(replica[SIM_ENGINE]).toBe('mysql');
    expect(Number(replica[SIM_LAG_SECONDS])).toBeLessThan(2);
    expect(
      Object.keys(replica).filter(k =>
        k.startsWith('multicluster-statefulsets/'),
      ),
    ).toEqual([]);

    // /metrics exports it as mysqld_exporter would, named for the workload.
    expect(
      renderMetrics('eu-west', [
        get('eu-west', 'apps/v1', 'StatefulSet', 'payments-pxc')!,
      ]),
    ).toMatch(
      /^mysql_slave_status_seconds_behind_master\{namespace="databases",statefulset="payments-pxc",source="eu-central",cluster="eu-west"\} [\d.]+$/m,
    );

    world.partition('eu-central', 'eu-west');
    run(10);
    expect(Number(annotations('eu-west')[SIM_LAG_SECONDS])).toBeGreaterThan(9);
    world.heal();
    run(10);
    expect(Number(annotations('eu-west')[SIM_LAG_SECONDS])).toBeLessThan(2);

    world.down.add('eu-central');
    run(5);
    expect(Number(annotations('eu-west')[SIM_LAG_SECONDS])).toBeGreaterThan(4);
  });
});

describe('perconaController: Percona Server for MongoDB', () => {
  function psmdbSites() {
    const s = setup();
    s.world
      .cluster('eu-central')
      .create(demo('eu-central', 'profiles-psmdb.yaml'));
    s.world.cluster('us-east').create(demo('us-east', 'profiles-psmdb.yaml'));
    s.run();
    return s;
  }

  it("runs each replica set as a StatefulSet with the operator's labels and owner", () => {
    const { get } = psmdbSites();
    for (const cluster of ['eu-central', 'us-east']) {
      const cr = get(cluster, PSMDB_API_VERSION, PSMDB_KIND, 'profiles')!;
      const sts = get(cluster, 'apps/v1', 'StatefulSet', 'profiles-rs0')!;
      expect(sts.metadata.labels).toEqual({
        'app.kubernetes.io/name': 'percona-server-mongodb',
        'app.kubernetes.io/instance': 'profiles',
        'app.kubernetes.io/replset': 'rs0',
        'app.kubernetes.io/component': 'mongod',
        'app.kubernetes.io/managed-by': 'percona-server-mongodb-operator',
        'app.kubernetes.io/part-of': 'percona-server-mongodb',
      });
      expect(sts.metadata.ownerReferences).toEqual([
        expect.objectContaining({
          kind: PSMDB_KIND,
          name: 'profiles',
          uid: cr.metadata.uid,
        }),
      ]);
      expect(sts.spec.replicas).toBe(3);
      expect(cr.status).toMatchObject({
        state: 'ready',
        ready: 3,
        size: 3,
        host: 'profiles-rs0.databases.svc.cluster.local',
        replsets: { rs0: { ready: 3, size: 3, status: 'ready' } },
      });
      expect(cr.status.conditions.at(-1)).toMatchObject({
        type: 'ready',
        status: 'True',
      });
    }
  });

  it("exposes the members of both sites; the main site lists the replica site's", () => {
    const { get } = psmdbSites();
    const published = (cluster: string) =>
      [0, 1, 2].map(
        i =>
          get(cluster, 'v1', 'Service', `profiles-rs0-${i}`)!.status
            .loadBalancer.ingress[0].hostname,
      );
    expect(published('us-east')).toEqual(
      [0, 1, 2].map(i =>
        loadBalancerHostname('us-east', NS, `profiles-rs0-${i}`),
      ),
    );
    expect(published('eu-central')).toHaveLength(3);
    const main = get('eu-central', PSMDB_API_VERSION, PSMDB_KIND, 'profiles')!;
    expect(main.spec.replsets[0].externalNodes.map((n: any) => n.host)).toEqual(
      published('us-east'),
    );
    expect(
      get('us-east', 'v1', 'Service', 'profiles-rs0-0')!.metadata.labels,
    ).toMatchObject({
      'app.kubernetes.io/instance': 'profiles',
      'app.kubernetes.io/name': 'percona-server-mongodb',
      'app.kubernetes.io/component': 'external-service',
    });
  });

  it("keeps the lag record on the unmanaged site's StatefulSet, growing while partitioned", () => {
    const { world, run, get } = psmdbSites();
    const annotations = (cluster: string) =>
      get(cluster, 'apps/v1', 'StatefulSet', 'profiles-rs0')!.metadata
        .annotations ?? {};
    expect(annotations('eu-central')[SIM_LAG_SOURCE]).toBeUndefined();
    expect(annotations('us-east')).toMatchObject({
      [SIM_LAG_SOURCE]: 'eu-central',
      [SIM_ENGINE]: 'mongodb',
    });
    expect(
      renderMetrics('us-east', [
        get('us-east', 'apps/v1', 'StatefulSet', 'profiles-rs0')!,
      ]),
    ).toMatch(
      /^mongodb_mongod_replset_member_replication_lag\{namespace="databases",statefulset="profiles-rs0",source="eu-central",cluster="us-east"\} [\d.]+$/m,
    );
    world.partition('eu-central', 'us-east');
    run(10);
    expect(Number(annotations('us-east')[SIM_LAG_SECONDS])).toBeGreaterThan(9);
    world.heal();
    run(10);
    expect(Number(annotations('us-east')[SIM_LAG_SECONDS])).toBeLessThan(2);
  });

  it("removes the members' Services when they are no longer exposed", () => {
    const { world, run, get } = psmdbSites();
    const cr = get('us-east', PSMDB_API_VERSION, PSMDB_KIND, 'profiles')!;
    cr.spec.replsets[0].expose.enabled = false;
    world.cluster('us-east').update(cr);
    run(2);
    expect(get('us-east', 'v1', 'Service', 'profiles-rs0-0')).toBeUndefined();
    expect(get('us-east', 'v1', 'Service', 'profiles-rs0')).toBeDefined();
    // No longer reachable from the main site: no lag record.
    expect(
      get('us-east', 'apps/v1', 'StatefulSet', 'profiles-rs0')!.metadata
        .annotations?.[SIM_LAG_SOURCE],
    ).toBeUndefined();
  });

  it('does nothing in a cluster that is down', () => {
    const { world, get } = setup();
    world.down.add('us-east');
    world.cluster('us-east').create(demo('us-east', 'profiles-psmdb.yaml'));
    world.reconcile([perconaController()]);
    expect(
      get('us-east', 'apps/v1', 'StatefulSet', 'profiles-rs0'),
    ).toBeUndefined();
  });
});

describe("the demo world's Percona databases", () => {
  const files: Record<string, string[]> = {
    'eu-central': [
      'eu-central/payments-pxc.yaml',
      'eu-central/profiles-psmdb.yaml',
    ],
    'eu-west': ['eu-west/payments-pxc.yaml'],
    'us-east': ['us-east/profiles-psmdb.yaml'],
  };
  const worldFile = path.join(worldDir, 'world.yaml');
  const raw = parse(fs.readFileSync(worldFile, 'utf8'));

  it('are listed in world.yaml', () => {
    for (const [cluster, list] of Object.entries(files)) {
      const c = raw.clusters.find((x: any) => x.name === cluster);
      expect(c.files).toEqual(expect.arrayContaining(list));
    }
  });

  it('validate against the upstream CRDs', () => {
    const crd = (file: string) =>
      parse(
        fs.readFileSync(path.join(upstream, file), 'utf8'),
      ) as CustomResourceDefinition;
    const crds = [
      crd(
        'percona-xtradb-cluster-operator/pxc.percona.com_perconaxtradbclusters.yaml',
      ),
      crd(
        'percona-server-mongodb-operator/psmdb.percona.com_perconaservermongodbs.yaml',
      ),
    ];
    const objects = Object.values(files)
      .flat()
      .flatMap(f => readDocs(path.join(worldDir, f)));
    expect(objects.map(o => o.kind).sort()).toEqual([
      PSMDB_KIND,
      PSMDB_KIND,
      PXC_KIND,
      PXC_KIND,
    ]);
    for (const o of objects) {
      expect(o.metadata.labels).toEqual({
        'backstage.io/owner': 'database-platform',
      });
      expect(o.metadata.annotations).toBeUndefined();
      expect([o.kind, validateAgainstCrd(o, crds)]).toEqual([o.kind, []]);
    }
    // A field upstream does not know is caught.
    const drifted = structuredClone(objects.find(o => o.kind === PXC_KIND)!);
    drifted.spec.pxc.replicationChannels[0].primary = true;
    expect(validateAgainstCrd(drifted, crds)).toEqual([
      {
        path: 'spec.pxc.replicationChannels[0].primary',
        message: 'unknown field "primary"',
      },
    ]);
  }, 60000);

  it('run in the simulator to the status the portal reads', async () => {
    // The world's clusters with only these databases, Percona's operator installed.
    const world = validateWorld(
      {
        clusters: raw.clusters.map((c: any) => ({
          name: c.name,
          region: c.region,
          zones: c.zones,
          token: c.token,
          operators: ['percona'],
          files: ['namespace.yaml', ...(files[c.name] ?? [])],
        })),
      },
      worldFile,
    );
    const sim = await startSimulator({
      world,
      portBase: 0,
      adminPort: 0,
      readinessDelayMs: 20,
      tickMs: 50,
      onError: () => {},
    });
    try {
      const store = (c: string) => sim.stores.get(c)!;
      const state = (
        c: string,
        apiVersion: string,
        kind: string,
        name: string,
      ) => store(c).get(apiVersion, kind, NS, name)?.status?.state;
      const lagSource = (c: string, sts: string) =>
        store(c).get('apps/v1', 'StatefulSet', NS, sts)?.metadata.annotations?.[
          SIM_LAG_SOURCE
        ];
      const settled = () =>
        state('eu-central', PXC_API_VERSION, PXC_KIND, 'payments') ===
          'ready' &&
        state('eu-west', PXC_API_VERSION, PXC_KIND, 'payments') === 'ready' &&
        state('eu-central', PSMDB_API_VERSION, PSMDB_KIND, 'profiles') ===
          'ready' &&
        state('us-east', PSMDB_API_VERSION, PSMDB_KIND, 'profiles') ===
          'ready' &&
        lagSource('eu-west', 'payments-pxc') === 'eu-central' &&
        lagSource('us-east', 'profiles-rs0') === 'eu-central';
      await eventually(settled, 15000).catch(() => undefined);
      expect({
        pxc: [
          state('eu-central', PXC_API_VERSION, PXC_KIND, 'payments'),
          state('eu-west', PXC_API_VERSION, PXC_KIND, 'payments'),
        ],
        psmdb: [
          state('eu-central', PSMDB_API_VERSION, PSMDB_KIND, 'profiles'),
          state('us-east', PSMDB_API_VERSION, PSMDB_KIND, 'profiles'),
        ],
        lagSources: [
          lagSource('eu-west', 'payments-pxc'),
          lagSource('us-east', 'profiles-rs0'),
        ],
      }).toEqual({
        pxc: ['ready', 'ready'],
        psmdb: ['ready', 'ready'],
        lagSources: ['eu-central', 'eu-central'],
      });
      // Pods were admitted (valid port names) and run in both sites.
      expect(
        store('eu-west')
          .list('v1', 'Pod', NS)
          .map(p => p.metadata.name)
          .sort(),
      ).toEqual([
        'payments-haproxy-0',
        'payments-haproxy-1',
        'payments-pxc-0',
        'payments-pxc-1',
        'payments-pxc-2',
      ]);
    } finally {
      await sim.stop();
    }
  }, 30000);
});
