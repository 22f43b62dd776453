/*
 * The demo's Helm-chart MySQL (shop-mysql) read through the REST API from
 * the simulated clusters: roles from the chart's component label, the link
 * from the replica's MYSQL_MASTER_HOST resolved through Multi-Cluster
 * Services, and the version skew that makes DR readiness fail.
 */
import fs from 'node:fs';
import path from 'node:path';
import {
  RunningSimulator,
  validateWorld,
} from '@multicluster/cluster-simulator';
import { parse } from 'yaml';
import {
  databaseEntity,
  REPO_ROOT,
  startQuietSimulator,
  topologyPath,
  withBackend,
} from './__testUtils__/simulatedDatabases';
import { waitFor } from './__testUtils__/waitFor';

const worldFile = path.join(REPO_ROOT, 'examples', 'world', 'world.yaml');

/** The demo world's clusters holding only shop-mysql's files. */
function shopMysqlWorld() {
  const raw = parse(fs.readFileSync(worldFile, 'utf8'));
  for (const c of raw.clusters) {
    c.files = c.files.filter(
      (f: string) => f === 'namespace.yaml' || f.endsWith('/shop-mysql.yaml'),
    );
  }
  return validateWorld(raw, worldFile);
}

const entity = databaseEntity('shop-mysql', 'mysql', { id: 'shop-mysql' });

const eventually = <T>(probe: () => Promise<T | undefined>) =>
  waitFor(probe, { timeoutMs: 15_000, intervalMs: 200 });

describe('a Helm-chart MySQL in the simulated demo clusters', () => {
  let sim: RunningSimulator;

  beforeAll(async () => {
    sim = await startQuietSimulator(shopMysqlWorld());
  });

  afterAll(async () => {
    await sim?.stop();
  });

  it('shows roles, the chart link and the version skew', async () => {
    await withBackend(sim, [entity], async get => {
      const body = await eventually(async () => {
        const res = await get(topologyPath('shop-mysql'));
        const ready = res.body.clusters?.every((c: any) =>
          c.workloads.every(
            (w: any) => w.replicas.ready === w.replicas.desired,
          ),
        );
        return res.status === 200 && ready && res.body.replication?.length
          ? res.body
          : undefined;
      });
      const byName = Object.fromEntries(
        body.clusters.map((c: any) => [c.name, c]),
      );
      expect(
        ['eu-central', 'eu-west'].map(name => [
          name,
          byName[name].role,
          byName[name].workloads.map((w: any) => [
            w.name,
            w.role,
            w.roleSource,
            w.component,
          ]),
        ]),
      ).toEqual([
        [
          'eu-central',
          'active',
          [
            [
              'shop-mysql-primary',
              'active',
              'chart-component-label',
              'primary',
            ],
          ],
        ],
        [
          'eu-west',
          'passive',
          [
            [
              'shop-mysql-dr-secondary',
              'passive',
              'chart-component-label',
              'secondary',
            ],
          ],
        ],
      ]);
      expect(body.replication).toEqual([
        expect.objectContaining({
          from: 'eu-central',
          to: 'eu-west',
          workload: 'shop-mysql-dr-secondary',
          provider: 'chart-replication-env',
          lagSeconds: null,
        }),
      ]);
      expect(body.drift).toContainEqual(
        expect.objectContaining({
          field: 'image[mysql]',
          values: {
            'eu-central': 'docker.io/bitnami/mysql:8.4.5-debian-12-r0',
            'eu-west': 'docker.io/bitnami/mysql:8.0.42-debian-12-r0',
          },
        }),
      );
      expect(
        body.readiness.checks.find((c: any) => c.id === 'engine-version'),
      ).toMatchObject({ status: 'fail' });
      expect(body.readiness.verdict).toBe('not-ready');
    });
  }, 60000);
});
