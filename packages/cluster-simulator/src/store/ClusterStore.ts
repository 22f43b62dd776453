/*
 * One simulated cluster's object store: the etcd + registry part of an API
 * server. Keeps objects by group/kind, one resourceVersion counter, uid,
 * generation and timestamps as Kubernetes maintains them, garbage collection
 * through ownerReferences, and the event log watches are served from.
 */
import { randomUUID } from 'node:crypto';
import type { ClusterApi, KubeObject } from '../controllers/types';
import {
  ResourceRegistry,
  ResourceType,
  builtinResources,
  groupKindKey,
  parseApiVersion,
  resourcesFromCrd,
} from '../api/resources';
import { ApiError, alreadyExists, notFound } from '../api/status';
import { WatchHistory } from './WatchHistory';

/** A change to one object, as watches deliver it. */
export interface StoreEvent {
  type: 'ADDED' | 'MODIFIED' | 'DELETED';
  rv: number;
  groupKind: string;
  object: KubeObject;
  /** The object before the change (MODIFIED only). */
  old?: KubeObject;
}

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

// Objects are plain JSON; a JSON round trip copies them several times faster
// than structuredClone does.
const clone = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;

function objKey(ns: string | undefined, name: string): string {
  return `${ns ?? ''}/${name}`;
}

function specPart(o: KubeObject): string {
  const { metadata: _m, status: _s, ...rest } = o;
  return JSON.stringify(rest);
}

/** The object store of one simulated cluster. */
export class ClusterStore implements ClusterApi {
  readonly name: string;
  readonly region: string;
  readonly zones: string[];
  readonly registry = new ResourceRegistry(builtinResources());
  #objects = new Map<string, Map<string, KubeObject>>();
  #rv = 1;
  #history: WatchHistory<StoreEvent>;
  #listeners = new Set<(e: StoreEvent) => void>();
  #now: () => number;
  #maxEvents: number;
  #recorded: Array<{ ns: string; name: string }> = [];

  constructor(options: ClusterStoreOptions) {
    this.name = options.name;
    this.region = options.region;
    this.zones = options.zones;
    this.#history = new WatchHistory(options.historySize ?? 10000);
    this.#now = options.now ?? Date.now;
    this.#maxEvents = options.maxEvents ?? 2000;
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
    return this.#rv;
  }

  /** Events after `rv`, or undefined when too old (410 Gone). */
  eventsSince(rv: number): StoreEvent[] | undefined {
    return this.#history.since(rv);
  }

  /** Drops the event log up to now, so older resourceVersions get 410. */
  compact(): void {
    this.#history.compact(this.#rv);
  }

  /** Registers a listener for every change; returns the unsubscribe function. */
  subscribe(fn: (e: StoreEvent) => void): () => void {
    this.#listeners.add(fn);
    return () => this.#listeners.delete(fn);
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
    let max = this.#rv;
    for (const o of objects) {
      const { group } = parseApiVersion(o.apiVersion);
      const gk = groupKindKey(group, o.kind);
      let m = this.#objects.get(gk);
      if (!m) this.#objects.set(gk, (m = new Map()));
      m.set(objKey(o.metadata.namespace, o.metadata.name), o);
      max = Math.max(max, Number(o.metadata.resourceVersion ?? 0));
    }
    this.#rv = max;
    this.#history.compact(max);
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

  #emit(e: StoreEvent): void {
    this.#history.push(e.rv, e);
    for (const l of this.#listeners) l(e);
  }

  #nextRv(): number {
    this.#rv += 1;
    return this.#rv;
  }

