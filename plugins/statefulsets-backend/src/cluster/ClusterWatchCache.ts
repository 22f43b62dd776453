/*
 * The watch cache of one cluster: discovery of the API groups it serves, and
 * client-node informers (list, then watch from the list's resourceVersion,
 * re-list on 410) started lazily per namespace + label selector asked for,
 * retried with jittered exponential backoff, and stopped when idle. Reads
 * never wait past the caller's deadline and turn failures into typed errors.
 */
import { LoggerService } from '@backstage/backend-plugin-api';
import { AuthenticationStrategy } from '@backstage/plugin-kubernetes-node';
import { KubernetesObject, ListWatch } from '@kubernetes/client-node';
import {
  ClusterError,
  ClusterHealth,
  ClusterInfo,
  ClusterObjects,
  emptyClusterObjects,
  KubeObject,
  LABEL_TOPOLOGY_REGION,
  LABEL_TOPOLOGY_ZONE,
} from '@multicluster/backstage-plugin-statefulsets-common';
import { backoffDelay } from './backoff';
import {
  classifyClusterError,
  ClusterRequestError,
} from './ClusterRequestError';
import { GuardedWatch } from './GuardedWatch';
import {
  collectionPath,
  KindSpec,
  KINDS,
  parseApiGroupList,
  servedVersion,
  ServedGroups,
} from './kinds';
import { KubeHttpClient } from './KubeHttpClient';
import { ConfiguredCluster, PluginOptions } from './readClusterConfig';
import { slimObject } from './slimObject';

/** The namespace and label selector of one entity's objects. */
export interface WatchScope {
  /** Undefined for all namespaces. */
  namespace?: string;
  labelSelector: string;
  /** Namespace of the VirtualService the entity's traffic annotation names, if any. */
  routeNamespace?: string;
}

/** What a read returns: objects, the typed reason there are none, or both when stale. */
export interface ScopeRead {
  objects?: ClusterObjects;
  error?: ClusterError;
  /** Data is served from the cache while its connection is failing. */
  stale: boolean;
  latencyMs?: number;
}

/** One LIST answer, as the informers store it. */
interface Listed {
  resourceVersion: string;
  items: KubeObject[];
}

/** Called when an object in a watched scope changes; `scopeKey` is `*` for cluster-wide kinds. */
export type ChangeListener = (cluster: string, scopeKey: string) => void;

interface InformerEntry {
  kind: KindSpec;
  scopeKey: string;
  namespace?: string;
  informer: ListWatch<KubernetesObject>;
  synced: boolean;
  notServed: boolean;
  lastSyncAt?: number;
  lastError?: ClusterError & { at: number };
  attempt: number;
  retryTimer?: NodeJS.Timeout;
  settled: Promise<void>;
  settle: () => void;
  stopped: boolean;
  fingerprints: Map<string, string>;
  /** Set while a seeded informer waits to start; a reader that needs it starts it at once. */
  startNow?: () => void;
}

/** How long after a first read its seeded informers start watching. */
const SEEDED_WATCH_DELAY_MS = 300;

/** Key of a scope in maps and change notifications. */
export function scopeKeyOf(scope: WatchScope): string {
  return `${scope.namespace ?? '*'}|${scope.labelSelector}`;
}

function fingerprint(obj: KubernetesObject): string {
  return JSON.stringify({
    ...obj,
    metadata: { ...obj.metadata, resourceVersion: undefined },
  });
}

/** The namespaces the workloads run in, sorted: where their claims live. */
function workloadNamespaces(objects: ClusterObjects): string[] {
  return [
    ...new Set(
      [...objects.statefulSets, ...objects.cnpgClusters]
        .map(o => o.metadata.namespace)
        .filter((ns): ns is string => !!ns),
    ),
  ].sort();
}

/** A route both labelled for the entity and in its route namespace is listed twice: keep one. */
function dedupeRoutes(objects: ClusterObjects): void {
  for (const kind of KINDS.filter(k => k.routeWide)) {
    const seen = new Set<string>();
    objects[kind.key] = objects[kind.key].filter(o => {
      const id = `${o.metadata.namespace}/${o.metadata.name}`;
      if (seen.has(id)) return false;
      seen.add(id);
      return true;
    });
  }
}

