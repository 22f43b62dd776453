/*
 * Answers "what does this entity look like across all clusters": reads every
 * cluster's watch cache in parallel under one deadline, asks the replication
 * providers and traffic routers, builds the topology with the pure functions
 * of the common package, shares the result and its ETag through the cache
 * service, and pushes a signal when a cluster-side change alters it.
 */
import { createHash } from 'node:crypto';
import {
  BackstageCredentials,
  CacheService,
  LoggerService,
} from '@backstage/backend-plugin-api';
import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import { NotFoundError } from '@backstage/errors';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { SignalsService } from '@backstage/plugin-signals-node';
import { StatefulsetsMetrics } from './metrics';
import {
  buildTopology,
  ClusterHealth,
  ClusterSnapshot,
  EngineRoleReading,
  EntityTopology,
  noTraffic,
  readEntityPolicy,
  ReplicationLink,
  topologySignalChannel,
  TrafficSplit,
} from '@multicluster/backstage-plugin-statefulsets-common';
import {
  ClusterView,
  EntityContext,
  ReplicationProvider,
  TrafficRouter,
} from '@multicluster/backstage-plugin-statefulsets-node';
import { ClusterWatchCache } from '../cluster/ClusterWatchCache';
import { InformerChange } from '../cluster/Informer';
import { LabelSelector, parseLabelSelector } from '../cluster/labelSelector';
import { changeAffects, WatchScope } from '../cluster/scopePlan';
import { PluginOptions } from '../cluster/readClusterConfig';
import type { EngineRoleSource } from '../lag/PrometheusEngineRoles';
import { entityScope } from './entityScope';
import { topologyEtag } from './etag';

/** A topology with its ETag. */
export interface TopologyResult {
  topology: EntityTopology;
  etag: string;
}

interface WatchedEntity {
  entityRef: string;
  annotations: Record<string, string>;
  scope: WatchScope;
  scopeKey: string;
  selector: LabelSelector;
  etag?: string;
  lastRequested: number;
  debounce?: NodeJS.Timeout;
}

const CACHE_PREFIX = 'topology:v1:';

/**
 * The cache key covers the entity's annotations too, so a topology computed
 * under an older policy (other selector, lag bound, regions) is never served.
 */
function cacheKey(watched: WatchedEntity): string {
  const digest = createHash('sha256')
    .update(JSON.stringify([watched.scopeKey, watched.annotations]))
    .digest('base64url')
    .slice(0, 16);
  return `${CACHE_PREFIX}${watched.entityRef}:${digest}`;
}
const CHANGE_DEBOUNCE_MS = 200;

function scopeKeyOf(scope: WatchScope): string {
  return JSON.stringify([
    scope.namespace ?? null,
    scope.labelSelector,
    scope.routeNamespace ?? null,
  ]);
}

/** What the topology service is built from. */
export interface TopologyServiceOptions {
  clusters: ClusterWatchCache[];
  catalog: CatalogService;
  cache: CacheService;
  signals?: SignalsService;
  logger: LoggerService;
  options: PluginOptions;
  replicationProviders: ReplicationProvider[];
  trafficRouters: TrafficRouter[];
  /** The roles the engines report, over the declared ones; none without it. */
  engineRoles?: EngineRoleSource;
  now?: () => number;
  metrics?: StatefulsetsMetrics;
  /** Told every freshly computed topology (e.g. to follow readiness); must not throw. */
  onTopology?(topology: EntityTopology): void | Promise<void>;
}

/** Computes, caches and pushes entity topologies. */
export class TopologyService {
  readonly #clusters: ClusterWatchCache[];
  readonly #catalog: CatalogService;
  readonly #cache: CacheService;
  readonly #signals?: SignalsService;
  readonly #logger: LoggerService;
  readonly #options: PluginOptions;
  readonly #providers: ReplicationProvider[];
  readonly #routers: TrafficRouter[];
  readonly #engineRoles?: EngineRoleSource;
  readonly #watched = new Map<string, WatchedEntity>();
  readonly #now: () => number;
  readonly #unsubscribe: Array<() => void> = [];
  readonly #metrics: StatefulsetsMetrics;
  readonly #onTopology?: TopologyServiceOptions['onTopology'];