  list(apiVersion: string, kind: string, namespace?: string): KubeObject[] {
    const t = this.#typeOf(apiVersion, kind);
    const out: KubeObject[] = [];
    for (const o of this.peekAll(t.group, kind)) {
      if (namespace === undefined || o.metadata.namespace === namespace)
        out.push(clone(o));
    }
    return out;
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
    o.metadata.creationTimestamp = new Date(this.#now())
      .toISOString()
      .replace(/\.\d+Z$/, 'Z');
    delete o.metadata.deletionTimestamp;
    if (t.hasGeneration) o.metadata.generation = 1;
    else delete o.metadata.generation;
    if (t.kind === 'Namespace') {
      o.spec = { finalizers: ['kubernetes'], ...o.spec };
      o.status = { phase: 'Active' };
      o.metadata.labels = {
        'kubernetes.io/metadata.name': o.metadata.name,
        ...o.metadata.labels,
      };
    }
    if (t.kind === 'CustomResourceDefinition' && !o.status) {
      const ts = o.metadata.creationTimestamp;
      o.status = {
        acceptedNames: o.spec?.names,
        conditions: [
          {
            type: 'NamesAccepted',
            status: 'True',
            reason: 'NoConflicts',
            message: 'no conflicts found',
            lastTransitionTime: ts,
          },
          {
            type: 'Established',
            status: 'True',
            reason: 'InitialNamesAccepted',
            message: 'the initial names have been accepted',
            lastTransitionTime: ts,
          },
        ],
        storedVersions: (o.spec?.versions ?? [])
          .filter((v: any) => v.storage)
          .map((v: any) => v.name),
      };
    }
    if (opts.dryRun) {
      o.metadata.resourceVersion = String(this.#rv);
      return o;
    }
    o.metadata.resourceVersion = String(this.#nextRv());
    let m = this.#objects.get(gk);
    if (!m) this.#objects.set(gk, (m = new Map()));
    m.set(key, o);
    this.#emit({ type: 'ADDED', rv: this.#rv, groupKind: gk, object: o });
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
    mode: 'main' | 'status' | 'all',
    opts: WriteOptions = {},
  ): KubeObject {
    const t = this.#typeOf(obj.apiVersion, obj.kind);
    const ns = t.namespaced ? obj.metadata.namespace ?? 'default' : undefined;
    const gk = groupKindKey(t.group, t.kind);
    const key = objKey(ns, obj.metadata.name);
    const old = this.#objects.get(gk)?.get(key);
    if (!old) throw notFound(t.plural, t.group, obj.metadata.name);
    let o = clone(obj);
    if (mode === 'status') {
      o = { ...clone(old), status: o.status };
    } else {
      if (mode === 'main' && t.statusSubresource) {
        if (old.status === undefined) delete o.status;
        else o.status = clone(old.status);
      }
      o.metadata = {
        ...o.metadata,
        uid: old.metadata.uid,
        creationTimestamp: old.metadata.creationTimestamp,
        namespace: ns,
      };
      if (!t.namespaced) delete o.metadata.namespace;
      if (t.hasGeneration) {
        o.metadata.generation =
          (old.metadata.generation ?? 1) +
          (specPart(o) !== specPart(old) ? 1 : 0);
      } else delete o.metadata.generation;
    }
    o.apiVersion = old.apiVersion;
    if (sameIgnoringRv(o, old)) {
      return clone(old);
    }
    if (opts.dryRun) {
      o.metadata.resourceVersion = old.metadata.resourceVersion;
      return o;
    }
    o.metadata.resourceVersion = String(this.#nextRv());
    this.#objects.get(gk)!.set(key, o);
    this.#emit({
      type: 'MODIFIED',
      rv: this.#rv,
      groupKind: gk,
      object: o,
      old,
    });
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
    opts: WriteOptions & {
      orphan?: boolean;
      preconditionRv?: string;
      preconditionUid?: string;
    },
  ): KubeObject {
    const t = this.#typeOf(apiVersion, kind);
    const gk = groupKindKey(t.group, t.kind);
    const key = objKey(t.namespaced ? namespace : undefined, name);
    const old = this.#objects.get(gk)?.get(key);
    if (!old) throw notFound(t.plural, t.group, name);
    if (opts.preconditionUid && opts.preconditionUid !== old.metadata.uid) {
      throw new ApiError(
        409,
        'Conflict',
        `Precondition failed: UID in precondition: ${opts.preconditionUid}, UID in object meta: ${old.metadata.uid}`,
      );
    }
    if (
      opts.preconditionRv &&
      opts.preconditionRv !== old.metadata.resourceVersion
    ) {
      throw new ApiError(
        409,
        'Conflict',
        `Precondition failed: ResourceVersion in precondition: ${opts.preconditionRv}, ResourceVersion in object meta: ${old.metadata.resourceVersion}`,
      );
    }
    const gone = clone(old);
    gone.metadata.deletionTimestamp = new Date(this.#now())
      .toISOString()
      .replace(/\.\d+Z$/, 'Z');
    if (opts.dryRun) return gone;
    this.#objects.get(gk)!.delete(key);
    gone.metadata.resourceVersion = String(this.#nextRv());
    this.#emit({ type: 'DELETED', rv: this.#rv, groupKind: gk, object: gone });
    if (t.kind === 'Namespace') {
      for (const [k, m] of this.#objects) {
        for (const [ok, o] of [...m]) {
          if (o.metadata.namespace === name) {
            m.delete(ok);
            const g = clone(o);
            g.metadata.resourceVersion = String(this.#nextRv());
            this.#emit({
              type: 'DELETED',
              rv: this.#rv,
              groupKind: k,
              object: g,
            });
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
  recordEvent(
    involved: KubeObject,
    type: 'Normal' | 'Warning',
    reason: string,
    message: string,
    component: string,
  ): void {
    const ts = new Date(this.#now()).toISOString().replace(/\.\d+Z$/, 'Z');
    const ns = involved.metadata.namespace ?? 'default';
    try {
      const ev = this.create({
        apiVersion: 'v1',
        kind: 'Event',
        metadata: {
          name: `${involved.metadata.name}.${randomUUID()
            .replace(/-/g, '')
            .slice(0, 16)}`,
          namespace: ns,
        },
        involvedObject: {
          apiVersion: involved.apiVersion,
          kind: involved.kind,
          name: involved.metadata.name,
          namespace: involved.metadata.namespace,
          uid: involved.metadata.uid,
          resourceVersion: involved.metadata.resourceVersion,
        },
        reason,
        message,
        type,
        source: { component },
        reportingComponent: component,
        reportingInstance: '',
        firstTimestamp: ts,
        lastTimestamp: ts,
        count: 1,
      });
      this.#recorded.push({ ns, name: ev.metadata.name });
      while (this.#recorded.length > this.#maxEvents) {
        const old = this.#recorded.shift()!;
        if (this.peek('', 'Event', old.ns, old.name)) {
          this.remove('v1', 'Event', old.ns, old.name, {});
        }
      }
    } catch {
      // The namespace may be going away; events are best effort upstream too.
    }
  }
}

function sameIgnoringRv(a: KubeObject, b: KubeObject): boolean {
  const strip = (o: KubeObject) => ({
    ...o,
    metadata: {
      ...o.metadata,
      resourceVersion: undefined,
      managedFields: undefined,
    },
  });
  return JSON.stringify(strip(a)) === JSON.stringify(strip(b));
}
