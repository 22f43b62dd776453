/*
 * A backend killed with SIGKILL in the middle of a failover run, and the
 * backend that starts after it: the run is rolled back when it had not
 * promoted yet and continued when it had, with nothing lost and nothing done
 * twice. Each backend is a Node process of its own that builds the failover
 * feature as plugin.ts does (__testUtils__/failoverBackend.ts); the clusters
 * are the simulator in this process, the journal a database both backends
 * and the test share: a SQLite file, and PostgreSQL when configured.
 */
import { TestDatabases } from '@backstage/backend-test-utils';
import { JsonObject } from '@backstage/types';
import {
  EntityTopology,
  FailoverRunDetails,
  planFailover,
} from '@multicluster/backstage-plugin-statefulsets-common';
import {
  appConfigFor,
  KubeObject,
  RunningSimulator,
} from '@multicluster/cluster-simulator';
import { knex as createKnex, Knex } from 'knex';
import { ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import type {
  FailoverBackendCommand,
  FailoverBackendEvent,
  FailoverBackendSettings,
} from './__testUtils__/failoverBackend';
import {
  clientsFor,
  liveTopology,
  startDemoWorld,
  withoutOrdersEngine,
} from './__testUtils__/simulatorWorld';
import { DatabaseFailoverStore } from './DatabaseFailoverStore';
import { waitFor } from '../__testUtils__/waitFor';

jest.setTimeout(180_000);

const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });

const PACKAGE_DIR = path.resolve(__dirname, '../..');
const BACKEND_SCRIPT = path.resolve(
  __dirname,
  '__testUtils__/failoverBackend.ts',
);
/**
 * Short, so the test need not wait long for a dead backend's lease, yet
 * longer than the test takes, on a loaded machine, to check the dead
 * backend's journal and let the next one build its engine: that one starts
 * while the lease still runs, as a backend restarted by Kubernetes does.
 */
const LEASE_MS = 8000;
const ENTITY_REF = 'component:default/orders-mysql';
const ROLE = 'multicluster-statefulsets/role';
const SOURCE = 'multicluster-statefulsets/replication-source';

type StepEvent = Extract<FailoverBackendEvent, { type: 'step' }>;

/** Backend processes not yet exited, killed whatever happens to the test. */
const live = new Set<BackendProcess>();

/** A backend process of the test and the events it reported. */
class BackendProcess {
  readonly events: FailoverBackendEvent[] = [];
  readonly exited: Promise<{
    code: number | null;
    signal: NodeJS.Signals | null;
  }>;
  readonly #child: ChildProcessWithoutNullStreams;
  readonly #stderr: string[] = [];
  readonly #changed = new Set<() => void>();

  /** Starts loading the backend's code; it builds its engine on `go()`. */
  constructor(settingsFile: string) {
    this.#child = spawn(
      process.execPath,
      ['--import', 'tsx', BACKEND_SCRIPT, settingsFile],
      { cwd: PACKAGE_DIR, stdio: 'pipe' },
    );
    live.add(this);
    readline.createInterface({ input: this.#child.stdout }).on('line', line => {
      try {
        this.events.push(JSON.parse(line));
      } catch {
        this.#stderr.push(line);
      }
      this.#changed.forEach(f => f());
    });
    this.#child.stderr.on('data', chunk => {
      this.#stderr.push(String(chunk));
      this.#stderr.splice(0, this.#stderr.length - 50);
    });
    this.exited = new Promise(resolve =>
      this.#child.once('exit', (code, signal) => {
        // The pipe to a dead process would keep this one alive.
        this.#child.stdin.destroy();
        live.delete(this);
        resolve({ code, signal });
        this.#changed.forEach(f => f());
      }),
    );
  }

  get running(): boolean {
    return this.#child.exitCode === null && this.#child.signalCode === null;
  }

  /** Lets the backend build its engine, resume runs, and start one if asked. */
  go(command: FailoverBackendCommand = {}): void {
    this.#child.stdin.write(`${JSON.stringify(command)}\n`);
  }

  /** The step events it reported. */
  steps(): StepEvent[] {
    return this.events.filter((e): e is StepEvent => e.type === 'step');
  }

  /** The first event that matches; fails at the deadline or when the process ends first. */
  waitFor<T extends FailoverBackendEvent>(
    what: string,
    match: (e: FailoverBackendEvent) => e is T,
    timeoutMs = 20_000,
  ): Promise<T> {
    return new Promise((resolve, reject) => {
      let timedOut = false;
      let timer: NodeJS.Timeout | undefined = undefined;
      const check = () => {
        const found = this.events.find(match);
        let settle: (() => void) | undefined;
        if (found) settle = () => resolve(found);
        else if (timedOut) {
          settle = () =>
            reject(
              new Error(`no ${what} within ${timeoutMs} ms${this.#log()}`),
            );
        } else if (!this.running || this.events.some(e => e.type === 'error')) {
          settle = () =>
            reject(new Error(`the backend ended before ${what}${this.#log()}`));
        }
        if (!settle) return;
        clearTimeout(timer);
        this.#changed.delete(check);
        settle();
      };
      timer = setTimeout(() => {
        timedOut = true;
        check();
      }, timeoutMs);
      this.#changed.add(check);
      check();
    });
  }

  /** Waits until the backend executes a step of its run. */
  waitForStep(kind: string, status: StepEvent['status'] = 'started') {
    return this.waitFor(
      `step ${kind} ${status}`,
      (e): e is StepEvent =>
        e.type === 'step' && e.kind === kind && e.status === status,
    );
  }

  async kill(signal: NodeJS.Signals) {
    if (this.running) this.#child.kill(signal);
    return this.exited;
  }

  #log(): string {
    return `\nevents: ${JSON.stringify(
      this.events,
    )}\nstderr: ${this.#stderr.join('')}`;
  }
}

