// Drives the simulated MySQL Operator against the in-memory fake clusters,
// and checks the demo world's InnoDBClusters against the operator's
// published CRD and in a running simulator.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse, parseAllDocuments, stringify } from 'yaml';
import { type CustomResourceDefinition, validateAgainstCrd } from '../../crds';
import { eventually, startTestSimulator } from '../../testing/testWorld';
import { loadWorld } from '../../world';
import { SIM_LAG_SOURCE } from '../metrics';
import { statefulSetController } from '../statefulSetController';
import { FakeWorld } from '../testing';
import type { KubeObject } from '../types';
import { INNODB_API_VERSION, innodbClusterController } from './innodbCluster';
import { upstreamSchemasDir } from '../../testing/upstreamSchemas';

jest.setTimeout(30000);

const NS = 'databases';
const NAME = 'ledger';
const DEMO_FILE = 'ledger-innodb.yaml';
const repoRoot = path.join(
  path.dirname(require.resolve('@multicluster/cluster-simulator/package.json')),
  '..',
  '..',
);
const worldFile = path.join(repoRoot, 'examples', 'world', 'world.yaml');
const upstreamDir = upstreamSchemasDir();

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
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'innodb-demo-'));
  const file = path.join(dir, 'world.yaml');
  fs.writeFileSync(file, stringify(world));
  return file;
}

/**
 * The root fields an API server accepts on every custom resource whatever
 * its schema says: `apiVersion`, `kind`, and `metadata` as ObjectMeta (a
 * CRD may only constrain `metadata.name`). The MySQL Operator's schema
 * declares `metadata.name` alone and leaves the rest implicit.
 */
function withImplicitRootFields(crd: CustomResourceDefinition): void {
  for (const version of crd.spec.versions) {
    const root = version.schema?.openAPIV3Schema;
    if (!root?.properties) continue;
    root.properties.apiVersion ??= { type: 'string' };
    root.properties.kind ??= { type: 'string' };
    root.properties.metadata = {
      ...root.properties.metadata,
      type: 'object',
      'x-kubernetes-preserve-unknown-fields': true,
    };
  }
}

function setup() {
  const world = FakeWorld.demo();
  world.ensureNamespace(NS);
  world.cluster('eu-central').create({
    apiVersion: INNODB_API_VERSION,
    kind: 'InnoDBCluster',
    metadata: { name: NAME, namespace: NS },
    spec: { secretName: 'ledger-root', instances: 3, version: '9.1.0' },
  });
  const controllers = [
    innodbClusterController(),
    statefulSetController({ readinessDelayMs: 0 }),
  ];
  const settle = () => {
    for (let i = 0; i < 8; i++) {
      world.reconcile(controllers);
      world.advance(1000);
    }
  };
  settle();
  const api = world.cluster('eu-central');
  const pods = () =>
    api
      .list('v1', 'Pod', NS)
      .sort((a, b) => a.metadata.name.localeCompare(b.metadata.name));
  return { world, api, settle, pods };
}

