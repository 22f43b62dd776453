// Drives the simulated MongoDB Community Operator against the in-memory
// fake clusters, and checks the demo world's MongoDBCommunity resources
// against the operator's published CRD and in a running simulator.
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
import {
  MONGODB_COMMUNITY_API_VERSION as API,
  mongodbCommunityController,
} from './mongodbCommunity';
import { upstreamSchemasDir } from '../../testing/upstreamSchemas';

jest.setTimeout(30000);

const NS = 'databases';
const NAME = 'carts';
const DEMO_FILE = 'carts-mongodb.yaml';
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
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mongodb-community-demo-'));
  const file = path.join(dir, 'world.yaml');
  fs.writeFileSync(file, stringify(world));
  return file;
}

function setup(arbiters = 0) {
  const world = FakeWorld.demo();
  world.ensureNamespace(NS);
  world.cluster('eu-central').create({
    apiVersion: API,
    kind: 'MongoDBCommunity',
    metadata: { name: NAME, namespace: NS },
    spec: { type: 'ReplicaSet', members: 3, arbiters, version: '8.0.4' },
  });
  const controllers = [
    mongodbCommunityController(),
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
  return { world, api, settle };
}

describe('mongodbCommunityController', () => {
  it('runs the members as a StatefulSet labelled with its Service, owned by the resource', () => {
    const { api } = setup();
    const sts = api.get('apps/v1', 'StatefulSet', NS, NAME)!;
    expect(sts.metadata.labels).toEqual({ app: 'carts-svc' });
    expect(sts.metadata.ownerReferences).toEqual([
      expect.objectContaining({
        apiVersion: API,
        kind: 'MongoDBCommunity',
        name: NAME,
        controller: true,
      }),
    ]);
    expect(sts.spec).toMatchObject({ replicas: 3, serviceName: 'carts-svc' });
    expect(api.get('v1', 'Service', NS, 'carts-svc')!.spec).toMatchObject({
      clusterIP: 'None',
      selector: { app: 'carts-svc' },
    });
    expect(
      api.get('apps/v1', 'StatefulSet', NS, `${NAME}-arb`),
    ).toBeUndefined();
    expect(
      api
        .list('v1', 'Pod', NS)
        .map(p => p.metadata.labels?.app)
        .sort(),
    ).toEqual(['carts-svc', 'carts-svc', 'carts-svc']);
  });

  it('writes the status the operator reports once the members are ready', () => {
    const { api } = setup();
    expect(api.get(API, 'MongoDBCommunity', NS, NAME)!.status).toEqual({
      phase: 'Running',
      currentMongoDBMembers: 3,
      currentStatefulSetReplicas: 3,
      mongoUri:
        'mongodb://carts-0.carts-svc.databases.svc.cluster.local:27017,carts-1.carts-svc.databases.svc.cluster.local:27017,carts-2.carts-svc.databases.svc.cluster.local:27017/?replicaSet=carts',
      version: '8.0.4',
    });
  });

  it('runs arbiters in their own StatefulSet and counts them', () => {
    const { api } = setup(1);
    expect(
      api.get('apps/v1', 'StatefulSet', NS, `${NAME}-arb`)!.spec.replicas,
    ).toBe(1);
    expect(api.get(API, 'MongoDBCommunity', NS, NAME)!.status).toMatchObject({
      phase: 'Running',
      currentMongoDBArbiters: 1,
      currentStatefulSetArbitersReplicas: 1,
    });
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

describe('the demo world carts', () => {
  const demo = demoFiles().flatMap(({ cluster, file }) =>
    parseAllDocuments(fs.readFileSync(file, 'utf8'))
      .map(d => d.toJS() as KubeObject)
      .filter(o => o?.kind === 'MongoDBCommunity')
      .map(object => ({ cluster, object })),
  );

  it('validates against the MongoDB Community Operator CRD', () => {
    const upstream = parse(
      fs.readFileSync(
        path.join(
          upstreamDir,
          'mongodb-kubernetes',
          'mongodbcommunity.mongodb.com_mongodbcommunity.yaml',
        ),
        'utf8',
      ),
    ) as CustomResourceDefinition;
    // Its own name keeps its validator apart from the simulator's open CRD.
    upstream.metadata.name = `upstream.${upstream.metadata.name}`;
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
    drifted.spec.externalMembers = ['carts-0.eu-west.example'];
    expect(validateAgainstCrd(drifted, [upstream])).toEqual([
      {
        path: 'spec.externalMembers',
        message: 'unknown field "externalMembers"',
      },
    ]);
  });

  it('runs in the simulator: both replica sets Running', async () => {
    const sim = await startTestSimulator(loadWorld(demoWorldFile()));
    try {
      const phase = (c: string) =>
        sim.stores.get(c)!.get(API, 'MongoDBCommunity', NS, NAME)?.status
          ?.phase;
      await eventually(
        () =>
          phase('eu-central') === 'Running' && phase('eu-west') === 'Running',
        15000,
      ).catch(() => undefined);
      expect([phase('eu-central'), phase('eu-west')]).toEqual([
        'Running',
        'Running',
      ]);
    } finally {
      await sim.stop();
    }
  });
});
