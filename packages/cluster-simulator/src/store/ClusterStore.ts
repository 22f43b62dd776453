/*
 * One simulated cluster's object store: the etcd + registry part of an API
 * server. Keeps objects by group/kind, one resourceVersion counter, uid,
 * generation and timestamps as Kubernetes maintains them, garbage collection
 * through ownerReferences, and the event log watches are served from.
 */
import { randomUUID } from 'node:crypto';
import type {
  ClusterApi,
  FederationHost,
  KubeObject,
} from '../controllers/types';
import { cloneJson as clone } from '../api/plainJson';
import {
  ResourceRegistry,
  ResourceType,
  builtinResources,
  groupKindKey,
  parseApiVersion,
  resourcesFromCrd,
} from '../api/resources';
import { ApiError, alreadyExists, notFound } from '../api/status';
import { isoSeconds } from '../api/timestamp';
import { ChangeFeed, StoreEvent } from './ChangeFeed';
import {
  DeletePreconditions,
  checkDeletePreconditions,
} from './deletePreconditions';
import { EventRecorder } from './EventRecorder';
import { applyInitialState } from './initialState';
import { ReplaceMode, replacementOf, sameIgnoringRv } from './replacement';

export type { StoreEvent } from './ChangeFeed';

/** Options of a store write. */
export interface WriteOptions {
  /** Validate and compute the result without storing it. */
  dryRun?: boolean;
}

/** Settings of a store. */
export interface ClusterStoreOptions {
  name: string;
  region: string;
  zones: string[];
  /** The federation control plane the world installs in this cluster. */
  federationHost?: FederationHost;
  /** The labels the world joins this cluster to its federations with. */
  labels?: Record<string, string>;
  /** How many events watches can resume across (default 10000). */
  historySize?: number;
  /**
   * How many recorded core/v1 Events are kept; the oldest go first, as
   * upstream's event TTL would remove them (default 2000).
   */
  maxEvents?: number;
  now?: () => number;
}

const SYSTEM_NAMESPACES = [
  'default',
  'kube-system',
  'kube-public',
  'kube-node-lease',
];

function objKey(ns: string | undefined, name: string): string {
  return `${ns ?? ''}/${name}`;
}

/** The object store of one simulated cluster. */
export class ClusterStore implements ClusterApi {
  readonly name: string;
  readonly region: string;
  readonly zones: string[];
  readonly federationHost?: FederationHost;
  readonly labels?: Readonly<Record<string, string>>;
  readonly registry = new ResourceRegistry(builtinResources());
  #objects = new Map<string, Map<string, KubeObject>>();
  #feed: ChangeFeed;
  #now: () => number;
  #events: EventRecorder;