const isReady = (
  e: FailoverBackendEvent,
): e is Extract<FailoverBackendEvent, { type: 'ready' }> => e.type === 'ready';
const isRun = (
  e: FailoverBackendEvent,
): e is Extract<FailoverBackendEvent, { type: 'run' }> => e.type === 'run';

/** What the backends changed in orders-mysql's roles, replicas and routes, write by write. */
function recordWrites(sim: RunningSimulator): string[] {
  const watched = (o: KubeObject): string | undefined => {
    if (o.kind === 'StatefulSet') {
      const a = o.metadata.annotations ?? {};
      return `role=${a[ROLE]} source=${a[SOURCE] ?? '-'} replicas=${
        o.spec?.replicas
      }`;
    }
    if (o.kind === 'VirtualService') {
      return `weights ${(o.spec?.tcp?.[0]?.route ?? [])
        .map((r: any) => `${r.destination.subset}=${r.weight}`)
        .join(' ')}`;
    }
    return undefined;
  };
  const writes: string[] = [];
  for (const [cluster, store] of sim.stores) {
    store.subscribe(e => {
      if (e.type !== 'MODIFIED' || !e.old) return;
      if (e.object.metadata.name !== 'orders-mysql') return;
      const after = watched(e.object);
      if (after !== undefined && after !== watched(e.old)) {
        writes.push(`${cluster} ${e.object.kind} ${after}`);
      }
    });
  }
  return writes;
}