/** Watch cache of one cluster. */
export class ClusterWatchCache {
  readonly #cluster: ConfiguredCluster;
  readonly #strategy: AuthenticationStrategy;
  readonly #options: PluginOptions;
  readonly #logger: LoggerService;
  readonly #listeners = new Set<ChangeListener>();
  readonly #entries = new Map<string, InformerEntry>();
  readonly #scopeLastUsed = new Map<string, number>();
  #client?: KubeHttpClient;
  #served?: ServedGroups;
  #discovery?: Promise<void>;
  #discoveryError?: ClusterError & { at: number };
  #discoveredInfo: Partial<ClusterInfo> = {};
  #latencyMs?: number;
  #discoveryAttempt = 0;
  readonly #knownNamespaces = new Map<string, string[]>();
  #discoveryRetry?: NodeJS.Timeout;
  #closed = false;

  private constructor(
    cluster: ConfiguredCluster,
    strategy: AuthenticationStrategy,
    options: PluginOptions,
    logger: LoggerService,
  ) {
    this.#cluster = cluster;
    this.#strategy = strategy;
    this.#options = options;
    this.#logger = logger;
  }

  /** Creates the cache; nothing is contacted until `discover` or `read`. */
  static create(options: {
    cluster: ConfiguredCluster;
    strategy: AuthenticationStrategy;
    options: PluginOptions;
    logger: LoggerService;
  }): ClusterWatchCache {
    return new ClusterWatchCache(
      options.cluster,
      options.strategy,
      options.options,
      options.logger.child({ cluster: options.cluster.info.name }),
    );
  }

  /** The cluster's name. */
  get name(): string {
    return this.#cluster.info.name;
  }

