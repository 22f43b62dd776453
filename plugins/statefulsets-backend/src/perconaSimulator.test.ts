/*
 * Percona's databases replicated between simulated clusters, read through
 * the REST API without any of the product's annotations: the demo world's
 * `payments` (Percona XtraDB Cluster, eu-central → eu-west) and `profiles`
 * (Percona Server for MongoDB, main site eu-central, unmanaged site
 * us-east), with the simulated Percona operators installed.
 */
import { RunningSimulator } from '@multicluster/cluster-simulator';
import {
  bodyOnceShaped,
  databaseEntity,
  demoFilesWorld,
  startQuietSimulator,
  topologyPath,
  topologySummary,
  withBackend,
} from './__testUtils__/simulatedDatabases';

const entities = [
  databaseEntity('payments', 'mysql', {
    selector:
      'app.kubernetes.io/instance=payments,app.kubernetes.io/name=percona-xtradb-cluster',
  }),
  databaseEntity('profiles', 'mongodb', {
    selector:
      'app.kubernetes.io/instance=profiles,app.kubernetes.io/name=percona-server-mongodb',
  }),
];

describe("Percona's databases against the cluster simulator", () => {
  let sim: RunningSimulator;

  beforeAll(async () => {
    sim = await startQuietSimulator(
      demoFilesWorld({
        clusters: ['eu-central', 'eu-west', 'us-east'],
        operators: ['percona'],
        files: ['payments-pxc.yaml', 'profiles-psmdb.yaml'],
      }),
    );
  });

  afterAll(async () => {
    await sim?.stop();
  });

  function topologyUntil(name: string, expected: unknown) {
    return withBackend(sim, entities, get =>
      bodyOnceShaped(get, topologyPath(name), topologySummary, expected),
    );
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
    expect(topologySummary(body)).toEqual(expected);
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
    expect(topologySummary(body)).toEqual(expected);
  }, 30000);

  it('discovers both databases by their resources, with engine, selector and owner', async () => {
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
    const body = await withBackend(
      sim,
      [],
      get =>
        bodyOnceShaped(
          get,
          '/api/multicluster-statefulsets/discovery/databases',
          candidates,
          expected,
        ),
      { multiclusterStatefulsets: { discovery: { enabled: true } } },
    );
    expect(candidates(body)).toEqual(expected);
  }, 30000);
});
