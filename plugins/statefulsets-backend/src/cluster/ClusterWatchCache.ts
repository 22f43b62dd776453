/*
 * The watch cache of one cluster: discovery, then informers shared by every
 * entity — at most one per kind and namespace (or per kind across all
 * namespaces) — started on first use and stopped when idle. An entity's read
 * is planned by `planScope`, answered from the informers' memory with its
 * label selector applied there, and never waits past the caller's deadline.
 */
import { LoggerService } from '@backstage/backend-plugin-api';
import {
  ClusterError,
  ClusterHealth,
  ClusterInfo,
  ClusterObjects,
  emptyClusterObjects,
  keepRelatedOperatorObjects,
  KubeObject,
} from '@multicluster/backstage-plugin-statefulsets-common';
import { ClusterConnection } from './ClusterConnection';
import { ClusterDiscovery } from './ClusterDiscovery';
import { Informer, InformerChange } from './Informer';
import { KindSpec, KINDS, servedVersion } from './kinds';
import { LabelSelector, parseLabelSelector } from './labelSelector';
import {
  ConfiguredCluster,
  DEFAULT_MAX_WATCHES,
  PluginOptions,
} from './readClusterConfig';
import {
  dedupeRoutes,
  planScope,
  ScopeSource,
  WatchScope,
  workloadNamespaces,
} from './scopePlan';

export type { WatchScope } from './scopePlan';

/** What a read returns: objects, the typed reason there are none, or both when stale. */
export interface ScopeRead {
  objects?: ClusterObjects;
  error?: ClusterError;
  /** Data is served from the cache while its connection is failing. */
  stale: boolean;
  latencyMs?: number;
}

/** Called when something an informer holds changes. */
export type ChangeListener = (cluster: string, change: InformerChange) => void;

function informerKey(kind: KindSpec, namespace?: string): string {
  return kind.clusterScoped ? kind.key : `${kind.key}|${namespace ?? '*'}`;
}

/** Watch cache of one cluster. */
export class ClusterWatchCache {
  readonly #cluster: ConfiguredCluster;
  readonly #options: PluginOptions;
  readonly #logger: LoggerService;
  readonly #discovery: ClusterDiscovery;
  readonly #listeners = new Set<ChangeListener>();
  readonly #informers = new Map<string, Informer>();
  readonly #selectors = new Map<string, LabelSelector>();
  #limitWarned = false;
  #closed = false;