describe('innodbClusterController', () => {
  it('runs a StatefulSet with the operator labels, owned by the InnoDBCluster', () => {
    const { api } = setup();
    const sts = api.get('apps/v1', 'StatefulSet', NS, NAME)!;
    expect(sts.metadata.labels).toMatchObject({
      tier: 'mysql',
      'mysql.oracle.com/cluster': NAME,
      'app.kubernetes.io/name': 'mysql-innodbcluster',
      'app.kubernetes.io/managed-by': 'mysql-operator',
    });
    expect(sts.metadata.ownerReferences).toEqual([
      expect.objectContaining({
        apiVersion: INNODB_API_VERSION,
        kind: 'InnoDBCluster',
        name: NAME,
        controller: true,
      }),
    ]);
    expect(sts.spec).toMatchObject({
      replicas: 3,
      serviceName: `${NAME}-instances`,
      podManagementPolicy: 'Parallel',
    });
    expect(
      api.get('v1', 'Service', NS, `${NAME}-instances`)!.spec.clusterIP,
    ).toBe('None');
  });

  it('labels the lowest ONLINE member PRIMARY and the others SECONDARY', () => {
    const { pods } = setup();
    expect(
      pods().map(p => [
        p.metadata.name,
        p.metadata.labels?.['mysql.oracle.com/cluster-role'],
        JSON.parse(p.metadata.annotations!['mysql.oracle.com/membership-info'])
          .status,
      ]),
    ).toEqual([
      ['ledger-0', 'PRIMARY', 'ONLINE'],
      ['ledger-1', 'SECONDARY', 'ONLINE'],
      ['ledger-2', 'SECONDARY', 'ONLINE'],
    ]);
  });

  it('probes the group status, and moves the primary when its pod goes', () => {
    const { world, api, settle, pods } = setup();
    const status = () =>
      api.get(INNODB_API_VERSION, 'InnoDBCluster', NS, NAME)!.status.cluster;
    expect(status()).toMatchObject({ status: 'ONLINE', onlineInstances: 3 });
    api.delete('v1', 'Pod', NS, 'ledger-0');
    const roles = () =>
      pods().map(p => [
        p.metadata.name,
        p.metadata.labels?.['mysql.oracle.com/cluster-role'],
      ]);
    // The operator alone, before the StatefulSet controller brings it back.
    world.reconcile([innodbClusterController()]);
    expect(roles()).toEqual([
      ['ledger-1', 'PRIMARY'],
      ['ledger-2', 'SECONDARY'],
    ]);
    expect(status()).toMatchObject({
      status: 'ONLINE_PARTIAL',
      onlineInstances: 2,
    });
    settle();
    expect(status()).toMatchObject({ status: 'ONLINE', onlineInstances: 3 });
  });

  it('keeps no lag record: nothing replicates between clusters', () => {
    const { api } = setup();
    expect(
      api.get('apps/v1', 'StatefulSet', NS, NAME)!.metadata.annotations?.[
        SIM_LAG_SOURCE
      ],
    ).toBeUndefined();
  });
});

describe('the demo world ledger', () => {
  const demo = demoFiles().flatMap(({ cluster, file }) =>
    parseAllDocuments(fs.readFileSync(file, 'utf8'))
      .map(d => d.toJS() as KubeObject)
      .filter(o => o?.kind === 'InnoDBCluster')
      .map(object => ({ cluster, object })),
  );

  it('validates against the MySQL Operator CRD', () => {
    const upstream = parse(
      fs.readFileSync(
        path.join(
          upstreamDir,
          'mysql-operator',
          'mysql.oracle.com_innodbclusters.yaml',
        ),
        'utf8',
      ),
    ) as CustomResourceDefinition;
    // Its own name keeps its validator apart from the simulator's open CRD.
    upstream.metadata.name = `upstream.${upstream.metadata.name}`;
    withImplicitRootFields(upstream);
    expect(demo.map(d => d.cluster).sort()).toEqual(['eu-central', 'eu-west']);
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
    drifted.spec.clusterSet = { primary: 'eu-central' };
    expect(validateAgainstCrd(drifted, [upstream])).toEqual([
      { path: 'spec.clusterSet', message: 'unknown field "clusterSet"' },
    ]);
  });

  it('runs in the simulator: both groups ONLINE with one PRIMARY each', async () => {
    const sim = await startTestSimulator(loadWorld(demoWorldFile()));
    try {
      const store = (c: string) => sim.stores.get(c)!;
      const state = (c: string) => [
        store(c).get(INNODB_API_VERSION, 'InnoDBCluster', NS, NAME)?.status
          ?.cluster?.status,
        store(c)
          .list('v1', 'Pod', NS)
          .filter(
            p =>
              p.metadata.labels?.['mysql.oracle.com/cluster-role'] ===
              'PRIMARY',
          ).length,
      ];
      const expected = ['ONLINE', 1];
      await eventually(
        () =>
          JSON.stringify(state('eu-central')) === JSON.stringify(expected) &&
          JSON.stringify(state('eu-west')) === JSON.stringify(expected),
        15000,
      ).catch(() => undefined);
      expect([state('eu-central'), state('eu-west')]).toEqual([
        expected,
        expected,
      ]);
    } finally {
      await sim.stop();
    }
  });
});
