// Drives the simulated Zalando Postgres Operator against the in-memory fake
// clusters, and checks the demo world's postgresql resources against the
// operator's published CRD and in a running simulator.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse, parseAllDocuments, stringify } from 'yaml';
import { type CustomResourceDefinition, validateAgainstCrd } from '../../crds';
import { eventually, startTestSimulator } from '../../testing/testWorld';
import { loadWorld } from '../../world';
import {
  renderMetrics,
  SIM_ENGINE,
  SIM_LAG_SECONDS,
  SIM_LAG_SOURCE,
} from '../metrics';
import { statefulSetController } from '../statefulSetController';
import { FakeWorld } from '../testing';
import type { KubeObject } from '../types';
import {
  loadBalancerHostname,
  ZALANDO_API_VERSION,
  zalandoController,
} from './zalando';
import { upstreamSchemasDir } from '../../testing/upstreamSchemas';

jest.setTimeout(30000);

const NS = 'databases';
const NAME = 'acid-analytics';
const repoRoot = path.join(
  path.dirname(require.resolve('@multicluster/cluster-simulator/package.json')),
  '..',
  '..',
);
const worldFile = path.join(repoRoot, 'examples', 'world', 'world.yaml');
const upstreamDir = upstreamSchemasDir();

const DEMO_FILE = 'analytics-postgres.yaml';

/** The demo world's files of this database, by cluster. */
function demoFiles(): Array<{ cluster: string; file: string }> {
  const world = parse(fs.readFileSync(worldFile, 'utf8'));
  return world.clusters.flatMap((c: any) =>
    (c.files as string[])
      .filter(f => path.basename(f) === DEMO_FILE)
      .map(f => ({
        cluster: c.name as string,
        file: path.resolve(path.dirname(worldFile), f),
      })),
  );
}

/**
 * The demo world with only this database's files (and the namespace), so
 * a fault in another database's demo files does not hide this one's.
 */
function demoWorldFile(): string {
  const world = parse(fs.readFileSync(worldFile, 'utf8'));
  for (const c of world.clusters) {
    c.files = (c.files as string[])
      .filter(f => f === 'namespace.yaml' || path.basename(f) === DEMO_FILE)
      .map(f => path.resolve(path.dirname(worldFile), f));
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'zalando-demo-'));
  const file = path.join(dir, 'world.yaml');
  fs.writeFileSync(file, stringify(world));
  return file;
}

/**
 * Rewrites the `\\ ` (escaped space) of the operator's RE2 patterns, which
 * the validator's Unicode regular expressions refuse, as a plain space: the
 * same pattern.
 */
function withUnicodeSafePatterns(node: unknown): void {
  if (!node || typeof node !== 'object') return;
  for (const [key, value] of Object.entries(node)) {
    if (key === 'pattern' && typeof value === 'string') {
      (node as Record<string, unknown>)[key] = value.replace(/\\ /g, ' ');
    } else {
      withUnicodeSafePatterns(value);
    }
  }
}

function postgresql(spec: Record<string, unknown>): KubeObject {
  return {
    apiVersion: ZALANDO_API_VERSION,
    kind: 'postgresql',
    metadata: { name: NAME, namespace: NS },
    spec: {
      teamId: 'acid',
      numberOfInstances: 2,
      postgresql: { version: '17' },
      volume: { size: '10Gi' },
      ...spec,
    },
  };
}

function setup() {
  const world = FakeWorld.demo();
  world.ensureNamespace(NS);
  world
    .cluster('eu-west')
    .create(postgresql({ enableMasterLoadBalancer: true }));
  world.cluster('us-east').create(
    postgresql({
      standby: {
        standby_host: loadBalancerHostname('eu-west', NS, NAME),
        standby_port: '5432',
      },
    }),
  );
  const controllers = [
    zalandoController(),
    statefulSetController({ readinessDelayMs: 0 }),
  ];
  const settle = () => {
    for (let i = 0; i < 8; i++) {
      world.reconcile(controllers);
      world.advance(1000);
    }
  };
  settle();
  const get = (
    cluster: string,
    apiVersion: string,
    kind: string,
    name = NAME,
  ) => world.cluster(cluster).get(apiVersion, kind, NS, name)!;
  return { world, settle, get };
}

