/*
 * Starts a simulated world: one object store and API server per cluster on
 * loopback, generated nodes per zone, CRDs from the CRD package's `crds/` folder,
 * the world's (or the saved) objects, the controllers, and the admin API.
 */
import { AdminServer } from './admin/AdminServer';
import { crdDirectory } from './crds';
import { ControllerRunner } from './controllers/ControllerRunner';
import { renderMetrics } from './controllers/metrics';
import { renderMongodbStateMetrics } from './engines/mongodb/exporterMetrics';
import { renderElasticsearchCcrMetrics } from './engines/elasticsearch/exporterMetrics';
import { renderMirrorMakerMetrics } from './engines/kafka/exporterMetrics';
import { renderMysqlFlagMetrics } from './engines/mysql/exporterMetrics';
import { renderPostgresExporterMetrics } from './engines/postgres/exporterMetrics';
import { OPERATOR_WORKLOAD_KINDS } from './controllers/operators';
import { operatorControllers } from './controllers/operators';
import { replicationLagController } from './controllers/replicationLagController';
import { statefulSetController } from './controllers/statefulSetController';
import type { Controller } from './controllers/types';
import { ClusterServer } from './server/ClusterServer';
import { Faults, parseFaults } from './server/faults';
import { ClusterStore } from './store/ClusterStore';
import { loadState, persistDebounced } from './store/persistence';
import {
  engineLagReader,
  PeerDirectory,
  settleEngines,
} from './engines/programs';
import { readCrdDir, seedObjects } from './store/seed';
import { nodesFor, refreshNodeInfo } from './simulatedNodes';
import {
  World,
  WorldCluster,
  WorldObject,
  loadWorld,
  operatorCrdsOf,
  validateWorld,
} from './world';

/** Options of `startSimulator`. */
export interface SimulatorOptions {
  /** A validated world, a parsed world object, or the path of a world file. */
  world: World | Record<string, unknown> | string;
  /** Address to listen on (default 127.0.0.1). */
  host?: string;
  /** Cluster i listens on portBase + i; 0 picks free ports (default 16443). */
  portBase?: number;
  /** Admin API port; 0 picks a free one (default 16440). */
  adminPort?: number;
  /** Save and reload each cluster's objects here. */
  stateDir?: string;
  /** How long new pods stay Pending (default: the world's, else 1000 ms). */
  readinessDelayMs?: number;
  /** Period of full reconcile rounds (default: the world's, else 500 ms). */
  tickMs?: number;
  /** The folder of CRD YAML files to serve (default: the CRD package's `crds/`). */
  crdDir?: string;
  /** Interval of watch BOOKMARK events (default 5000 ms). */
  bookmarkIntervalMs?: number;
  /** Extra controllers to run beside the built-in ones. */
  extraControllers?: Controller[];
  /** Where controller errors go (default: stderr). */
  onError?(message: string): void;
}

/** A started cluster. */
export interface SimulatedCluster {
  name: string;
  /** Plain HTTP URL (library clients, the portal's config). */
  url: string;
  /** HTTPS URL on the same port (kubectl sends tokens over TLS only). */
  httpsUrl: string;
  token: string;
  /** A token that may only read, for clients that must not write. */
  readOnlyToken?: string;
  /** The token of the world's writer user, for the portal's writes. */
  writeToken?: string;
  /** Whether RBAC decides requests (the writer then impersonates users). */
  rbac?: boolean;
  region: string;
  zones: string[];
  federationHost?: string;
}

/** The admin handle of a running simulator. */
export interface SimulatorAdmin {
  url: string;
  setFaults(name: string, faults: Faults): Promise<void>;
  clearFaults(name: string): Promise<void>;
  partition(from: string, to: string): void;
  heal(): void;
  /** Forgets the watch history so older resourceVersions get 410 Gone. */
  compact(name: string): void;
  /** Cuts every open watch connection of a cluster. */
  dropWatches(name: string): void;
  /** Open watch streams and requests handled so far by a cluster's API (for benchmarks). */
  traffic(name: string): { watches: number; requests: number };
}

/** A running simulator. */
export interface RunningSimulator {
  clusters: SimulatedCluster[];
  admin: SimulatorAdmin;
  /** The object stores, by cluster name (for in-process tests and tools). */
  stores: ReadonlyMap<string, ClusterStore>;
  stop(): Promise<void>;
}

