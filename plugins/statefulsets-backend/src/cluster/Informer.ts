/*
 * One informer: a kind in one namespace (or in all, or cluster-scoped), with
 * no label selector, shared by every entity that reads it. It lists once,
 * answers reads from memory (indexed by namespace and label), and keeps
 * itself current with a watch. Its life is an explicit state machine:
 *
 *   syncing ──list──▶ seeded ──watch opens──▶ synced
 *      │                 │                      │
 *      └──── error ──────┴──────▶ failing ◀─────┘   (backoff, then list again)
 *   any ──stop()──▶ stopped
 *
 * `seeded` already answers reads: the watch opens a little later, off the
 * first view's path, and replays every change since the list.
 */
import { LoggerService } from '@backstage/backend-plugin-api';
import { KubernetesObject, ListWatch } from '@kubernetes/client-node';
import {
  ClusterError,
  KubeObject,
} from '@multicluster/backstage-plugin-statefulsets-common';
import { backoffDelay } from './backoff';
import {
  classifyClusterError,
  ClusterRequestError,
} from './ClusterRequestError';
import { GuardedWatch } from './GuardedWatch';
import { collectionPath, KindSpec } from './kinds';
import { KubeHttpClient } from './KubeHttpClient';
import { LabelSelector } from './labelSelector';
import { ObjectIndex } from './ObjectIndex';
import { PluginOptions } from './readClusterConfig';
import { slimObject } from './slimObject';

/** Where an informer is in its life. */
export type InformerState =
  | 'syncing'
  | 'seeded'
  | 'synced'
  | 'failing'
  | 'stopped';

/** What changed in an informer, for deciding which entities to recompute. */
export interface InformerChange {
  kind: KindSpec;
  /** The namespace the informer covers; undefined for all namespaces or a cluster-scoped kind. */
  namespace?: string;
  /**
   * The object that changed, with its labels before and after; absent when
   * the informer's own state changed (failing, recovered, listed again).
   */
  object?: {
    namespace?: string;
    labels: Array<Record<string, string> | undefined>;
  };
}

/** One LIST answer. */
interface Listed {
  resourceVersion: string;
  items: KubeObject[];
}

/** How long after its first list an informer opens its watch. */
const SEEDED_WATCH_DELAY_MS = 300;

/** A kind's objects in one namespace (or all), listed, watched and indexed. */
export class Informer {
  readonly kind: KindSpec;
  readonly namespace?: string;
  readonly #version: string;
  readonly #client: KubeHttpClient;
  readonly #options: PluginOptions;
  readonly #logger: LoggerService;
  readonly #onChange: (change: InformerChange) => void;
  readonly #index = new ObjectIndex();
  #state: InformerState = 'syncing';
  #listWatch?: ListWatch<KubernetesObject>;
  #seed?: Listed;
  #hasData = false;
  #notServed = false;
  #attempt = 0;
  #timer?: NodeJS.Timeout;
  #settled: Promise<void>;
  #settle!: () => void;
  lastError?: ClusterError & { at: number };
  lastSyncAt?: number;
  lastUsed = Date.now();