describe('zalandoController', () => {
  it('runs a StatefulSet with Spilo labels, owned by the postgresql', () => {
    const { get } = setup();
    const sts = get('eu-west', 'apps/v1', 'StatefulSet');
    expect(sts.metadata.labels).toEqual({
      application: 'spilo',
      'cluster-name': NAME,
      team: 'acid',
    });
    expect(sts.metadata.ownerReferences).toEqual([
      expect.objectContaining({
        apiVersion: ZALANDO_API_VERSION,
        kind: 'postgresql',
        name: NAME,
        controller: true,
      }),
    ]);
    expect(sts.spec.replicas).toBe(2);
    expect(sts.spec.template.metadata.labels['cluster-name']).toBe(NAME);
  });

  it('labels the leader master and the others replica, in a standby cluster too', () => {
    const { world } = setup();
    for (const cluster of ['eu-west', 'us-east']) {
      const roles = world
        .cluster(cluster)
        .list('v1', 'Pod', NS)
        .sort((a, b) => a.metadata.name.localeCompare(b.metadata.name))
        .map(p => [p.metadata.name, p.metadata.labels?.['spilo-role']]);
      expect([cluster, roles]).toEqual([
        cluster,
        [
          [`${NAME}-0`, 'master'],
          [`${NAME}-1`, 'replica'],
        ],
      ]);
    }
  });

  it('publishes the master LoadBalancer with a hostname naming the cluster, and the replica Service', () => {
    const { get } = setup();
    const master = get('eu-west', 'v1', 'Service');
    expect(master.spec.type).toBe('LoadBalancer');
    expect(master.metadata.labels?.['spilo-role']).toBe('master');
    expect(master.status.loadBalancer.ingress).toEqual([
      { hostname: 'acid-analytics.databases.eu-west.elb.simulator.local' },
    ]);
    const repl = get('eu-west', 'v1', 'Service', `${NAME}-repl`);
    expect(repl.spec.selector).toEqual({
      application: 'spilo',
      'cluster-name': NAME,
      'spilo-role': 'replica',
    });
    expect(get('us-east', 'v1', 'Service').spec.type).toBe('ClusterIP');
  });

  it('reports Running once every pod is ready', () => {
    const { get } = setup();
    for (const cluster of ['eu-west', 'us-east']) {
      expect(get(cluster, ZALANDO_API_VERSION, 'postgresql').status).toEqual({
        PostgresClusterStatus: 'Running',
      });
    }
  });

  it('keeps a lag record on the standby StatefulSet only, growing while cut off', () => {
    const { world, settle, get } = setup();
    const annotations = (cluster: string) =>
      get(cluster, 'apps/v1', 'StatefulSet').metadata.annotations ?? {};
    expect(annotations('eu-west')[SIM_LAG_SOURCE]).toBeUndefined();
    expect(annotations('us-east')).toMatchObject({
      [SIM_LAG_SOURCE]: 'eu-west',
      [SIM_ENGINE]: 'postgresql',
    });
    expect(Number(annotations('us-east')[SIM_LAG_SECONDS])).toBeLessThan(2);
    // /metrics exports it as a Postgres exporter would, named for the workload.
    expect(
      renderMetrics('us-east', [get('us-east', 'apps/v1', 'StatefulSet')]),
    ).toMatch(
      /^cnpg_pg_replication_lag\{namespace="databases",statefulset="acid-analytics",source="eu-west",cluster="us-east"\} [\d.]+$/m,
    );
    world.partition('eu-west', 'us-east');
    settle();
    settle();
    expect(Number(annotations('us-east')[SIM_LAG_SECONDS])).toBeGreaterThan(5);
    world.heal();
    for (let i = 0; i < 5; i++) settle();
    expect(Number(annotations('us-east')[SIM_LAG_SECONDS])).toBeLessThan(2);
  });
});

describe('the demo world acid-analytics', () => {
  const demo = demoFiles().flatMap(({ cluster, file }) =>
    parseAllDocuments(fs.readFileSync(file, 'utf8'))
      .map(d => d.toJS() as KubeObject)
      .filter(o => o?.kind === 'postgresql')
      .map(object => ({ cluster, object })),
  );

  it('validates against the Zalando Postgres Operator CRD', () => {
    const upstream = parse(
      fs.readFileSync(
        path.join(
          upstreamDir,
          'zalando-postgres-operator',
          'postgresql.crd.yaml',
        ),
        'utf8',
      ),
    ) as CustomResourceDefinition;
    // Its own name keeps its validator apart from the simulator's open CRD.
    upstream.metadata.name = `upstream.${upstream.metadata.name}`;
    withUnicodeSafePatterns(upstream);
    expect(demo.map(d => d.cluster).sort()).toEqual(['eu-west', 'us-east']);
    for (const { cluster, object } of demo) {
      expect([cluster, validateAgainstCrd(object, [upstream])]).toEqual([
        cluster,
        [],
      ]);
      expect(object.metadata.labels).toEqual({
        'backstage.io/owner': 'database-platform',
      });
      expect(JSON.stringify(object)).not.toContain(
        'multicluster-statefulsets/',
      );
    }
    // The check bites: a field the operator does not know is refused.
    const drifted = structuredClone(demo[0].object);
    drifted.spec.standbyHost = 'elsewhere';
    expect(validateAgainstCrd(drifted, [upstream])).toEqual([
      { path: 'spec.standbyHost', message: 'unknown field "standbyHost"' },
    ]);
  });

  it('runs in the simulator: Running on both sides, the standby streaming from eu-west', async () => {
    const sim = await startTestSimulator(loadWorld(demoWorldFile()));
    try {
      const store = (c: string) => sim.stores.get(c)!;
      const status = (c: string) =>
        store(c).get(ZALANDO_API_VERSION, 'postgresql', NS, NAME)?.status
          ?.PostgresClusterStatus;
      const lagSource = () =>
        store('us-east').get('apps/v1', 'StatefulSet', NS, NAME)?.metadata
          .annotations?.[SIM_LAG_SOURCE];
      await eventually(
        () =>
          status('eu-west') === 'Running' &&
          status('us-east') === 'Running' &&
          lagSource() === 'eu-west',
        15000,
      ).catch(() => undefined);
      expect([status('eu-west'), status('us-east'), lagSource()]).toEqual([
        'Running',
        'Running',
        'eu-west',
      ]);
    } finally {
      await sim.stop();
    }
  });
});