/** The default CRD folder: the plugins' CRD package. */
export const DEFAULT_CRD_DIR = crdDirectory();

/** Brings saved state up to date with the shipped CRDs (added or changed since). */
function refreshCrds(store: ClusterStore, crds: WorldObject[]): void {
  for (const item of crds) {
    const current = store.get(
      item.object.apiVersion,
      item.object.kind,
      undefined,
      item.object.metadata.name,
    );
    if (!current) seedObjects(store, [item]);
    else if (
      JSON.stringify(current.spec) !== JSON.stringify(item.object.spec)
    ) {
      store.update({ ...current, spec: item.object.spec });
    }
  }
}

/** The token of the cluster's writer user, if it names one. */
function writerOf(c: WorldCluster): string | undefined {
  return c.users?.find(u => u.writer)?.token;
}

function resolveWorld(w: SimulatorOptions['world']): World {
  if (typeof w === 'string') return loadWorld(w);
  if (
    Array.isArray((w as World).clusters) &&
    (w as World).clusters.every(
      c =>
        Array.isArray((c as WorldCluster).objects) &&
        typeof (c as WorldCluster).nodesPerZone === 'number',
    )
  ) {
    return w as World;
  }
  return validateWorld(w);
}

/** Starts every cluster of a world; resolves when all listen. */
export async function startSimulator(
  options: SimulatorOptions,
): Promise<RunningSimulator> {
  const world = resolveWorld(options.world);
  const host = options.host ?? '127.0.0.1';
  const portBase = options.portBase ?? 16443;
  const readinessDelayMs =
    options.readinessDelayMs ?? world.readinessDelayMs ?? 1000;
  const tickMs = options.tickMs ?? world.tickMs ?? 500;
  const crds = readCrdDir(options.crdDir ?? DEFAULT_CRD_DIR);
  const logError =
    options.onError ?? ((m: string) => process.stderr.write(`${m}\n`));

  const stores = new Map<string, ClusterStore>();
  const servers = new Map<string, ClusterServer>();
  const faults = new Map<string, Faults>();
  let partitions: Array<{ from: string; to: string }> = [];
  const persisters: Array<{ stop(): void }> = [];

  for (const c of world.clusters) {
    const store = new ClusterStore({
      name: c.name,
      region: c.region,
      zones: c.zones,
      federationHost: c.federationHost,
      labels: c.labels,
      historySize: world.historySize,
    });
    const saved = options.stateDir
      ? loadState(options.stateDir, c.name)
      : undefined;
    const clusterCrds = [...crds, ...operatorCrdsOf(c)];
    if (saved) {
      store.restore(saved);
      refreshCrds(store, clusterCrds);
      refreshNodeInfo(store, nodesFor(c));
    } else {
      seedObjects(store, clusterCrds);
      for (const n of nodesFor(c)) store.create(n);
      seedObjects(store, c.objects);
    }
    stores.set(c.name, store);
    faults.set(c.name, parseFaults(c.faults));
    if (options.stateDir)
      persisters.push(persistDebounced(options.stateDir, store));
  }

  const now = () => Date.now();
  const peers: PeerDirectory = {
    store: name => stores.get(name),
    names: () => [...stores.keys()],
    reachable: (from, to) =>
      !faults.get(to)?.down &&
      !faults.get(to)?.hang &&
      !partitions.some(
        p =>
          (p.from === from && p.to === to) || (p.from === to && p.to === from),
      ),
  };
  const runner = new ControllerRunner({
    stores,
    controllers: [
      statefulSetController({ readinessDelayMs }),
      replicationLagController(Math.random, engineLagReader(peers, now)),
      ...operatorControllers(),
      ...(options.extraControllers ?? []),
    ],
    now,
    isPartitioned: (a, b) =>
      partitions.some(
        p => (p.from === a && p.to === b) || (p.from === b && p.to === a),
      ),
    isDown: name => !!(faults.get(name)?.down || faults.get(name)?.hang),
    replicationFor: name => {
      const c = world.clusters.find(x => x.name === name);
      const merged = { ...world.replication, ...c?.replication };
      return Object.keys(merged).length
        ? (merged as Record<string, unknown>)
        : undefined;
    },
    tickMs,
    onError: (controller, cluster, e) =>
      logError(
        `controller ${controller} on ${cluster}: ${
          (e as Error)?.stack ?? String(e)
        }`,
      ),
  });

  const started: ClusterServer[] = [];
  try {
    for (const [i, c] of world.clusters.entries()) {
      const store = stores.get(c.name)!;
      const server = new ClusterServer({
        store,
        token: c.token,
        readOnlyToken: c.readOnlyToken,
        users: c.users,
        rbac: c.rbac,
        host,
        now,
        metrics: () =>
          renderMetrics(c.name, [
            ...store.peekAll('apps', 'StatefulSet'),
            // CloudNativePG's exporter publishes each replica cluster's lag.
            ...store.peekAll('postgresql.cnpg.io', 'Cluster'),
            ...OPERATOR_WORKLOAD_KINDS.flatMap(k => [
              ...store.peekAll(k.group, k.kind),
            ]),
          ]) +
          renderMysqlFlagMetrics(c.name, store, peers) +
          renderMongodbStateMetrics(c.name, store, now, peers) +
          renderPostgresExporterMetrics(c.name, store, now(), peers) +
          renderElasticsearchCcrMetrics(c.name, store, now(), peers) +
          renderMirrorMakerMetrics(c.name, store, peers, now),
        bookmarkIntervalMs: options.bookmarkIntervalMs,
        peers,
      });
      await server.listen(portBase === 0 ? 0 : portBase + i);
      started.push(server);
      servers.set(c.name, server);
      const f = faults.get(c.name)!;
      if (Object.keys(f).length) await server.setFaults(f);
    }
  } catch (e) {
    for (const s of started) await s.close();
    throw e;
  }

  const setFaults = async (name: string, f: Faults) => {
    const server = servers.get(name);
    if (!server) throw new Error(`unknown cluster "${name}"`);
    const parsed = parseFaults(f);
    settleEngines(now, peers);
    faults.set(name, parsed);
    await server.setFaults(parsed);
  };

  const partition = (from: string, to: string) => {
    if (!partitions.some(p => p.from === from && p.to === to)) {
      settleEngines(now, peers);
      partitions.push({ from, to });
    }
  };
  const heal = () => {
    settleEngines(now, peers);
    partitions = [];
  };
  const compact = (name: string) => stores.get(name)?.compact();
  const dropWatches = (name: string) =>
    servers.get(name)?.handler.dropWatches();

  const clusters: SimulatedCluster[] = world.clusters.map(c => ({
    name: c.name,
    url: servers.get(c.name)!.url,
    httpsUrl: servers.get(c.name)!.httpsUrl,
    token: c.token,
    ...(c.readOnlyToken ? { readOnlyToken: c.readOnlyToken } : {}),
    ...(writerOf(c) ? { writeToken: writerOf(c) } : {}),
    ...(c.rbac ? { rbac: true } : {}),
    region: c.region,
    zones: c.zones,
    ...(c.federationHost ? { federationHost: c.federationHost } : {}),
  }));

  const adminServer = new AdminServer(
    {
      clusterNames: () => [...stores.keys()],
      describe: () =>
        clusters.map(c => ({
          ...c,
          token: undefined,
          readOnlyToken: undefined,
          writeToken: undefined,
          faults: faults.get(c.name) ?? {},
        })),
      setFaults,
      partition,
      heal,
      partitions: () => [...partitions],
      compact,
      dropWatches,
    },
    host,
  );
  try {
    await adminServer.listen(options.adminPort ?? 16440);
  } catch (e) {
    for (const s of started) await s.close();
    throw e;
  }
  runner.start();

  let stopped = false;
  return {
    clusters,
    stores,
    admin: {
      url: adminServer.url,
      setFaults,
      clearFaults: name => setFaults(name, {}),
      partition,
      heal,
      compact,
      dropWatches,
      traffic: name => {
        const handler = servers.get(name)?.handler;
        return {
          watches: handler?.watchCount ?? 0,
          requests: handler?.requestCount ?? 0,
        };
      },
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      runner.stop();
      for (const p of persisters) p.stop();
      await adminServer.close();
      for (const s of servers.values()) await s.close();
    },
  };
}