  private constructor(
    connection: ClusterConnection,
    options: PluginOptions,
    logger: LoggerService,
  ) {
    this.#cluster = connection.cluster;
    this.#options = options;
    this.#logger = logger;
    this.#discovery = new ClusterDiscovery({
      connection,
      options,
      logger,
      onRediscovered: () => this.#restartFailing(),
    });
  }

  /** Creates the cache; nothing is contacted until `discover` or `read`. */
  static create(options: {
    connection: ClusterConnection;
    options: PluginOptions;
    logger: LoggerService;
  }): ClusterWatchCache {
    return new ClusterWatchCache(
      options.connection,
      options.options,
      options.logger.child({ cluster: options.connection.cluster.info.name }),
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
    return this.#discovery.info();
  }

  /** Refreshes the served API groups; single-flight. */
  discover(): Promise<void> {
    return this.#discovery.discover();
  }

  /** Failing informers start again with the new credentials. */
  #restartFailing(): void {
    for (const [key, informer] of this.#informers) {
      if (informer.lastError) {
        informer.stop();
        this.#informers.delete(key);
      }
    }
  }

  #emit(change: InformerChange): void {
    for (const listener of this.#listeners) {
      try {
        listener(this.name, change);
      } catch (err) {
        this.#logger.warn(`Change listener failed: ${err}`);
      }
    }
  }

  #selector(text: string): LabelSelector {
    let parsed = this.#selectors.get(text);
    if (!parsed) {
      parsed = parseLabelSelector(text);
      if (this.#selectors.size > 10_000) this.#selectors.clear();
      this.#selectors.set(text, parsed);
    }
    return parsed;
  }

  /** The informer already answering a source: one across all namespaces, else the namespace's own. */
  #existing(source: ScopeSource): Informer | undefined {
    return (
      this.#informers.get(informerKey(source.kind, undefined)) ??
      this.#informers.get(informerKey(source.kind, source.namespace))
    );
  }

  /**
   * Whether `count` more informers stay within the watch bound; warns once
   * per episode when they would not.
   */
  #withinBound(count: number): boolean {
    const limit = this.#options.maxWatchesPerCluster ?? DEFAULT_MAX_WATCHES;
    if (this.#informers.size + count <= limit) return true;
    if (!this.#limitWarned) {
      this.#limitWarned = true;
      this.#logger.warn(
        `Watch bound reached: ${
          this.#informers.size
        } informers of at most ${limit}; entities in further namespaces are not shown until informers idle out. Raise multiclusterStatefulsets.maxWatchesPerCluster if the cluster and the backend can hold more.`,
      );
    }
    return false;
  }

  #start(source: ScopeSource): Informer {
    const informer = new Informer({
      kind: source.kind,
      version: servedVersion(source.kind, this.#discovery.served!)!,
      namespace: source.namespace,
      client: this.#discovery.client,
      options: this.#options,
      logger: this.#logger,
      onChange: change => this.#emit(change),
    });
    this.#informers.set(informerKey(source.kind, source.namespace), informer);
    informer.start();
    return informer;
  }

  /** Makes sure discovery ran; returns the read to answer with when it cannot. */
  async #discovered(deadline: number): Promise<ScopeRead | undefined> {
    const discovery = this.#discovery;
    if (discovery.served) return undefined;
    if (discovery.error && !discovery.running) {
      // Discovery failed before: answer with that at once instead of making
      // every request wait for a cluster that keeps failing, and retry aside.
      discovery.scheduleRetry();
      const { at, ...error } = discovery.error;
      return { stale: false, error };
    }
    await Promise.race([
      discovery.discover(),
      new Promise(resolve =>
        setTimeout(resolve, Math.max(0, deadline - Date.now())).unref?.(),
      ),
    ]);
    if (discovery.served) return undefined;
    if (discovery.error) {
      const { at, ...error } = discovery.error;
      return { stale: false, error };
    }
    return { stale: false, error: this.#timeoutError() };
  }

  #timeoutError(): ClusterError {
    return {
      reason: 'timeout',
      message: `no answer within ${this.#options.requestTimeoutMs} ms`,
    };
  }

  /**
   * Reads the objects of a scope. Starts the informers it needs on first use
   * and waits for their first list, but never past `deadline` (epoch ms).
   */
  async read(scope: WatchScope, deadline: number): Promise<ScopeRead> {
    if (this.#closed) {
      return {
        stale: false,
        error: { reason: 'error', message: 'cache closed' },
      };
    }
    const undiscovered = await this.#discovered(deadline);
    if (undiscovered) return undiscovered;

    const served = KINDS.filter(k => servedVersion(k, this.#discovery.served!));
    const plan = planScope(scope, served);
    const missingKeys = new Set(
      plan
        .filter(source => !this.#existing(source))
        .map(source => informerKey(source.kind, source.namespace)),
    );
    if (!this.#withinBound(missingKeys.size)) {
      return {
        stale: false,
        error: {
          reason: 'error',
          message: `the backend already watches ${
            this.#informers.size
          } collections in this cluster and this entity needs ${
            missingKeys.size
          } more (multiclusterStatefulsets.maxWatchesPerCluster); try again once idle ones stop, or raise the bound`,
        },
      };
    }
    const sources = plan.map(source => ({
      source,
      informer: this.#existing(source) ?? this.#start(source),
    }));
    const used = [...new Set(sources.map(s => s.informer))];
    await Promise.all(
      used.map(i => i.settled(Math.max(0, deadline - Date.now()))),
    );

    const missing = sources.filter(s => !s.informer.readable);
    const requiredMissing = missing.find(s => s.source.required);
    if (requiredMissing) {
      const lastError = missing.find(s => s.informer.lastError)?.informer
        .lastError;
      if (lastError) {
        const { at, ...error } = lastError;
        return { stale: false, error };
      }
      return { stale: false, error: this.#timeoutError() };
    }

    const selector = this.#selector(scope.labelSelector);
    const objects = emptyClusterObjects();
    const namespaceWide: Array<{ key: KindSpec['key']; found: KubeObject[] }> =
      [];
    for (const { source, informer } of sources) {
      if (!informer.readable) continue;
      const found = informer.select(
        source.namespace,
        source.bySelector ? selector : undefined,
      );
      if (source.inWorkloadNamespaces) {
        namespaceWide.push({ key: source.kind.key, found });
      } else objects[source.kind.key].push(...found);
    }
    if (namespaceWide.length) {
      const namespaces = new Set(workloadNamespaces(objects));
      for (const { key, found } of namespaceWide) {
        objects[key].push(
          ...found.filter(o => namespaces.has(o.metadata.namespace ?? '')),
        );
      }
    }
    dedupeRoutes(objects);
    keepRelatedOperatorObjects(objects);

    // Data from a cache whose connection fails is still worth showing, with
    // the failure beside it; so are the rest when claims are missing.
    const failures = used
      .map(i => i.lastError)
      .concat(this.#discovery.error)
      .filter((e): e is ClusterError & { at: number } => !!e)
      .sort((a, b) => b.at - a.at);
    const latest: ClusterError | undefined =
      failures[0] ?? (missing.length ? this.#timeoutError() : undefined);
    return {
      objects,
      stale: !!latest,
      error: latest && { reason: latest.reason, message: latest.message },
      latencyMs: this.#discovery.latencyMs,
    };
  }

  /** Health of the cluster for `GET /clusters`. */
  health(): ClusterHealth {
    const informers = [...this.#informers.values()];
    const errors = [
      ...informers.map(i => i.lastError),
      this.#discovery.error,
    ].filter((e): e is ClusterError & { at: number } => !!e);
    const latestError = errors.sort((a, b) => b.at - a.at)[0];
    const lastSync = Math.max(0, ...informers.map(i => i.lastSyncAt ?? 0));
    const served = this.#discovery.served;
    return {
      ...this.info(),
      synced:
        !!served &&
        !this.#discovery.error &&
        informers.every(i => (i.readable && !i.lastError) || i.notServed),
      lastSyncAt: lastSync ? new Date(lastSync).toISOString() : undefined,
      lastError: latestError && {
        reason: latestError.reason,
        message: latestError.message,
        at: new Date(latestError.at).toISOString(),
      },
      servedKinds: served
        ? KINDS.filter(k => servedVersion(k, served)).map(k => k.plural)
        : [],
    };
  }

  /** Stops informers no read used since `idleTimeoutMs`. */
  stopIdle(now = Date.now()): void {
    for (const [key, informer] of this.#informers) {
      if (now - informer.lastUsed > this.#options.idleTimeoutMs) {
        informer.stop();
        this.#informers.delete(key);
      }
    }
    if (
      this.#informers.size <
      (this.#options.maxWatchesPerCluster ?? DEFAULT_MAX_WATCHES)
    ) {
      this.#limitWarned = false;
    }
  }

  /** Number of running informers, each one open watch (for tests and metrics). */
  get informerCount(): number {
    return this.#informers.size;
  }

  /** Stops everything. */
  close(): void {
    this.#closed = true;
    this.#discovery.close();
    for (const informer of this.#informers.values()) informer.stop();
    this.#informers.clear();
  }
}