  constructor(options: ClusterStoreOptions) {
    this.name = options.name;
    this.region = options.region;
    this.zones = options.zones;
    this.federationHost = options.federationHost;
    this.labels = options.labels ? { ...options.labels } : undefined;
    this.#feed = new ChangeFeed(options.historySize ?? 10000);
    this.#now = options.now ?? Date.now;
    this.#events = new EventRecorder(
      this,
      () => this.#now(),
      options.maxEvents ?? 2000,
    );
    for (const ns of SYSTEM_NAMESPACES) {
      this.create({
        apiVersion: 'v1',
        kind: 'Namespace',
        metadata: { name: ns },
      });
    }
  }

  /** The latest resourceVersion handed out. */
  get resourceVersion(): number {
    return this.#feed.resourceVersion;
  }

  /** Events after `rv`, or undefined when too old (410 Gone). */
  eventsSince(rv: number): StoreEvent[] | undefined {
    return this.#feed.eventsSince(rv);
  }

  /** Drops the event log up to now, so older resourceVersions get 410. */
  compact(): void {
    this.#feed.compact();
  }

  /** Registers a listener for every change; returns the unsubscribe function. */
  subscribe(fn: (e: StoreEvent) => void): () => void {
    return this.#feed.subscribe(fn);
  }

  /** The stored objects of a group/kind, unsorted and uncloned (read-only). */
  peekAll(group: string, kind: string): Iterable<KubeObject> {
    return this.#objects.get(groupKindKey(group, kind))?.values() ?? [];
  }

  /** Number of stored objects of every kind. */
  count(): number {
    let n = 0;
    for (const m of this.#objects.values()) n += m.size;
    return n;
  }

  /** One stored object, uncloned (read-only). */
  peek(
    group: string,
    kind: string,
    ns: string | undefined,
    name: string,
  ): KubeObject | undefined {
    return this.#objects.get(groupKindKey(group, kind))?.get(objKey(ns, name));
  }

  /** Every stored object (for persistence). */
  dump(): KubeObject[] {
    const out: KubeObject[] = [];
    for (const m of this.#objects.values())
      for (const o of m.values()) out.push(o);
    return out;
  }

  /** Restores objects saved by `dump` (persistence), keeping their metadata. */
  restore(objects: KubeObject[]): void {
    let max = this.#feed.resourceVersion;
    for (const o of objects) {
      const { group } = parseApiVersion(o.apiVersion);
      const gk = groupKindKey(group, o.kind);
      let m = this.#objects.get(gk);
      if (!m) this.#objects.set(gk, (m = new Map()));
      m.set(objKey(o.metadata.namespace, o.metadata.name), o);
      max = Math.max(max, Number(o.metadata.resourceVersion ?? 0));
    }
    this.#feed.restoreTo(max);
    this.#refreshCrds();
  }

  #typeOf(apiVersion: string, kind: string): ResourceType {
    const { group } = parseApiVersion(apiVersion);
    const t =
      this.registry.byKind(apiVersion, kind) ??
      this.registry.byGroupKind(group, kind);
    if (!t) {
      throw new ApiError(
        404,
        'NotFound',
        `the server could not find the requested resource (kind ${kind} in ${apiVersion})`,
      );
    }
    return t;
  }

  list(apiVersion: string, kind: string, namespace?: string): KubeObject[] {
    return this.listShared(apiVersion, kind, namespace).map(o => clone(o));
  }

  listShared(
    apiVersion: string,
    kind: string,
    namespace?: string,
  ): readonly KubeObject[] {
    const t = this.#typeOf(apiVersion, kind);
    const out: KubeObject[] = [];
    for (const o of this.peekAll(t.group, kind)) {
      if (namespace === undefined || o.metadata.namespace === namespace)
        out.push(o);
    }
    return out;
  }

  get(
    apiVersion: string,
    kind: string,
    namespace: string | undefined,
    name: string,
  ): KubeObject | undefined {
    const t = this.#typeOf(apiVersion, kind);
    const o = this.peek(
      t.group,
      kind,
      t.namespaced ? namespace : undefined,
      name,
    );
    return o ? clone(o) : undefined;
  }

  create(obj: KubeObject, opts: WriteOptions = {}): KubeObject {
    const t = this.#typeOf(obj.apiVersion, obj.kind);
    const o = clone(obj);
    o.metadata = { ...o.metadata };
    if (!t.namespaced) delete o.metadata.namespace;
    else if (!o.metadata.namespace) o.metadata.namespace = 'default';
    if (!o.metadata.name && typeof o.metadata.generateName === 'string') {
      o.metadata.name = `${o.metadata.generateName}${randomUUID().slice(0, 5)}`;
    }
    const gk = groupKindKey(t.group, t.kind);
    const key = objKey(o.metadata.namespace, o.metadata.name);
    if (this.#objects.get(gk)?.has(key)) {
      throw alreadyExists(t.plural, t.group, o.metadata.name);
    }
    if (
      t.namespaced &&
      !this.peek('', 'Namespace', undefined, o.metadata.namespace!)
    ) {
      throw notFound('namespaces', '', o.metadata.namespace!, 'namespaces');
    }
    o.metadata.uid = randomUUID();
    o.metadata.creationTimestamp = isoSeconds(this.#now());
    delete o.metadata.deletionTimestamp;
    if (t.hasGeneration) o.metadata.generation = 1;
    else delete o.metadata.generation;
    applyInitialState(o, t.kind);
    if (opts.dryRun) {
      o.metadata.resourceVersion = String(this.#feed.resourceVersion);
      return o;
    }
    o.metadata.resourceVersion = String(this.#feed.nextRv());
    let m = this.#objects.get(gk);
    if (!m) this.#objects.set(gk, (m = new Map()));
    m.set(key, o);
    this.#feed.publish('ADDED', gk, o);
    if (t.kind === 'CustomResourceDefinition') this.#refreshCrds();
    return clone(o);
  }

  /**
   * Replaces an object. `mode` says which part the caller may change: the
   * main resource keeps the stored status when the kind has a status
   * subresource; the status subresource keeps everything but status.
   */
  replace(
    obj: KubeObject,
    mode: ReplaceMode,
    opts: WriteOptions = {},
  ): KubeObject {
    const t = this.#typeOf(obj.apiVersion, obj.kind);
    const ns = t.namespaced ? obj.metadata.namespace ?? 'default' : undefined;
    const gk = groupKindKey(t.group, t.kind);
    const key = objKey(ns, obj.metadata.name);
    const old = this.#objects.get(gk)?.get(key);
    if (!old) throw notFound(t.plural, t.group, obj.metadata.name);
    const o = replacementOf(old, obj, mode, t, ns);
    if (sameIgnoringRv(o, old)) {
      return clone(old);
    }
    if (opts.dryRun) {
      o.metadata.resourceVersion = old.metadata.resourceVersion;
      return o;
    }
    o.metadata.resourceVersion = String(this.#feed.nextRv());
    this.#objects.get(gk)!.set(key, o);
    this.#feed.publish('MODIFIED', gk, o, old);
    if (t.kind === 'CustomResourceDefinition') this.#refreshCrds();
    return clone(o);
  }

  update(obj: KubeObject): KubeObject {
    return this.replace(obj, 'main');
  }

  updateStatus(obj: KubeObject): KubeObject {
    return this.replace(obj, 'status');
  }

  delete(
    apiVersion: string,
    kind: string,
    namespace: string | undefined,
    name: string,
  ): void {
    this.remove(apiVersion, kind, namespace, name, {});
  }

  /** Deletes an object and, unless orphaned, what it owns and (namespaces) contains. */
  remove(
    apiVersion: string,
    kind: string,
    namespace: string | undefined,
    name: string,
    opts: WriteOptions & DeletePreconditions & { orphan?: boolean },
  ): KubeObject {
    const t = this.#typeOf(apiVersion, kind);
    const gk = groupKindKey(t.group, t.kind);
    const key = objKey(t.namespaced ? namespace : undefined, name);
    const old = this.#objects.get(gk)?.get(key);
    if (!old) throw notFound(t.plural, t.group, name);
    checkDeletePreconditions(old, opts);
    const gone = clone(old);
    gone.metadata.deletionTimestamp = isoSeconds(this.#now());
    if (opts.dryRun) return gone;
    this.#objects.get(gk)!.delete(key);
    gone.metadata.resourceVersion = String(this.#feed.nextRv());
    this.#feed.publish('DELETED', gk, gone);
    if (t.kind === 'Namespace') {
      for (const [k, m] of this.#objects) {
        for (const [ok, o] of [...m]) {
          if (o.metadata.namespace === name) {
            m.delete(ok);
            const g = clone(o);
            g.metadata.resourceVersion = String(this.#feed.nextRv());
            this.#feed.publish('DELETED', k, g);
          }
        }
      }
    }
    if (!opts.orphan) this.#collectDependents(old.metadata.uid!);
    if (t.kind === 'CustomResourceDefinition') this.#refreshCrds();
    return gone;
  }

  #collectDependents(uid: string): void {
    const doomed: KubeObject[] = [];
    for (const m of this.#objects.values()) {
      for (const o of m.values()) {
        if (o.metadata.ownerReferences?.some(r => r.uid === uid))
          doomed.push(o);
      }
    }
    for (const o of doomed) {
      if (
        this.peek(
          parseApiVersion(o.apiVersion).group,
          o.kind,
          o.metadata.namespace,
          o.metadata.name,
        )
      ) {
        this.remove(
          o.apiVersion,
          o.kind,
          o.metadata.namespace,
          o.metadata.name,
          {},
        );
      }
    }
  }

  /** Serves the kinds of the stored CustomResourceDefinitions. */
  #refreshCrds(): void {
    const crds = [
      ...this.peekAll('apiextensions.k8s.io', 'CustomResourceDefinition'),
    ];
    this.registry.setCrdTypes(crds.flatMap(resourcesFromCrd));
  }

  /** Records a core/v1 Event about an object, as controllers do for `describe`. */
  recordEvent(...event: Parameters<EventRecorder['record']>): void {
    this.#events.record(...event);
  }
}
