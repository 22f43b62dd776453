/*
 * The Prometheus lag source against a real Prometheus (Debian's `prometheus`
 * package) scraping the cluster simulator's `/metrics` every second, with the
 * built-in queries. Skipped where Prometheus is not installed, except in CI,
 * where a missing Prometheus fails the suite instead of hiding it.
 */
import { createServiceFactory } from '@backstage/backend-plugin-api';
import {
  mockServices,
  startTestBackend,
  TestDatabases,
} from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { signalsServiceRef } from '@backstage/plugin-signals-node';
import {
  ANNOTATION_OWNER_ENTITY,
  buildTopology,
  emptyClusterObjects,
  noTraffic,
  readEntityPolicy,
} from '@multicluster/backstage-plugin-statefulsets-common';
import {
  EntityContext,
  GenericStatefulSetProvider,
} from '@multicluster/backstage-plugin-statefulsets-node';
import {
  appConfigFor,
  RunningSimulator,
  startSimulator,
} from '@multicluster/cluster-simulator';
import { ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { clientsFor } from '../failover/__testUtils__/simulatorWorld';
import { DatabaseFailoverStore } from '../failover/DatabaseFailoverStore';
import { FailoverEngine } from '../failover/FailoverEngine';
import { multiclusterStatefulsetsPlugin } from '../plugin';
import { LagSourceFailoverProvider } from './LagSourceFailoverProvider';
import { LagSourceReplicationProvider } from './LagSourceReplicationProvider';
import { PrometheusLagSource } from './PrometheusLagSource';
import { waitFor } from '../__testUtils__/waitFor';

const PROMETHEUS = process.env.PROMETHEUS_PATH || '/usr/bin/prometheus';
/** The lag of a linked replica: its engine's Seconds_Behind_Source, 0 while the link works. */
const LINKED_LAG_SECONDS = 0;

function statefulSet(annotations: Record<string, string>) {
  return {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: {
      name: 'orders-db',
      namespace: 'databases',
      labels: { 'backstage.io/kubernetes-id': 'orders-db' },
      // Failover acts only on workloads stamped for the entity it runs for.
      annotations: {
        ...annotations,
        [ANNOTATION_OWNER_ENTITY]: 'component:default/orders-db',
      },
    },
    spec: {
      replicas: 1,
      serviceName: 'orders-db',
      selector: { matchLabels: { app: 'orders-db' } },
      template: {
        metadata: {
          labels: {
            app: 'orders-db',
            'backstage.io/kubernetes-id': 'orders-db',
          },
        },
        spec: { containers: [{ name: 'mysql', image: 'mysql:8.4' }] },
      },
    },
  };
}

const namespace = {
  apiVersion: 'v1',
  kind: 'Namespace',
  metadata: { name: 'databases' },
};

const world = {
  clusters: [
    {
      name: 'eu-central',
      region: 'eu-central-1',
      objects: [
        namespace,
        statefulSet({ 'multicluster-statefulsets/role': 'active' }),
      ],
    },
    {
      name: 'eu-west',
      region: 'eu-west-1',
      replication: { intervalMs: 200 },
      objects: [
        namespace,
        statefulSet({
          'multicluster-statefulsets/role': 'passive',
          'multicluster-statefulsets/replication-source': 'eu-central',
        }),
      ],
    },
  ],
};

const passive = {
  engine: 'mysql',
  namespace: 'databases',
  workload: 'orders-db',
  cluster: 'eu-west',
  source: 'eu-central',
};

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise(resolve => server.close(resolve));
  return port;
}

/** Polls until `probe` returns a value, or fails with what it last saw. */
const eventually = <T>(
  what: string,
  probe: () => Promise<T | undefined>,
  timeoutMs = 10_000,
) => waitFor(probe, { what, timeoutMs, intervalMs: 200 });