describe.each(databases.eachSupportedId())(
  'A failover run whose backend is killed with SIGKILL, on %s',
  databaseId => {
    let dir: string;
    let sim: RunningSimulator;
    let db: Knex;
    let store: DatabaseFailoverStore;
    let settingsFile: string;
    let writes: string[];

    const stopBackends = async () => {
      await Promise.all([...live].map(b => b.kill('SIGKILL')));
    };

    beforeEach(async () => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'failover-kill-'));
      sim = await startDemoWorld({ edit: withoutOrdersEngine });
      writes = recordWrites(sim);
      let database: Knex.Config;
      if (databaseId === 'SQLITE_3') {
        // A file, unlike the test databases' in-memory SQLite, is shared
        // between processes.
        database = {
          client: 'better-sqlite3',
          connection: { filename: path.join(dir, 'journal.sqlite') },
          useNullAsDefault: true,
        };
        db = createKnex(database);
      } else {
        // A database of its own, created for this test.
        db = await databases.init(databaseId);
        database = {
          client: db.client.config.client,
          connection: db.client.config.connection,
        };
      }
      store = await DatabaseFailoverStore.create({ database: db });
      const config = appConfigFor(sim.clusters) as {
        multiclusterStatefulsets: JsonObject;
      };
      const settings: FailoverBackendSettings = {
        config: {
          ...config,
          multiclusterStatefulsets: {
            ...config.multiclusterStatefulsets,
            failover: {
              leaseMs: LEASE_MS,
              // Long enough that only the kill ends a blocked step.
              catchUpTimeoutMs: 60_000,
              writeTimeoutMs: 60_000,
            },
          },
        },
        database,
      };
      settingsFile = path.join(dir, 'settings.json');
      fs.writeFileSync(settingsFile, JSON.stringify(settings));
    });

    afterEach(async () => {
      await stopBackends();
      await sim?.stop();
      if (databaseId === 'SQLITE_3') await db?.destroy();
      fs.rmSync(dir, { recursive: true, force: true });
    });

    afterAll(stopBackends);

    /** orders-mysql once eu-central is a ready primary and eu-west a replica with a fresh lag. */
    async function readyTopology(): Promise<EntityTopology> {
      const clients = clientsFor(sim);
      return waitFor(
        async () => {
          const topology = await liveTopology(sim, clients, 'orders-mysql');
          const plan = planFailover({
            topology,
            targetCluster: 'eu-west',
            mode: 'switchover',
            now: Date.now(),
          });
          return plan.allowed ? topology : undefined;
        },
        { what: 'a topology that allows a switchover', timeoutMs: 20_000 },
      );
    }

    /** Starts a switchover to eu-west in a new backend; resolves with the run id. */
    async function startSwitchover(
      backend: BackendProcess,
      topology: EntityTopology,
    ): Promise<string> {
      backend.go({
        start: {
          topology,
          targetCluster: 'eu-west',
          mode: 'switchover',
          actor: 'user:default/ops',
          // The demo clusters enforce RBAC and the backend writes by
          // impersonation: the run, resumed ones too, acts as the user.
          writeIdentity: { user: 'ops', groups: ['database-platform'] },
        },
      });
      // The first event also waits for the child to compile the backend's
      // code, which a fresh checkout on a busy machine does slowly.
      return (await backend.waitFor('the run', isRun, 90_000)).runId;
    }

    /** Kills a backend with SIGKILL and checks it died of it. */
    async function killHard(backend: BackendProcess): Promise<void> {
      expect(await backend.kill('SIGKILL')).toEqual({
        code: null,
        signal: 'SIGKILL',
      });
    }

    /** The run once it left `running`. */
    function finished(runId: string): Promise<FailoverRunDetails> {
      return waitFor(
        async () => {
          const run = await store.getRunDetails(runId);
          return run.status === 'running' || run.status === 'pending'
            ? undefined
            : run;
        },
        { what: `run ${runId} to finish`, timeoutMs: 20_000 },
      );
    }

    async function route(cluster: string) {
      const client = clientsFor(sim).find(c => c.cluster === cluster)!;
      const vs = await client.get(
        '/apis/networking.istio.io/v1/namespaces/databases/virtualservices/orders-mysql',
      );
      return Object.fromEntries(
        vs.spec.tcp[0].route.map((r: any) => [r.destination.subset, r.weight]),
      );
    }

    async function statefulSet(cluster: string) {
      const client = clientsFor(sim).find(c => c.cluster === cluster)!;
      const sts = await client.get(
        '/apis/apps/v1/namespaces/databases/statefulsets/orders-mysql',
      );
      return {
        role: sts.metadata.annotations[ROLE],
        source: sts.metadata.annotations[SOURCE],
        replicas: sts.spec.replicas,
      };
    }

    /** `active` runs 3 replicas with all traffic; `passive` replicates from it. */
    async function expectActive(active: string, passive: string) {
      expect(await statefulSet(active)).toEqual({
        role: 'active',
        source: undefined,
        replicas: 3,
      });
      expect(await statefulSet(passive)).toEqual({
        role: 'passive',
        source: active,
        replicas: 3,
      });
      for (const cluster of [active, passive]) {
        expect(await route(cluster)).toEqual({ [active]: 100, [passive]: 0 });
      }
    }

    it('rolls back a run killed while the target catches up', async () => {
      // Both backends load their code now; the second builds its engine only
      // after the first is dead, as a restarted backend would.
      const first = new BackendProcess(settingsFile);
      const second = new BackendProcess(settingsFile);
      const topology = await readyTopology();
      // Replication from eu-central stops reaching eu-west: the lag cannot
      // drain, so the run waits in the catch-up step until it is killed.
      sim.admin.partition('eu-central', 'eu-west');
      const runId = await startSwitchover(first, topology);
      await first.waitForStep('wait-catch-up');
      await killHard(first);

      const interrupted = await store.getRunDetails(runId);
      expect(interrupted.status).toBe('running');
      expect(interrupted.steps.map(s => [s.kind, s.status])).toEqual([
        ['fence-traffic', 'succeeded'],
        ['fence', 'succeeded'],
        ['wait-catch-up', 'running'],
        ['promote', 'pending'],
        ['move-traffic', 'pending'],
        ['reattach', 'pending'],
        ['verify', 'pending'],
      ]);
      expect(await statefulSet('eu-central')).toEqual({
        role: 'fenced',
        source: undefined,
        replicas: 0,
      });
      sim.admin.heal();

      // The restarted backend finds the dead one's lease still running and
      // rolls the run back once it ran out.
      second.go();
      expect((await second.waitFor('start-up', isReady)).resumed).toEqual([]);
      const done = await finished(runId);
      expect(done.status).toBe('rolled-back');
      expect(done.error).toMatch(/interrupted/);
      expect(done.steps.map(s => [s.kind, s.status, s.compensation])).toEqual([
        ['fence-traffic', 'succeeded', 'compensated'],
        ['fence', 'succeeded', 'compensated'],
        // Waiting wrote nothing: there was nothing to undo.
        ['wait-catch-up', 'failed', 'not-needed'],
        ['promote', 'pending', 'none'],
        ['move-traffic', 'pending', 'none'],
        ['reattach', 'pending', 'none'],
        ['verify', 'pending', 'none'],
      ]);
      // A rollback executes no step.
      expect(second.steps()).toEqual([]);
      expect(await store.activeRunId(ENTITY_REF)).toBeUndefined();

      // The source is back as it was, and each change was made and undone once.
      await expectActive('eu-central', 'eu-west');
      expect(writes).toEqual([
        'eu-central VirtualService weights eu-central=0 eu-west=100',
        'eu-west VirtualService weights eu-central=0 eu-west=100',
        'eu-central StatefulSet role=fenced source=- replicas=0',
        'eu-central StatefulSet role=active source=- replicas=3',
        'eu-central VirtualService weights eu-central=100 eu-west=0',
        'eu-west VirtualService weights eu-central=100 eu-west=0',
      ]);
      expect(await second.kill('SIGTERM')).toEqual({ code: 0, signal: null });
    });

    it('continues a run killed after the promotion without promoting twice', async () => {
      const first = new BackendProcess(settingsFile);
      const second = new BackendProcess(settingsFile);
      const topology = await readyTopology();
      sim.admin.partition('eu-central', 'eu-west');
      const runId = await startSwitchover(first, topology);
      await first.waitForStep('wait-catch-up');
      // us-east holds no copy of the route, but moving traffic asks every
      // cluster for one: with us-east hanging, the run stops in that step,
      // after the promotion. Nothing before it talks to us-east.
      await sim.admin.setFaults('us-east', { hang: true });
      sim.admin.heal();
      await first.waitForStep('promote', 'succeeded');
      await first.waitForStep('move-traffic');
      await killHard(first);

      const interrupted = await store.getRunDetails(runId);
      expect(interrupted.status).toBe('running');
      expect(interrupted.steps.map(s => [s.kind, s.status])).toEqual([
        ['fence-traffic', 'succeeded'],
        ['fence', 'succeeded'],
        ['wait-catch-up', 'succeeded'],
        ['promote', 'succeeded'],
        ['move-traffic', 'running'],
        ['reattach', 'pending'],
        ['verify', 'pending'],
      ]);
      const promoted = interrupted.steps.find(s => s.kind === 'promote')!;
      await sim.admin.clearFaults('us-east');

      second.go();
      expect((await second.waitFor('start-up', isReady)).resumed).toEqual([]);
      const done = await finished(runId);
      expect(done.error).toBeUndefined();
      expect(done.status).toBe('succeeded');
      expect(done.steps.map(s => [s.kind, s.status])).toEqual([
        ['fence-traffic', 'succeeded'],
        ['fence', 'succeeded'],
        ['wait-catch-up', 'succeeded'],
        ['promote', 'succeeded'],
        ['move-traffic', 'succeeded'],
        ['reattach', 'succeeded'],
        ['verify', 'succeeded'],
      ]);
      // The promotion's journal entry is the first backend's, untouched.
      expect(done.steps.find(s => s.kind === 'promote')).toEqual(promoted);
      // Each backend executed its share of the steps, the promotion once.
      const executed = (b: BackendProcess) =>
        b
          .steps()
          .filter(s => s.status === 'started')
          .map(s => s.kind);
      expect(executed(first)).toEqual([
        'fence-traffic',
        'fence',
        'wait-catch-up',
        'promote',
        'move-traffic',
      ]);
      expect(executed(second)).toEqual(['move-traffic', 'reattach', 'verify']);
      expect(typeof done.rpoSeconds).toBe('number');
      expect(done.rtoMs).toBeGreaterThan(0);
      expect(await store.activeRunId(ENTITY_REF)).toBeUndefined();

      await expectActive('eu-west', 'eu-central');
      // Taking traffic off the source already gave eu-west its share, so
      // moving traffic found nothing left to change.
      expect(writes).toEqual([
        'eu-central VirtualService weights eu-central=0 eu-west=100',
        'eu-west VirtualService weights eu-central=0 eu-west=100',
        'eu-central StatefulSet role=fenced source=- replicas=0',
        'eu-west StatefulSet role=active source=- replicas=3',
        'eu-central StatefulSet role=passive source=eu-west replicas=3',
      ]);
      expect(await second.kill('SIGTERM')).toEqual({ code: 0, signal: null });
    });
  },
);