  /** Registers a change listener. */
  onChange(listener: ChangeListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Static facts, with region and zones from node labels where config has none. */
  info(): ClusterInfo {
    const configured = this.#cluster.info;
    return {
      ...configured,
      region: configured.region ?? this.#discoveredInfo.region,
      zones: configured.zones.length
        ? configured.zones
        : this.#discoveredInfo.zones ?? [],
    };
  }

  /** Refreshes credentials and the served API groups; single-flight. */
  discover(): Promise<void> {
    if (!this.#discovery) {
      this.#discovery = this.#runDiscovery().finally(() => {
        this.#discovery = undefined;
      });
    }
    return this.#discovery;
  }

  #scheduleDiscoveryRetry(): void {
    if (this.#discoveryRetry || this.#closed) return;
    const delay = backoffDelay(this.#discoveryAttempt++, {
      initialMs: this.#options.backoffInitialMs,
      maxMs: this.#options.backoffMaxMs,
    });
    this.#discoveryRetry = setTimeout(() => {
      this.#discoveryRetry = undefined;
      if (!this.#closed) this.discover().catch(() => {});
    }, delay);
    this.#discoveryRetry.unref?.();
  }

  async #runDiscovery(): Promise<void> {
    const started = Date.now();
    try {
      const client = await KubeHttpClient.create(
        this.#cluster.details,
        this.#strategy,
      );
      const timeoutMs = this.#options.requestTimeoutMs;
      const body = await client.getJson('/apis', { timeoutMs });
      let served: ServedGroups;
      try {
        served = parseApiGroupList(body);
      } catch (cause) {
        throw new ClusterRequestError(
          'malformed',
          'discovery answer is not an APIGroupList',
          { cause },
        );
      }
      this.#latencyMs = Date.now() - started;
      const credentialsChanged = this.#client !== undefined;
      this.#client = client;
      this.#served = served;
      this.#discoveryError = undefined;
      this.#discoveryAttempt = 0;
      if (credentialsChanged) this.#restartFailing();
      if (!this.#cluster.info.region) await this.#discoverPlacement(client);
    } catch (err) {
      const error = classifyClusterError(err);
      this.#discoveryError = { ...error, at: Date.now() };
      this.#logger.warn(`Discovery failed: ${error.reason}: ${error.message}`);
    }
  }

  async #discoverPlacement(client: KubeHttpClient): Promise<void> {
    try {
      const nodes = await client.getJson('/api/v1/nodes?limit=200', {
        timeoutMs: this.#options.requestTimeoutMs,
      });
      const regions = new Set<string>();
      const zones = new Set<string>();
      for (const node of nodes?.items ?? []) {
        const region = node?.metadata?.labels?.[LABEL_TOPOLOGY_REGION];
        const zone = node?.metadata?.labels?.[LABEL_TOPOLOGY_ZONE];
        if (region) regions.add(region);
        if (zone) zones.add(zone);
      }
      this.#discoveredInfo = {
        region: regions.size === 1 ? [...regions][0] : undefined,
        zones: [...zones].sort(),
      };
    } catch (err) {
      // Placement from nodes is a fallback; lacking it only hides the region.
      this.#logger.debug(
        `Could not read node labels: ${classifyClusterError(err).message}`,
      );
    }
  }

  #restartFailing(): void {
    for (const entry of this.#entries.values()) {
      if (entry.lastError && !entry.stopped) {
        this.#stopEntry(entry);
        this.#entries.delete(this.#entryKey(entry.kind, entry.scopeKey));
      }
    }
  }

  #entryKey(kind: KindSpec, scopeKey: string): string {
    return `${kind.key}|${kind.clusterScoped ? '*' : scopeKey}`;
  }

  #emit(scopeKey: string): void {
    for (const listener of this.#listeners) {
      try {
        listener(this.name, scopeKey);
      } catch (err) {
        this.#logger.warn(`Change listener failed: ${err}`);
      }
    }
  }

  /** One LIST of a kind, slimmed; a 404 is thrown as a ClusterRequestError with its status. */
  async #list(
    kind: KindSpec,
    version: string,
    namespace: string | undefined,
    selector: string | undefined,
    timeoutMs: number,
  ): Promise<Listed> {
    const path = collectionPath(kind, version, namespace);
    const query = selector
      ? `?labelSelector=${encodeURIComponent(selector)}`
      : '';
    const body = await this.#client!.getJson(path + query, { timeoutMs });
    if (!body || !Array.isArray(body.items)) {
      throw new ClusterRequestError(
        'malformed',
        `list of ${kind.plural} has no items`,
      );
    }
    const items = body.items.map((o: any) =>
      slimObject(kind.key, {
        ...o,
        apiVersion:
          o?.apiVersion ?? `${kind.group ? `${kind.group}/` : ''}${version}`,
      }),
    );
    if (items.some((o: KubeObject) => typeof o.metadata?.name !== 'string')) {
      throw new ClusterRequestError(
        'malformed',
        `list of ${kind.plural} holds objects without names`,
      );
    }
    return { resourceVersion: body.metadata?.resourceVersion ?? '', items };
  }

  #createEntry(
    kind: KindSpec,
    version: string,
    scope: WatchScope,
    seed?: Listed,
  ): InformerEntry {
    const client = this.#client!;
    const scopeKey = kind.clusterScoped ? '*' : scopeKeyOf(scope);
    const path = collectionPath(kind, version, scope.namespace);
    const selector = kind.clusterScoped
      ? undefined
      : scope.labelSelector || undefined;
    // A first view already listed this collection: the informer starts from
    // that answer and goes straight to watching.
    let pendingSeed = seed;
    let settle!: () => void;
    const settled = new Promise<void>(resolve => {
      settle = resolve;
    });
    const entry = {
      kind,
      scopeKey,
      namespace: kind.clusterScoped ? undefined : scope.namespace,
      synced: false,
      notServed: false,
      attempt: 0,
      settled,
      settle,
      stopped: false,
      fingerprints: new Map<string, string>(),
    } as Omit<InformerEntry, 'informer'> as InformerEntry;

    const listFn = async () => {
      let listed: Listed;
      // A seeded first sync brings nothing the reader has not seen already.
      const quiet = !!pendingSeed;
      if (pendingSeed) {
        listed = pendingSeed;
        pendingSeed = undefined;
      } else {
        try {
          listed = await this.#list(
            kind,
            version,
            entry.namespace,
            selector,
            this.#options.requestTimeoutMs,
          );
        } catch (err) {
          if (err instanceof ClusterRequestError && err.statusCode === 404) {
            entry.notServed = true;
          }
          throw err;
        }
      }
      // The informer stores the items after this promise resolves; mark the
      // entry synced only once that has happened.
      setImmediate(() => {
        entry.synced = true;
        entry.lastSyncAt = Date.now();
        entry.lastError = undefined;
        entry.attempt = 0;
        entry.settle();
        if (!quiet) this.#emit(scopeKey);
      });
      return {
        metadata: { resourceVersion: listed.resourceVersion },
        items: listed.items as KubernetesObject[],
      };
    };

    const informer = new ListWatch<KubernetesObject>(
      path,
      new GuardedWatch(
        client.kubeConfig,
        kind.key,
        this.#options.watchIdleMs,
        () => {
          if (entry.lastError && entry.synced) {
            // A resumed watch delivers again: the cache is current once more.
            entry.lastError = undefined;
            entry.attempt = 0;
            this.#emit(scopeKey);
          }
        },
      ),
      listFn,
      false,
      selector,
    );
    entry.informer = informer;

    const changed = (obj: KubernetesObject, deleted = false) => {
      const id = `${obj.metadata?.namespace ?? ''}/${obj.metadata?.name}`;
      if (deleted) {
        entry.fingerprints.delete(id);
      } else {
        const print = fingerprint(obj);
        if (entry.fingerprints.get(id) === print) return;
        entry.fingerprints.set(id, print);
      }
      if (entry.synced) this.#emit(scopeKey);
    };
    informer.on('add', obj => changed(obj));
    informer.on('update', obj => changed(obj));
    informer.on('delete', obj => changed(obj, true));
    informer.on('error', (err: unknown) => {
      if (entry.stopped) return;
      if (entry.notServed) {
        // The group vanished or the plural is not there: an empty kind, not a broken cluster.
        entry.synced = true;
        entry.settle();
        return;
      }
      const error = classifyClusterError(err);
      const wasHealthy = !entry.lastError;
      entry.lastError = { ...error, at: Date.now() };
      entry.settle();
      // A cluster that breaks changes the answer (stale, with its reason):
      // tell the open pages, not only the next reader.
      if (wasHealthy && entry.synced) this.#emit(scopeKey);
      const delay = backoffDelay(entry.attempt++, {
        initialMs: this.#options.backoffInitialMs,
        maxMs: this.#options.backoffMaxMs,
      });
      this.#logger.debug(
        `${kind.plural} ${error.reason}: ${error.message}; retrying in ${delay} ms`,
      );
      entry.retryTimer = setTimeout(() => {
        if (!entry.stopped) informer.start().catch(() => {});
      }, delay);
      entry.retryTimer.unref?.();
    });
    if (seed) {
      // The first view is being answered from the seed: its watch opens a
      // little later, off that answer's path, and replays every change made
      // since the seed's resourceVersion.
      const t = setTimeout(() => entry.startNow?.(), SEEDED_WATCH_DELAY_MS);
      t.unref?.();
      entry.startNow = () => {
        clearTimeout(t);
        entry.startNow = undefined;
        if (!entry.stopped) informer.start().catch(() => {});
      };
    } else {
      informer.start().catch(() => {});
    }
    return entry;
  }

  #stopEntry(entry: InformerEntry): void {
    entry.stopped = true;
    clearTimeout(entry.retryTimer);
    entry.informer.stop().catch(() => {});
    entry.settle();
  }

  /**
   * Reads the objects of a scope. Starts informers on first use and waits for
   * their first list, but never past `deadline` (epoch ms).
   */
  async read(scope: WatchScope, deadline: number): Promise<ScopeRead> {
    if (this.#closed)
      return {
        stale: false,
        error: { reason: 'error', message: 'cache closed' },
      };
    const scopeKey = scopeKeyOf(scope);
    this.#scopeLastUsed.set(scopeKey, Date.now());

    const timeLeft = () => Math.max(0, deadline - Date.now());
    const timeout = (ms: number) =>
      new Promise<'timeout'>(resolve => {
        const t = setTimeout(() => resolve('timeout'), ms);
        t.unref?.();
      });

    if (!this.#served && this.#discoveryError && !this.#discovery) {
      // Discovery failed before: answer with that at once instead of making
      // every request wait for a cluster that keeps failing, and retry aside.
      this.#scheduleDiscoveryRetry();
      const { at, ...error } = this.#discoveryError;
      return { stale: false, error };
    }
    if (!this.#served) {
      const outcome = await Promise.race([
        this.discover(),
        timeout(timeLeft()),
      ]);
      if (outcome === 'timeout' && !this.#served) {
        return {
          stale: false,
          error: {
            reason: 'timeout',
            message: `no answer within ${this.#options.requestTimeoutMs} ms`,
          },
        };
      }
      if (!this.#served) {
        const { at, ...error } = this.#discoveryError ?? {
          reason: 'error',
          message: 'discovery failed',
          at: 0,
        };
        return { stale: false, error };
      }
    }

    const first = KINDS.find(k => !k.namespaceWide && !k.clusterScoped)!;
    if (!this.#entries.has(this.#entryKey(first, scopeKey))) {
      return this.#firstRead(scope, deadline);
    }

    // Namespace-wide kinds follow the namespaces the workloads run in; the
    // ones already known start together with the selector-scoped kinds.
    const ensureWide = (namespaces: string[], into: InformerEntry[]) => {
      for (const kind of KINDS.filter(k => k.namespaceWide)) {
        for (const namespace of namespaces) {
          const wideScope = { namespace, labelSelector: '' };
          this.#scopeLastUsed.set(scopeKeyOf(wideScope), Date.now());
          const entry = this.#ensureEntry(kind, wideScope);
          if (entry && !into.includes(entry)) into.push(entry);
        }
      }
    };
    const wide: InformerEntry[] = [];
    if (scope.routeNamespace) {
      const routeScope = { namespace: scope.routeNamespace, labelSelector: '' };
      this.#scopeLastUsed.set(scopeKeyOf(routeScope), Date.now());
      for (const kind of KINDS.filter(k => k.routeWide)) {
        const entry = this.#ensureEntry(kind, routeScope);
        if (entry) wide.push(entry);
      }
    }
    ensureWide(
      scope.namespace
        ? [scope.namespace]
        : this.#knownNamespaces.get(scopeKey) ?? [],
      wide,
    );

    const entries: InformerEntry[] = [];
    for (const kind of KINDS) {
      if (kind.namespaceWide) continue;
      const entry = this.#ensureEntry(kind, scope);
      if (entry) entries.push(entry);
    }
    const failure = await this.#awaitEntries(entries, timeLeft());
    if (failure) return failure;
    const objects = emptyClusterObjects();
    for (const entry of entries) {
      objects[entry.kind.key] = [
        ...entry.informer.list(entry.namespace),
      ] as KubeObject[];
    }

    if (!scope.namespace) {
      const namespaces = workloadNamespaces(objects);
      this.#knownNamespaces.set(scopeKey, namespaces);
      ensureWide(namespaces, wide);
    }
    // Claims missing at the deadline do not hide the rest of the cluster:
    // what was read is shown, marked stale, with the reason beside it.
    const wideFailure = await this.#awaitEntries(wide, timeLeft());
    for (const entry of wide) {
      if (!entry.synced) continue;
      objects[entry.kind.key].push(
        ...(entry.informer.list(entry.namespace) as KubeObject[]),
      );
    }
    dedupeRoutes(objects);
    // Data from a cache whose connection fails is still worth showing, with
    // the failure beside it.
    const failures = [...entries, ...wide]
      .map(e => e.lastError)
      .concat(this.#discoveryError)
      .filter((e): e is ClusterError & { at: number } => !!e)
      .sort((a, b) => b.at - a.at);
    const latest = wideFailure?.error ?? failures[0];
    return {
      objects,
      stale: !!wideFailure || failures.length > 0,
      error: latest && { reason: latest.reason, message: latest.message },
      latencyMs: this.#latencyMs,
    };
  }

  /**
   * The first read of a scope answers from one parallel round of LISTs —
   * every kind at once, claims across all namespaces when the workloads'
   * namespaces are not known yet — and then hands each answer to an informer,
   * which starts watching from it: one round trip, and no LIST twice.
   */
  async #firstRead(scope: WatchScope, deadline: number): Promise<ScopeRead> {
    const scopeKey = scopeKeyOf(scope);
    const timeoutMs = Math.max(
      1,
      Math.min(this.#options.requestTimeoutMs, deadline - Date.now()),
    );
    const knownNamespaces = scope.namespace
      ? [scope.namespace]
      : this.#knownNamespaces.get(scopeKey);
    interface Job {
      kind: KindSpec;
      version: string;
      /** The informer scope the answer seeds; undefined for claims across all namespaces. */
      scope?: WatchScope;
      /** Watched without the entity's selector; failing, it leaves the rest of the answer. */
      wide: boolean;
      listed?: Listed;
      error?: unknown;
    }
    const jobs: Job[] = [];
    for (const kind of KINDS) {
      const version = servedVersion(kind, this.#served!);
      if (!version) continue;
      if (!kind.namespaceWide) {
        jobs.push({ kind, version, scope, wide: false });
      } else if (knownNamespaces) {
        for (const namespace of knownNamespaces)
          jobs.push({
            kind,
            version,
            scope: { namespace, labelSelector: '' },
            wide: true,
          });
      } else {
        jobs.push({ kind, version, wide: true });
      }
      if (kind.routeWide && scope.routeNamespace) {
        jobs.push({
          kind,
          version,
          scope: { namespace: scope.routeNamespace, labelSelector: '' },
          wide: true,
        });
      }
    }
    await Promise.all(
      jobs.map(async job => {
        const existing =
          job.scope &&
          this.#entries.get(this.#entryKey(job.kind, scopeKeyOf(job.scope)));
        if (existing?.synced && !existing.lastError) {
          job.listed = {
            resourceVersion: existing.informer.latestResourceVersion(),
            items: existing.informer.list(existing.namespace) as KubeObject[],
          };
          return;
        }
        const namespaced = !job.kind.clusterScoped && job.scope;
        try {
          job.listed = await this.#list(
            job.kind,
            job.version,
            namespaced ? job.scope!.namespace : undefined,
            namespaced ? job.scope!.labelSelector || undefined : undefined,
            timeoutMs,
          );
        } catch (err) {
          if (err instanceof ClusterRequestError && err.statusCode === 404) {
            // The group vanished since discovery: an empty kind, not a broken cluster.
            job.listed = { resourceVersion: '', items: [] };
          } else {
            job.error = err;
          }
        }
      }),
    );

    const objects = emptyClusterObjects();
    for (const job of jobs) {
      if (job.listed) objects[job.kind.key].push(...job.listed.items);
    }
    dedupeRoutes(objects);
    const namespaces = scope.namespace
      ? [scope.namespace]
      : workloadNamespaces(objects);
    if (!scope.namespace) this.#knownNamespaces.set(scopeKey, namespaces);
    const wideKinds = KINDS.filter(k => k.namespaceWide).map(k => k.key);
    for (const key of wideKinds) {
      objects[key] = objects[key].filter(o =>
        namespaces.includes(o.metadata.namespace ?? ''),
      );
    }

    // Informers take over from here, seeded with what was just listed. A
    // kind whose LIST failed gets an informer that retries on its own.
    const now = Date.now();
    for (const job of jobs) {
      const scopes = job.scope
        ? [job.scope]
        : namespaces.map(namespace => ({ namespace, labelSelector: '' }));
      for (const seedScope of scopes) {
        const key = this.#entryKey(job.kind, scopeKeyOf(seedScope));
        if (job.wide) this.#scopeLastUsed.set(scopeKeyOf(seedScope), now);
        if (this.#entries.has(key)) continue;
        const seed = job.listed && {
          resourceVersion: job.listed.resourceVersion,
          items: job.scope
            ? job.listed.items
            : job.listed.items.filter(
                o => o.metadata.namespace === seedScope.namespace,
              ),
        };
        // An empty resourceVersion (a kind that vanished) cannot seed a watch.
        const usable = seed?.resourceVersion ? seed : undefined;
        this.#entries.set(
          key,
          this.#createEntry(job.kind, job.version, seedScope, usable),
        );
      }
    }

    const failed = jobs.filter(j => j.error);
    const primary = failed.find(j => !j.wide);
    if (primary)
      return { stale: false, error: classifyClusterError(primary.error) };
    if (failed.length) {
      // Claims missing do not hide the rest of the cluster.
      return {
        objects,
        stale: true,
        error: classifyClusterError(failed[0].error),
        latencyMs: this.#latencyMs,
      };
    }
    return { objects, stale: false, latencyMs: this.#latencyMs };
  }

  #ensureEntry(kind: KindSpec, scope: WatchScope): InformerEntry | undefined {
    const version = servedVersion(kind, this.#served!);
    if (!version) return undefined;
    const key = this.#entryKey(kind, scopeKeyOf(scope));
    let entry = this.#entries.get(key);
    if (!entry) {
      entry = this.#createEntry(kind, version, scope);
      this.#entries.set(key, entry);
    }
    return entry;
  }

  /** Waits for the entries' first sync; returns the read to answer with if one failed. */
  async #awaitEntries(
    entries: InformerEntry[],
    waitMs: number,
  ): Promise<ScopeRead | undefined> {
    entries.forEach(e => e.startNow?.());
    const pending = entries.filter(e => !e.synced && !e.lastError);
    if (pending.length) {
      await Promise.race([
        Promise.all(pending.map(e => e.settled)),
        new Promise(resolve => {
          const t = setTimeout(resolve, waitMs);
          t.unref?.();
        }),
      ]);
    }
    const failing = entries.filter(e => !e.synced && !e.notServed);
    if (!failing.length) return undefined;
    const withError = failing.find(e => e.lastError);
    if (withError) {
      const { at, ...error } = withError.lastError!;
      return { stale: false, error };
    }
    return {
      stale: false,
      error: {
        reason: 'timeout',
        message: `no answer within ${this.#options.requestTimeoutMs} ms`,
      },
    };
  }

  /** Health of the cluster for `GET /clusters`. */
  health(): ClusterHealth {
    const entries = [...this.#entries.values()];
    const errors = [
      ...entries.map(e => e.lastError),
      this.#discoveryError,
    ].filter((e): e is ClusterError & { at: number } => !!e);
    const latestError = errors.sort((a, b) => b.at - a.at)[0];
    const lastSync = Math.max(0, ...entries.map(e => e.lastSyncAt ?? 0));
    return {
      ...this.info(),
      synced:
        !!this.#served &&
        !this.#discoveryError &&
        entries.every(e => (e.synced && !e.lastError) || e.notServed),
      lastSyncAt: lastSync ? new Date(lastSync).toISOString() : undefined,
      lastError: latestError && {
        reason: latestError.reason,
        message: latestError.message,
        at: new Date(latestError.at).toISOString(),
      },
      servedKinds: this.#served
        ? KINDS.filter(k => servedVersion(k, this.#served!)).map(k => k.plural)
        : [],
    };
  }

  /** Stops informers of scopes unused since `idleTimeoutMs`. */
  stopIdle(now = Date.now()): void {
    const idle = new Set(
      [...this.#scopeLastUsed.entries()]
        .filter(([, used]) => now - used > this.#options.idleTimeoutMs)
        .map(([key]) => key),
    );
    for (const key of idle) this.#scopeLastUsed.delete(key);
    const anyScopeLeft = this.#scopeLastUsed.size > 0;
    for (const [key, entry] of this.#entries) {
      if (
        idle.has(entry.scopeKey) ||
        (entry.scopeKey === '*' && !anyScopeLeft)
      ) {
        this.#stopEntry(entry);
        this.#entries.delete(key);
      }
    }
  }

  /** Number of running informers (for tests and metrics). */
  get informerCount(): number {
    return this.#entries.size;
  }

  /** Stops everything. */
  close(): void {
    this.#closed = true;
    clearTimeout(this.#discoveryRetry);
    for (const entry of this.#entries.values()) this.#stopEntry(entry);
    this.#entries.clear();
  }
}