/** A Prometheus in a temporary directory, scraping `targets` every second. */
async function startPrometheus(targets: string[]) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'prometheus-lag-'));
  fs.writeFileSync(
    path.join(dir, 'prometheus.yml'),
    JSON.stringify({
      global: { scrape_interval: '1s', scrape_timeout: '1s' },
      scrape_configs: [
        { job_name: 'simulator', static_configs: [{ targets }] },
      ],
    }),
  );
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  let log = '';
  const child: ChildProcess = spawn(
    PROMETHEUS,
    [
      `--config.file=${path.join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${path.join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--log.level=warn',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  child.stderr!.on('data', chunk => {
    log = (log + chunk).slice(-4000);
  });
  const exited = new Promise<void>(resolve =>
    child.once('exit', () => resolve()),
  );
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(killer);
    }
    fs.rmSync(dir, { recursive: true, force: true });
  };
  try {
    await eventually('Prometheus did not become ready', async () => {
      if (child.exitCode !== null) {
        throw new Error(`Prometheus exited: ${log}`);
      }
      const res = await fetch(`${url}/-/ready`);
      return res.ok ? true : undefined;
    });
    await eventually('The simulator targets were not up', async () => {
      const res = await fetch(
        `${url}/api/v1/query?query=${encodeURIComponent(
          'sum(up{job="simulator"})',
        )}`,
      );
      const body = await res.json();
      return Number(body.data?.result?.[0]?.value?.[1]) === targets.length
        ? true
        : undefined;
    });
  } catch (err) {
    await stop();
    throw err;
  }
  return { url, stop };
}

const available = fs.existsSync(PROMETHEUS);
const inCi = !!process.env.CI && !/^(false|0)$/i.test(process.env.CI);

describe('Prometheus for the lag source tests', () => {
  it('is installed wherever CI runs, so CI cannot skip them', () => {
    if (!available && inCi) {
      throw new Error(
        `${PROMETHEUS} is missing: install Debian's prometheus package (scripts/test-all.sh does) or set PROMETHEUS_PATH`,
      );
    }
    expect(available || !inCi).toBe(true);
  });
});

if (!available) {
  // eslint-disable-next-line no-console
  console.warn(
    `Skipping the Prometheus lag source tests: ${PROMETHEUS} is not installed (sudo apt-get install prometheus)`,
  );
}
const describeWithPrometheus = available ? describe : describe.skip;

