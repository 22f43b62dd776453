/*
 * Percona's databases replicated between simulated clusters, read through
 * the REST API without any of the product's annotations: the demo world's
 * `payments` (Percona XtraDB Cluster, eu-central → eu-west) and `profiles`
 * (Percona Server for MongoDB, main site eu-central, unmanaged site
 * us-east), with the simulated Percona operators installed.
 */
import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import {
  appConfigFor,
  RunningSimulator,
  startSimulator,
} from '@multicluster/cluster-simulator';
import fs from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import { parseAllDocuments } from 'yaml';
import { multiclusterStatefulsetsPlugin } from './plugin';

const repoRoot = path.join(
  path.dirname(require.resolve('@multicluster/cluster-simulator/package.json')),
  '..',
  '..',
);

function demoObjects(cluster: string, file: string): unknown[] {
  const full = path.join(repoRoot, 'examples', 'world', cluster, file);
  return fs.existsSync(full)
    ? parseAllDocuments(fs.readFileSync(full, 'utf8')).map(d => d.toJS())
    : [];
}

const clusters = [
  { name: 'eu-central', region: 'eu-central-1' },
  { name: 'eu-west', region: 'eu-west-1' },
  { name: 'us-east', region: 'us-east-1' },
];

const world = {
  clusters: clusters.map(c => ({
    ...c,
    operators: ['percona'],
    objects: [
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'databases' } },
      ...demoObjects(c.name, 'payments-pxc.yaml'),
      ...demoObjects(c.name, 'profiles-psmdb.yaml'),
    ],
  })),
};

function entityOf(name: string, app: string, engine: string): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: {
      name,
      namespace: 'default',
      annotations: {
        'backstage.io/kubernetes-label-selector': `app.kubernetes.io/instance=${name},app.kubernetes.io/name=${app}`,
        'backstage.io/kubernetes-namespace': 'databases',
        'multicluster-statefulsets/engine': engine,
      },
    },
    spec: {
      type: 'database',
      owner: 'group:default/database-platform',
      lifecycle: 'production',
    },
  };
}

const summary = (body: any) => ({
  clusters: (body.clusters ?? [])
    .filter((c: any) => c.workloads.length > 0)
    .map((c: any) => [
      c.name,
      c.role,
      c.workloads.map((w: any) => [
        w.name,
        w.role,
        w.roleSource,
        w.replicas.ready,
      ]),
    ]),
  links: (body.replication ?? []).map((l: any) => [
    l.from,
    l.to,
    l.workload,
    l.provider,
    l.lagSeconds,
    l.reason,
  ]),
});

describe("Percona's databases against the cluster simulator", () => {
  let sim: RunningSimulator;

  beforeAll(async () => {
    sim = await startSimulator({
      world,
      portBase: 0,
      adminPort: 0,
      readinessDelayMs: 20,
      tickMs: 100,
      onError: () => {},
    });
  });

  afterAll(async () => {
    await sim?.stop();
  });

  async function topologyUntil(name: string, expected: unknown) {
    const backend = await startTestBackend({
      features: [
        multiclusterStatefulsetsPlugin,
        mockServices.rootConfig.factory({
          data: appConfigFor(sim.clusters) as any,
        }),
        catalogServiceMock.factory({
          entities: [
            entityOf('payments', 'percona-xtradb-cluster', 'mysql'),
            entityOf('profiles', 'percona-server-mongodb', 'mongodb'),
          ],
        }),
      ],
    });
    try {
      let body: any;
      for (let i = 0; i < 100; i++) {
        const res = await request(backend.server).get(
          `/api/multicluster-statefulsets/entities/component/default/${name}/topology`,
        );
        expect(res.status).toBe(200);
        body = res.body;
        if (JSON.stringify(summary(body)) === JSON.stringify(expected)) break;
        await new Promise(r => setTimeout(r, 100));
      }
      return body;
    } finally {
      await backend.stop();
    }
  }

  it('reads the PXC source and replica sites and the link between them', async () => {
    const pxc = 'percona-xtradb-cluster';
    const expected = {
      clusters: [
        [
          'eu-central',
          'active',
          [
            ['payments-haproxy', 'active', pxc, 2],
            ['payments-pxc', 'active', pxc, 3],
          ],
        ],
        [
          'eu-west',
          'passive',
          [
            ['payments-haproxy', 'passive', pxc, 2],
            ['payments-pxc', 'passive', pxc, 3],
          ],
        ],
      ],
      links: [
        [
          'eu-central',
          'eu-west',
          'payments-pxc',
          pxc,
          null,
          "lag not in the operator's status",
        ],
      ],
    };
    const body = await topologyUntil('payments', expected);
    expect(summary(body)).toEqual(expected);
    expect(body.drift).toEqual([]);
  }, 30000);

  it('reads the PSMDB main and unmanaged sites and the link between them', async () => {
    const psmdb = 'percona-server-mongodb';
    const expected = {
      clusters: [
        ['eu-central', 'active', [['profiles-rs0', 'active', psmdb, 3]]],
        ['us-east', 'passive', [['profiles-rs0', 'passive', psmdb, 3]]],
      ],
      links: [
        [
          'eu-central',
          'us-east',
          'profiles-rs0',
          psmdb,
          null,
          "lag not in the operator's status",
        ],
      ],
    };
    const body = await topologyUntil('profiles', expected);
    expect(summary(body)).toEqual(expected);
  }, 30000);

  it('discovers both databases by their resources, with engine, selector and owner', async () => {
    const backend = await startTestBackend({
      features: [
        multiclusterStatefulsetsPlugin,
        mockServices.rootConfig.factory({
          data: {
            ...(appConfigFor(sim.clusters) as any),
            multiclusterStatefulsets: { discovery: { enabled: true } },
          },
        }),
        catalogServiceMock.factory({ entities: [] }),
      ],
    });
    try {
      const candidates = (body: any) =>
        (body.items ?? [])
          .filter((d: any) => ['payments', 'profiles'].includes(d.name))
          .map((d: any) => ({
            name: d.name,
            engine: d.engine,
            grouping: d.grouping,
            clusters: d.clusters,
            owner: d.owner,
            selector: d.annotations['backstage.io/kubernetes-label-selector'],
          }));
      const expected = [
        {
          name: 'payments',
          engine: 'mysql',
          grouping: 'operator',
          clusters: ['eu-central', 'eu-west'],
          owner: 'group:default/database-platform',
          selector:
            'app.kubernetes.io/instance=payments,app.kubernetes.io/name=percona-xtradb-cluster',
        },
        {
          name: 'profiles',
          engine: 'mongodb',
          grouping: 'operator',
          clusters: ['eu-central', 'us-east'],
          owner: 'group:default/database-platform',
          selector:
            'app.kubernetes.io/instance=profiles,app.kubernetes.io/name=percona-server-mongodb',
        },
      ];
      let body: any;
      for (let i = 0; i < 100; i++) {
        const res = await request(backend.server).get(
          '/api/multicluster-statefulsets/discovery/databases',
        );
        expect(res.status).toBe(200);
        body = res.body;
        if (JSON.stringify(candidates(body)) === JSON.stringify(expected)) {
          break;
        }
        await new Promise(r => setTimeout(r, 100));
      }
      expect(candidates(body)).toEqual(expected);
    } finally {
      await backend.stop();
    }
  }, 30000);
});