  private constructor(options: TopologyServiceOptions) {
    this.#clusters = options.clusters;
    this.#catalog = options.catalog;
    this.#cache = options.cache;
    this.#signals = options.signals;
    this.#logger = options.logger;
    this.#options = options.options;
    this.#providers = options.replicationProviders;
    this.#routers = options.trafficRouters;
    this.#engineRoles = options.engineRoles;
    this.#now = options.now ?? Date.now;
    this.#metrics = options.metrics ?? StatefulsetsMetrics.create();
    this.#onTopology = options.onTopology;
    this.#metrics.observeClusters(() =>
      this.#clusters.map(cluster => {
        const health = cluster.health();
        return {
          cluster: cluster.name,
          up: health.synced && !health.lastError,
          reason: health.lastError?.reason,
          informers: cluster.informerCount,
        };
      }),
    );
    for (const cluster of this.#clusters) {
      this.#unsubscribe.push(
        cluster.onChange((_name, change) => this.#onClusterChange(change)),
      );
    }
  }

  /** Creates the service and subscribes to cluster changes. */
  static create(options: TopologyServiceOptions): TopologyService {
    return new TopologyService(options);
  }

  /** The topology of an entity, from the shared cache when another read already computed it. */
  async getTopology(
    requestedRef: string,
    credentials: BackstageCredentials,
    options?: { startedAt?: number },
  ): Promise<TopologyResult> {
    const startedAt = options?.startedAt ?? this.#now();
    const entity = await this.#catalog.getEntityByRef(requestedRef, {
      credentials,
    });
    if (!entity) throw new NotFoundError(`No entity ${requestedRef}`);
    // Refs match case-insensitively; one spelling keeps one watch and one channel.
    const entityRef = stringifyEntityRef(entity);
    const scope = entityScope(entity, entityRef);
    const watched = this.#watch(entityRef, entity, scope);

    const cached = await this.#readCache(watched);
    this.#metrics.cacheLookup(cached ? 'hit' : 'miss');
    if (cached && watched.etag === cached.etag) return cached;
    if (cached && watched.etag === undefined) {
      // Another replica computed it: answer now, and start this replica's
      // watches in the background so it notices the next change itself.
      this.#compute(watched, undefined, cached.etag).catch(err =>
        this.#logger.warn(`Computing ${entityRef} failed: ${err}`),
      );
      return cached;
    }
    return this.#compute(watched, startedAt);
  }

  /** Health of every configured cluster. */
  listClusters(): ClusterHealth[] {
    return this.#clusters.map(c => c.health());
  }

  /** Runs discovery on every cluster (start-up and the slow timer). */
  async discoverAll(): Promise<void> {
    await Promise.all(this.#clusters.map(c => c.discover()));
  }

  /**
   * Computes every watched entity again and signals those whose topology
   * changed: for facts that arrive without a cluster-side change, such as a
   * replication lag read from Prometheus.
   */
  async refreshWatched(): Promise<void> {
    for (const watched of [...this.#watched.values()]) {
      if (watched.debounce) continue;
      try {
        await this.#compute(watched);
      } catch (err) {
        this.#logger.warn(`Recomputing ${watched.entityRef} failed: ${err}`);
      }
    }
  }

  /** Stops idle informers and forgets entities nobody looked at lately. */
  sweepIdle(): void {
    const now = this.#now();
    for (const [ref, w] of this.#watched) {
      if (now - w.lastRequested > this.#options.idleTimeoutMs) {
        clearTimeout(w.debounce);
        this.#watched.delete(ref);
      }
    }
    for (const cluster of this.#clusters) cluster.stopIdle(now);
  }

  /** Stops all watches and timers. */
  close(): void {
    this.#unsubscribe.forEach(u => u());
    for (const w of this.#watched.values()) clearTimeout(w.debounce);
    this.#watched.clear();
    this.#clusters.forEach(c => c.close());
  }

  #watch(entityRef: string, entity: Entity, scope: WatchScope): WatchedEntity {
    const existing = this.#watched.get(entityRef);
    const annotations = entity.metadata.annotations ?? {};
    const scopeKey = scopeKeyOf(scope);
    if (existing) {
      existing.lastRequested = this.#now();
      if (
        existing.scopeKey !== scopeKey ||
        JSON.stringify(existing.annotations) !== JSON.stringify(annotations)
      ) {
        existing.annotations = annotations;
        existing.scope = scope;
        existing.scopeKey = scopeKey;
        existing.selector = parseLabelSelector(scope.labelSelector);
        existing.etag = undefined;
      }
      return existing;
    }
    const watched: WatchedEntity = {
      entityRef,
      annotations,
      scope,
      scopeKey,
      selector: parseLabelSelector(scope.labelSelector),
      lastRequested: this.#now(),
    };
    this.#watched.set(entityRef, watched);
    return watched;
  }

  async #readCache(
    watched: WatchedEntity,
  ): Promise<TopologyResult | undefined> {
    try {
      return (await this.#cache.get<any>(cacheKey(watched))) as
        | TopologyResult
        | undefined;
    } catch (err) {
      this.#logger.warn(`Topology cache read failed: ${err}`);
      return undefined;
    }
  }

  async #compute(
    watched: WatchedEntity,
    startedAt?: number,
    knownEtag?: string,
  ): Promise<TopologyResult> {
    // The deadline counts from when the request arrived, minus a margin for
    // building and sending the answer.
    const began = this.#now();
    const deadline =
      (startedAt ?? began) + this.#options.requestTimeoutMs - 100;
    const policy = readEntityPolicy(watched.annotations);
    const reads = await Promise.all(
      this.#clusters.map(async cluster => {
        const read = await cluster.read(watched.scope, deadline);
        if (read.error) {
          this.#metrics.clusterReadFailed(cluster.name, read.error.reason);
        }
        const snapshot: ClusterSnapshot = {
          info: cluster.info(),
          objects: read.objects,
          error: read.error,
          stale: read.stale,
          latencyMs: read.latencyMs,
        };
        return snapshot;
      }),
    );
    const views: ClusterView[] = reads.map(s => ({
      cluster: s.info,
      objects: s.objects,
      error: s.error,
    }));
    const context: EntityContext = {
      entityRef: watched.entityRef,
      annotations: watched.annotations,
      policy,
      clusters: views,
      now: this.#now(),
    };
    const [replication, traffic, engineRoles] = await Promise.all([
      this.#readReplication(context),
      this.#readTraffic(context),
      this.#readEngineRoles(context),
    ]);
    const topology = buildTopology({
      entityRef: watched.entityRef,
      policy,
      snapshots: reads,
      replication,
      traffic,
      engineRoles,
      now: this.#now(),
    });
    const etag = topologyEtag(topology);
    const result = { topology, etag };
    this.#metrics.topologyComputed(this.#now() - began);
    const previous = watched.etag ?? knownEtag;
    const changed = previous !== undefined && previous !== etag;
    watched.etag = etag;
    try {
      await this.#cache.set(cacheKey(watched), result as any, {
        ttl: this.#options.cacheTtlMs,
      });
    } catch (err) {
      this.#logger.warn(`Topology cache write failed: ${err}`);
    }
    if (changed) await this.#publish(watched.entityRef, etag);
    // Off the request path: a slow listener never delays an answer.
    Promise.resolve()
      .then(() => this.#onTopology?.(topology))
      .catch(err =>
        this.#logger.warn(`Following ${watched.entityRef} failed: ${err}`),
      );
    return result;
  }

  async #readReplication(context: EntityContext): Promise<ReplicationLink[]> {
    const provider = this.#providers.find(p => {
      try {
        return p.supports(context);
      } catch {
        return false;
      }
    });
    if (!provider) return [];
    try {
      return await provider.readReplication(context);
    } catch (err) {
      this.#logger.warn(`Replication provider ${provider.id} failed: ${err}`);
      return [];
    }
  }

  /** The engines' roles; none when they cannot be read (the declared roles stand). */
  async #readEngineRoles(context: EntityContext): Promise<EngineRoleReading[]> {
    if (!this.#engineRoles) return [];
    try {
      return await this.#engineRoles.readRoles(context);
    } catch (err) {
      this.#logger.warn(
        `Engine roles of ${context.entityRef} unknown, the declared roles stand: ${err}`,
      );
      return [];
    }
  }

  async #readTraffic(context: EntityContext): Promise<TrafficSplit> {
    let fallback: TrafficSplit | undefined;
    for (const router of this.#routers) {
      try {
        const split = await router.readTraffic(context);
        if (split && split.routing !== 'none') return split;
        fallback ??= split;
      } catch (err) {
        this.#logger.warn(`Traffic router ${router.id} failed: ${err}`);
      }
    }
    return fallback ?? noTraffic();
  }

  async #publish(entityRef: string, etag: string): Promise<void> {
    if (!this.#signals) return;
    try {
      await this.#signals.publish({
        recipients: { type: 'broadcast' },
        channel: topologySignalChannel(entityRef),
        message: { etag },
      });
    } catch (err) {
      this.#logger.warn(`Publishing the topology signal failed: ${err}`);
    }
  }

  #onClusterChange(change: InformerChange): void {
    for (const watched of this.#watched.values()) {
      if (!changeAffects(change, watched.scope, watched.selector)) continue;
      if (watched.debounce) continue;
      watched.debounce = setTimeout(() => {
        watched.debounce = undefined;
        if (this.#watched.get(watched.entityRef) !== watched) return;
        this.#compute(watched).catch(err =>
          this.#logger.warn(`Recomputing ${watched.entityRef} failed: ${err}`),
        );
      }, CHANGE_DEBOUNCE_MS);
      watched.debounce.unref?.();
    }
  }
}
