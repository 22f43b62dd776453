/*
 * kubectl v1.35 exec against the PostgreSQL emulator: inventory-kubefed's
 * StatefulSets as KubeFed places them (primary in us-east from ordinal 20,
 * standby in eu-west from ordinal 10 streaming from us-east), asked with
 * `psql -At -c 'SELECT pg_is_in_recovery()'` as a person would.
 */
import type { RunningSimulator } from '../../simulator';
import { fetchKubectl, KubectlHome } from '../../testing/kubectl';
import { podRunning, startTestSimulator } from '../../testing/testWorld';

jest.setTimeout(60000);

const NAME = 'inventory-kubefed';

function objects(ordinal: number, annotations: Record<string, string>) {
  const labels = { app: NAME };
  return [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'databases' } },
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: `${NAME}-headless`, namespace: 'databases' },
      spec: {
        clusterIP: 'None',
        selector: labels,
        ports: [{ name: 'postgres', port: 5432 }],
      },
    },
    {
      apiVersion: 'apps/v1',
      kind: 'StatefulSet',
      metadata: { name: NAME, namespace: 'databases', annotations },
      spec: {
        replicas: 1,
        serviceName: `${NAME}-headless`,
        ordinals: { start: ordinal },
        selector: { matchLabels: labels },
        template: {
          metadata: { labels },
          spec: {
            containers: [
              {
                name: 'postgres',
                image: 'postgres:17',
                env: [
                  { name: 'PGDATA', value: '/var/lib/postgresql/data/pgdata' },
                ],
                ports: [{ name: 'postgres', containerPort: 5432 }],
              },
            ],
          },
        },
        volumeClaimTemplates: [
          {
            metadata: { name: 'data' },
            spec: { resources: { requests: { storage: '1Gi' } } },
          },
        ],
      },
    },
  ];
}

let sim: RunningSimulator;
let home: KubectlHome | undefined;

beforeAll(async () => {
  fetchKubectl();
  sim = await startTestSimulator({
    clusters: [
      {
        name: 'us-east',
        region: 'us-east-1',
        objects: objects(20, { 'multicluster-statefulsets/role': 'active' }),
      },
      {
        name: 'eu-west',
        region: 'eu-west-1',
        objects: objects(10, {
          'multicluster-statefulsets/role': 'passive',
          'multicluster-statefulsets/replication-source': 'us-east',
        }),
      },
    ],
  });
  home = new KubectlHome(sim.clusters, 'sim-postgres-');
  await podRunning(sim, 'us-east', `${NAME}-20`);
  await podRunning(sim, 'eu-west', `${NAME}-10`);
}, 300000);

afterAll(async () => {
  await sim?.stop();
  home?.remove();
});

const inRecovery = (context: string, pod: string) =>
  home!.run([
    '--context',
    context,
    '-n',
    'databases',
    'exec',
    pod,
    '-c',
    'postgres',
    '--',
    'psql',
    '-At',
    '-c',
    'SELECT pg_is_in_recovery()',
  ]);

describe('kubectl exec into a PostgreSQL pod', () => {
  it('answers pg_is_in_recovery() as psql -At prints it: f on the primary, t on the standby', async () => {
    expect(await inRecovery('us-east', `${NAME}-20`)).toMatchObject({
      code: 0,
      stdout: 'f\n',
      stderr: '',
    });
    expect(await inRecovery('eu-west', `${NAME}-10`)).toMatchObject({
      code: 0,
      stdout: 't\n',
      stderr: '',
    });
  });

  it('exits 1 with PostgreSQL’s error when a standby refuses a write', async () => {
    const r = await home!.run([
      '--context',
      'eu-west',
      '-n',
      'databases',
      'exec',
      `${NAME}-10`,
      '--',
      'sh',
      '-c',
      `psql -X -At -v ON_ERROR_STOP=1 -c 'CREATE TABLE t (x int)'`,
    ]);
    expect(r.stderr).toContain(
      'ERROR:  cannot execute CREATE TABLE in a read-only transaction\n',
    );
    expect(r.code).toBe(1);
  });
});