  constructor(options: {
    kind: KindSpec;
    version: string;
    namespace?: string;
    client: KubeHttpClient;
    options: PluginOptions;
    logger: LoggerService;
    onChange: (change: InformerChange) => void;
  }) {
    this.kind = options.kind;
    this.namespace = options.kind.clusterScoped ? undefined : options.namespace;
    this.#version = options.version;
    this.#client = options.client;
    this.#options = options.options;
    this.#logger = options.logger;
    this.#onChange = options.onChange;
    this.#settled = new Promise(resolve => {
      this.#settle = resolve;
    });
  }

  get state(): InformerState {
    return this.#state;
  }

  /** Whether reads can be answered: listed (maybe stale) or a kind the cluster does not serve. */
  get readable(): boolean {
    return this.#hasData || this.#notServed;
  }

  /** The kind is not served by this cluster (its LIST answered 404): empty, not broken. */
  get notServed(): boolean {
    return this.#notServed;
  }

  /** Number of objects held. */
  get size(): number {
    return this.#index.size;
  }

  /** Lists, then opens the watch a little later. */
  start(): void {
    this.#list()
      .then(listed => {
        if (this.#state === 'stopped') return;
        this.#replace(listed.items);
        this.#synced('seeded');
        this.#seed = listed;
        this.#timer = setTimeout(() => this.openWatch(), SEEDED_WATCH_DELAY_MS);
        this.#timer.unref?.();
      })
      .catch(err => this.#failed(err));
  }

  /** Opens the watch now if it is still waiting (a reader needs it current). */
  openWatch(): void {
    if (this.#state !== 'seeded' || this.#listWatch) return;
    clearTimeout(this.#timer);
    this.#listWatch = this.#createListWatch();
    this.#listWatch.start().catch(() => {});
  }

  /** Resolves once the first list answered or failed, or after `ms`. */
  async settled(ms: number): Promise<void> {
    if (this.readable || this.lastError) return;
    await Promise.race([
      this.#settled,
      new Promise(resolve => setTimeout(resolve, ms).unref?.()),
    ]);
  }

  /**
   * The objects in `namespace` (all the informer holds when undefined) that
   * match `selector` (all when undefined), sorted by namespace and name.
   */
  select(namespace?: string, selector?: LabelSelector): KubeObject[] {
    this.lastUsed = Date.now();
    return this.#index.select(
      this.kind.clusterScoped ? undefined : namespace,
      selector,
    );
  }

  /** Stops the watch and any retry; the informer holds nothing afterwards. */
  stop(): void {
    this.#state = 'stopped';
    clearTimeout(this.#timer);
    this.#listWatch?.stop().catch(() => {});
    this.#settle();
  }

  /** One LIST of the kind, slimmed; a 404 marks the kind as not served. */
  async #list(): Promise<Listed> {
    const path = collectionPath(this.kind, this.#version, this.namespace);
    let body: any;
    try {
      body = await this.#client.getJson(path, {
        timeoutMs: this.#options.requestTimeoutMs,
      });
    } catch (err) {
      if (err instanceof ClusterRequestError && err.statusCode === 404) {
        this.#notServed = true;
      }
      throw err;
    }
    if (!body || !Array.isArray(body.items)) {
      throw new ClusterRequestError(
        'malformed',
        `list of ${this.kind.plural} has no items`,
      );
    }
    const apiVersion = `${this.kind.group ? `${this.kind.group}/` : ''}${
      this.#version
    }`;
    const items: KubeObject[] = body.items.map((o: any) =>
      slimObject(this.kind.key, {
        ...o,
        apiVersion: o?.apiVersion ?? apiVersion,
      }),
    );
    if (items.some(o => typeof o.metadata?.name !== 'string')) {
      throw new ClusterRequestError(
        'malformed',
        `list of ${this.kind.plural} holds objects without names`,
      );
    }
    return { resourceVersion: body.metadata?.resourceVersion ?? '', items };
  }

  #createListWatch(): ListWatch<KubernetesObject> {
    const listFn = async () => {
      // The first sync of the watch replays the list the reads were answered from.
      const listed = this.#seed ?? (await this.#list());
      const quiet = !!this.#seed;
      this.#seed = undefined;
      // ListWatch stores the items after this promise resolves.
      setImmediate(() => {
        if (this.#state === 'stopped') return;
        const recovered = this.#state === 'failing';
        this.#synced('synced');
        if (recovered && !quiet)
          this.#onChange({ kind: this.kind, namespace: this.namespace });
      });
      return {
        metadata: { resourceVersion: listed.resourceVersion },
        items: listed.items as KubernetesObject[],
      };
    };
    const listWatch = new ListWatch<KubernetesObject>(
      collectionPath(this.kind, this.#version, this.namespace),
      new GuardedWatch(
        () => this.#client.kubeConfig(),
        this.kind.key,
        this.#options.watchIdleMs,
        () => {
          if (this.#state === 'failing' && this.#hasData) {
            // A resumed watch delivers again: the cache is current once more.
            this.#synced('synced');
            this.#onChange({ kind: this.kind, namespace: this.namespace });
          }
        },
      ),
      listFn,
      false,
    );
    listWatch.on('add', obj => this.#put(obj as KubeObject));
    listWatch.on('update', obj => this.#put(obj as KubeObject));
    listWatch.on('delete', obj => this.#remove(obj as KubeObject));
    listWatch.on('error', err => this.#failed(err));
    return listWatch;
  }

  #synced(state: 'seeded' | 'synced'): void {
    this.#state = state;
    this.#hasData = true;
    this.lastSyncAt = Date.now();
    if (this.lastError) {
      this.#logger.info(`${this.#what()} is current again`);
    }
    this.lastError = undefined;
    this.#attempt = 0;
    this.#settle();
  }

  #failed(err: unknown): void {
    if (this.#state === 'stopped') return;
    if (this.#notServed) {
      // The group vanished or the plural is not there: an empty kind.
      this.#replace([]);
      this.#hasData = true;
      this.#state = 'synced';
      this.#settle();
      return;
    }
    const error = classifyClusterError(err);
    const firstOfEpisode = !this.lastError;
    this.lastError = { ...error, at: Date.now() };
    this.#state = 'failing';
    this.#settle();
    const delay = backoffDelay(this.#attempt++, {
      initialMs: this.#options.backoffInitialMs,
      maxMs: this.#options.backoffMaxMs,
    });
    const message = `${this.#what()} failed: ${error.reason}: ${
      error.message
    }; retrying in ${delay} ms`;
    // One warning per episode; the retries of the same episode are debug.
    if (firstOfEpisode) this.#logger.warn(message);
    else this.#logger.debug(message);
    // A cluster that breaks changes the answer (stale, with its reason).
    if (firstOfEpisode && this.#hasData) {
      this.#onChange({ kind: this.kind, namespace: this.namespace });
    }
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => {
      if (this.#state === 'stopped') return;
      this.#listWatch ??= this.#createListWatch();
      this.#listWatch.start().catch(() => {});
    }, delay);
    this.#timer.unref?.();
  }

  #what(): string {
    return `Watch of ${this.kind.plural}${
      this.namespace ? ` in ${this.namespace}` : ''
    }`;
  }

  #replace(items: KubeObject[]): void {
    this.#index.replace(items);
  }

  #put(obj: KubeObject): void {
    const { changed, before } = this.#index.put(obj);
    if (changed)
      this.#changed(obj, before?.metadata.labels, obj.metadata.labels);
  }

  #remove(obj: KubeObject): void {
    const before = this.#index.remove(obj);
    if (before) this.#changed(before, before.metadata.labels, undefined);
  }

  #changed(
    obj: KubeObject,
    before: Record<string, string> | undefined,
    after: Record<string, string> | undefined,
  ): void {
    if (this.#state !== 'synced' && this.#state !== 'failing') return;
    this.#onChange({
      kind: this.kind,
      namespace: this.namespace,
      object: { namespace: obj.metadata.namespace, labels: [before, after] },
    });
  }
}