describeWithPrometheus('PrometheusLagSource against a real Prometheus', () => {
  jest.setTimeout(30_000);
  let sim: RunningSimulator;
  let prometheus: Awaited<ReturnType<typeof startPrometheus>> | undefined;
  let lag: PrometheusLagSource;
  const databases = TestDatabases.create({ ids: ['SQLITE_3'] });

  /** What the topology service hands the providers, read from the simulator's stores. */
  function contextOf(annotations: Record<string, string>): EntityContext {
    const list = (cluster: string, apiVersion: string, kind: string) =>
      sim.stores.get(cluster)!.list(apiVersion, kind, 'databases');
    return {
      entityRef: 'component:default/orders-db',
      annotations,
      policy: readEntityPolicy(annotations),
      now: Date.now(),
      clusters: sim.clusters.map(c => ({
        cluster: { name: c.name, region: c.region, zones: c.zones },
        objects: {
          ...emptyClusterObjects(),
          statefulSets: list(c.name, 'apps/v1', 'StatefulSet'),
          pods: list(c.name, 'v1', 'Pod'),
        },
      })),
    };
  }

  beforeAll(async () => {
    sim = await startSimulator({
      world,
      portBase: 0,
      adminPort: 0,
      readinessDelayMs: 20,
      tickMs: 50,
      onError: () => undefined,
    });
    prometheus = await startPrometheus(
      sim.clusters.map(c => new URL(c.url).host),
    );
    lag = PrometheusLagSource.create({
      url: prometheus.url,
      timeoutMs: 2000,
    });
  });

  afterAll(async () => {
    await prometheus?.stop();
    await sim?.stop();
  });

  it("returns the simulator's lag of a passive StatefulSet, with its scrape time", async () => {
    const reading = await eventually('No lag in Prometheus', async () => {
      const r = await lag.readLag(passive);
      return r.seconds === null ? undefined : r;
    });
    expect(reading.seconds).toBe(LINKED_LAG_SECONDS);
    const age = Date.now() - Date.parse(reading.observedAt!);
    expect(age).toBeGreaterThanOrEqual(0);
    expect(age).toBeLessThan(5000);

    // The topology's link keeps the annotations' roles and takes this lag.
    const context = contextOf({
      'multicluster-statefulsets/engine': 'mysql',
      'multicluster-statefulsets/max-failover-lag': '5',
    });
    const links = await new LagSourceReplicationProvider(
      new GenericStatefulSetProvider(),
      lag,
    ).readReplication(context);
    expect(links).toEqual([
      expect.objectContaining({
        from: 'eu-central',
        to: 'eu-west',
        workload: 'orders-db',
        provider: 'generic',
        lagSource: 'prometheus',
        lagSeconds: LINKED_LAG_SECONDS,
        healthy: true,
      }),
    ]);
  });

  it("returns the lag's history from a range query, one point per step", async () => {
    const points = await eventually(
      'No lag history in Prometheus',
      async () => {
        const end = Date.now();
        const found = await lag.readLagRange(passive, {
          start: end - 60_000,
          end,
          stepSeconds: 1,
        });
        return found.length >= 3 ? found : undefined;
      },
    );
    expect(new Set(points.map(p => p.lagSeconds))).toEqual(
      new Set([LINKED_LAG_SECONDS]),
    );
    const steps = points.slice(1).map((p, i) => p.t - points[i].t);
    expect(steps.every(step => step >= 1000 && step % 1000 === 0)).toBe(true);
  });

  /** The plugin's backend on the simulator, with Prometheus configured. */
  /** The plugin's scheduled tasks, run when a test says (as their timers would). */
  const tasks = new Map<string, () => Promise<void>>();
  const runTask = async (id: string) => {
    const task = tasks.get(id);
    if (!task) throw new Error(`no task ${id} was scheduled`);
    await task();
  };

  async function startBackend() {
    const config = appConfigFor(sim.clusters) as any;
    config.multiclusterStatefulsets.prometheus = { url: prometheus!.url };
    const scheduler = mockServices.scheduler.mock({
      scheduleTask: async task => {
        tasks.set(task.id, () =>
          Promise.resolve(task.fn(new AbortController().signal)),
        );
      },
    });
    return startTestBackend({
      features: [
        multiclusterStatefulsetsPlugin,
        scheduler.factory,
        mockServices.rootConfig.factory({ data: config }),
        catalogServiceMock.factory({
          entities: [
            {
              apiVersion: 'backstage.io/v1alpha1',
              kind: 'Component',
              metadata: {
                name: 'orders-db',
                namespace: 'default',
                annotations: {
                  'backstage.io/kubernetes-id': 'orders-db',
                  'multicluster-statefulsets/engine': 'mysql',
                },
              },
              spec: {
                type: 'database',
                owner: 'group:default/database-platform',
                lifecycle: 'production',
              },
            },
          ],
        }),
        createServiceFactory({
          service: signalsServiceRef,
          deps: {},
          factory: () => ({ publish: async () => undefined }),
        }),
      ],
    });
  }

  const TOPOLOGY_PATH =
    '/api/multicluster-statefulsets/entities/component/default/orders-db/topology';

  it("serves Prometheus' lag in the topology when configured", async () => {
    const backend = await startBackend();
    try {
      const res = await request(backend.server).get(TOPOLOGY_PATH);
      expect(res.status).toBe(200);
      expect(res.body.replication).toEqual([
        expect.objectContaining({
          from: 'eu-central',
          to: 'eu-west',
          provider: 'generic',
          lagSource: 'prometheus',
          lagSeconds: LINKED_LAG_SECONDS,
          healthy: true,
        }),
      ]);
    } finally {
      await backend.stop();
    }
  });

  it('takes the roles from the engine, following a switchover done through exec', async () => {
    const clients = clientsFor(sim);
    /** Runs SQL in a cluster's pod, as `kubectl exec … -- mysql -e` does. */
    const sql = async (cluster: string, statement: string) => {
      const client = clients.find(c => c.cluster === cluster)!;
      const result = await client.exec!(
        { namespace: 'databases', pod: 'orders-db-0', container: 'mysql' },
        ['mysql', '-uroot', '-N', '-e', statement],
        { timeoutMs: 10_000 },
      );
      expect(result).toMatchObject({ exitCode: 0 });
    };
    const backend = await startBackend();
    /** Each cluster's workload role, where it was read and what was declared. */
    const roles = async () => {
      const res = await request(backend.server).get(TOPOLOGY_PATH);
      return Object.fromEntries(
        res.body.clusters.map((c: any) => {
          const w = c.workloads[0];
          return [
            c.name,
            {
              cluster: c.role,
              role: w.role,
              roleSource: w.roleSource,
              declaredRole: w.declaredRole,
              pods: w.pods.map((p: any) => p.role),
            },
          ];
        }),
      );
    };
    try {
      await eventually('The engine roles did not show', async () => {
        const r = await roles();
        return r['eu-west'].roleSource === 'mysqld-exporter' ? r : undefined;
      });
      expect(await roles()).toEqual({
        'eu-central': {
          cluster: 'active',
          role: 'active',
          roleSource: 'mysqld-exporter',
          pods: ['primary'],
        },
        'eu-west': {
          cluster: 'passive',
          role: 'passive',
          roleSource: 'mysqld-exporter',
          pods: ['replica'],
        },
      });

      await sql('eu-central', 'SET GLOBAL super_read_only=ON');
      await sql('eu-west', 'STOP REPLICA');
      await sql('eu-west', 'SET GLOBAL super_read_only=OFF');
      await sql('eu-west', 'SET GLOBAL read_only=OFF');
      // The annotations still say the opposite: the engine wins, and the
      // topology keeps what they declared.
      const swapped = await eventually('The roles did not follow', async () => {
        // No object changed: the open topology follows on the refresh timer.
        await runTask('multicluster-statefulsets-lag-refresh');
        const r = await roles();
        return r['eu-west'].role === 'active' &&
          r['eu-central'].role === 'passive'
          ? r
          : undefined;
      });
      expect(swapped).toEqual({
        'eu-central': {
          cluster: 'passive',
          role: 'passive',
          roleSource: 'mysqld-exporter',
          declaredRole: 'active',
          pods: ['replica'],
        },
        'eu-west': {
          cluster: 'active',
          role: 'active',
          roleSource: 'mysqld-exporter',
          declaredRole: 'passive',
          pods: ['primary'],
        },
      });
    } finally {
      await sql('eu-west', 'SET GLOBAL super_read_only=ON');
      await sql('eu-west', 'START REPLICA');
      await sql('eu-central', 'SET GLOBAL super_read_only=OFF');
      await sql('eu-central', 'SET GLOBAL read_only=OFF');
      await backend.stop();
    }
  });

  it('follows the lag as it grows while the source is cut off', async () => {
    sim.admin.partition('eu-central', 'eu-west');
    try {
      const grown = await eventually('The lag did not grow', async () => {
        const r = await lag.readLag(passive);
        return r.seconds !== null && r.seconds > LINKED_LAG_SECONDS + 1
          ? r
          : undefined;
      });
      expect(grown.seconds).toBeGreaterThan(LINKED_LAG_SECONDS + 1);
    } finally {
      sim.admin.heal();
    }
  });

  it('runs a switchover whose lag check and catch-up wait read Prometheus only', async () => {
    await eventually('The lag did not settle after the partition', async () => {
      const r = await lag.readLag(passive);
      return r.seconds === LINKED_LAG_SECONDS ? r : undefined;
    });
    const generic = new GenericStatefulSetProvider({ pollIntervalMs: 100 });
    // The annotations stay unread: a lag reaching the engine comes from Prometheus.
    const annotationsRead = new Error('the lag annotations were read');
    generic.readLag = async () => {
      throw annotationsRead;
    };
    generic.waitCaughtUp = async () => {
      throw annotationsRead;
    };
    const provider = new LagSourceFailoverProvider(generic, lag, {
      pollIntervalMs: 250,
    });
    const store = await DatabaseFailoverStore.create({
      database: await databases.init('SQLITE_3'),
    });
    const engine = FailoverEngine.create({
      store,
      clients: clientsFor(sim),
      logger: mockServices.logger.mock(),
      providers: [provider],
      catchUpTimeoutMs: 15_000,
      verifyTimeoutMs: 10_000,
    });
    try {
      const annotations = {
        'backstage.io/kubernetes-id': 'orders-db',
        'multicluster-statefulsets/engine': 'mysql',
      };
      const context = contextOf(annotations);
      const topology = buildTopology({
        entityRef: context.entityRef,
        policy: context.policy,
        snapshots: context.clusters.map(v => ({
          info: v.cluster,
          objects: v.objects,
        })),
        replication: await new LagSourceReplicationProvider(
          new GenericStatefulSetProvider(),
          lag,
        ).readReplication(context),
        traffic: noTraffic(),
        now: context.now,
      });
      const run = await engine.start({
        topology,
        targetCluster: 'eu-west',
        mode: 'switchover',
        actor: 'user:default/ops',
      });
      expect(run.plan.engine).toBe('mysql');
      await engine.waitForRun(run.id);
      const done = await store.getRunDetails(run.id);
      expect(done.error).toBeUndefined();
      expect(done.status).toBe('succeeded');
      const fence = done.steps.find(st => st.kind === 'fence')!;
      expect(fence.inputs).toMatchObject({ lagAtFence: LINKED_LAG_SECONDS });
      const wait = done.steps.find(st => st.kind === 'wait-catch-up')!;
      expect(wait.outcome).toMatchObject({ lagSeconds: 0 });
      expect(
        Date.parse(String(wait.outcome!.observedAt)),
      ).toBeGreaterThanOrEqual(
        Math.floor(Date.parse(fence.startedAt!) / 1000) * 1000,
      );
    } finally {
      await engine.stop();
    }
  });

  it('reports an engine without series as unknown', async () => {
    await expect(
      lag.readLag({ ...passive, engine: 'elasticsearch' }),
    ).resolves.toEqual({
      seconds: null,
      reason: 'lag not in Prometheus (no series)',
    });
  });

  it('reports the lag as unknown once Prometheus is gone', async () => {
    await prometheus!.stop();
    prometheus = undefined;
    const reading = await lag.readLag(passive);
    expect(reading.seconds).toBeNull();
    expect(reading.reason).toMatch(/^lag unknown: Prometheus unreachable/);
  });
});
