/*
 * A tiny in-memory stand-in for the simulator's object store, so the
 * operator and federation controllers are tested on their own: objects by
 * group/kind/namespace/name, uid/resourceVersion/generation bookkeeping,
 * namespaces that must exist, and ownerReference garbage collection.
 * Test-only; not exported from the package index.
 */
import type {
  ClusterApi,
  Controller,
  ControllerContext,
  FederationHost,
  KubeObject,
} from './types';

const CLUSTER_SCOPED = new Set([
  'Namespace',
  'Node',
  'PersistentVolume',
  'CustomResourceDefinition',
  'ClusterPropagationPolicy',
  'ClusterOverridePolicy',
]);

const groupOf = (apiVersion: string) =>
  apiVersion.includes('/') ? apiVersion.split('/')[0] : '';

const clone = <T>(v: T): T => structuredClone(v);

/** An in-memory ClusterApi with the write semantics controllers rely on. */
export class FakeCluster implements ClusterApi {
  readonly name: string;
  readonly region: string;
  readonly zones: string[];
  /** The federation role a world may give the cluster. */
  federationHost?: FederationHost;
  /** The labels a world may join the cluster with. */
  labels?: Record<string, string>;
  /** How many writes (create/update/updateStatus/delete) were made. */
  writes = 0;
  #objects = new Map<string, KubeObject>();
  #rv = 0;
  #uid = 0;

  constructor(options: {
    name: string;
    region: string;
    zones?: string[];
    federationHost?: FederationHost;
    labels?: Record<string, string>;
  }) {
    this.name = options.name;
    this.region = options.region;
    this.zones = options.zones ?? [`${options.region}a`, `${options.region}b`];
    this.federationHost = options.federationHost;
    this.labels = options.labels;
    this.create({
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: 'default' },
    });
    this.writes = 0;
  }

  #key(apiVersion: string, kind: string, ns: string | undefined, name: string) {
    const scope = CLUSTER_SCOPED.has(kind) ? '' : ns ?? 'default';
    return `${groupOf(apiVersion)}/${kind}/${scope}/${name}`;
  }

  list(apiVersion: string, kind: string, namespace?: string): KubeObject[] {
    const prefix = `${groupOf(apiVersion)}/${kind}/`;
    return [...this.#objects.entries()]
      .filter(([k]) => k.startsWith(prefix))
      .map(([, o]) => o)
      .filter(
        o => namespace === undefined || o.metadata.namespace === namespace,
      )
      .map(clone);
  }

  get(
    apiVersion: string,
    kind: string,
    namespace: string | undefined,
    name: string,
  ): KubeObject | undefined {
    const o = this.#objects.get(this.#key(apiVersion, kind, namespace, name));
    return o ? clone(o) : undefined;
  }

  create(obj: KubeObject): KubeObject {
    const o = clone(obj);
    const clusterScoped = CLUSTER_SCOPED.has(o.kind);
    if (clusterScoped) {
      delete o.metadata.namespace;
    } else {
      o.metadata.namespace ??= 'default';
      if (!this.get('v1', 'Namespace', undefined, o.metadata.namespace)) {
        throw new Error(`namespaces "${o.metadata.namespace}" not found`);
      }
    }
    const key = this.#key(
      o.apiVersion,
      o.kind,
      o.metadata.namespace,
      o.metadata.name,
    );
    if (this.#objects.has(key)) {
      throw new Error(`${o.kind} "${o.metadata.name}" already exists`);
    }
    this.#uid += 1;
    this.#rv += 1;
    o.metadata.uid = `${this.name}-uid-${this.#uid}`;
    o.metadata.resourceVersion = String(this.#rv);
    o.metadata.generation = 1;
    o.metadata.creationTimestamp = '2026-01-01T00:00:00Z';
    this.#objects.set(key, o);
    this.writes += 1;
    return clone(o);
  }

  #replace(obj: KubeObject, statusOnly: boolean): KubeObject {
    const key = this.#key(
      obj.apiVersion,
      obj.kind,
      obj.metadata.namespace,
      obj.metadata.name,
    );
    const old = this.#objects.get(key);
    if (!old) {
      throw new Error(`${obj.kind} "${obj.metadata.name}" not found`);
    }
    const next: KubeObject = statusOnly
      ? { ...clone(old), status: clone(obj.status) }
      : {
          ...clone(obj),
          metadata: {
            ...clone(obj.metadata),
            uid: old.metadata.uid,
            namespace: old.metadata.namespace,
            creationTimestamp: old.metadata.creationTimestamp,
          },
          status: clone(old.status),
        };
    if (next.status === undefined) {
      delete next.status;
    }
    const specChanged =
      JSON.stringify({ ...old, metadata: 0, status: 0 }) !==
      JSON.stringify({ ...next, metadata: 0, status: 0 });
    next.metadata.generation =
      (old.metadata.generation ?? 1) + (specChanged ? 1 : 0);
    next.metadata.resourceVersion = old.metadata.resourceVersion;
    if (JSON.stringify(next) === JSON.stringify(old)) {
      return clone(old);
    }
    this.#rv += 1;
    next.metadata.resourceVersion = String(this.#rv);
    this.#objects.set(key, next);
    this.writes += 1;
    return clone(next);
  }

  update(obj: KubeObject): KubeObject {
    return this.#replace(obj, false);
  }

  updateStatus(obj: KubeObject): KubeObject {
    return this.#replace(obj, true);
  }

  delete(
    apiVersion: string,
    kind: string,
    namespace: string | undefined,
    name: string,
  ): void {
    const key = this.#key(apiVersion, kind, namespace, name);
    const old = this.#objects.get(key);
    if (!old) {
      throw new Error(`${kind} "${name}" not found`);
    }
    this.#objects.delete(key);
    this.writes += 1;
    // Garbage collection: dependents go with their owner.
    for (const [k, o] of [...this.#objects.entries()]) {
      if (o.metadata.ownerReferences?.some(r => r.uid === old.metadata.uid)) {
        this.#objects.delete(k);
      }
    }
  }
}

/** Clusters, a clock and fault switches for driving controllers in tests. */
export class FakeWorld {
  readonly clusters = new Map<string, FakeCluster>();
  /** Milliseconds since the epoch, moved by `advance`. */
  time = Date.parse('2026-06-01T12:00:00Z');
  readonly partitions = new Set<string>();
  readonly down = new Set<string>();
  /** Events controllers recorded, oldest first. */
  readonly events: Array<{
    cluster: string;
    object: string;
    type: string;
    reason: string;
    message: string;
  }> = [];

  constructor(clusters: FakeCluster[]) {
    for (const c of clusters) {
      this.clusters.set(c.name, c);
    }
  }

  /** The demo's three clusters, optionally with federation roles. */
  static demo(roles: Record<string, FederationHost> = {}): FakeWorld {
    return new FakeWorld([
      new FakeCluster({
        name: 'eu-central',
        region: 'eu-central-1',
        federationHost: roles['eu-central'],
      }),
      new FakeCluster({
        name: 'eu-west',
        region: 'eu-west-1',
        federationHost: roles['eu-west'],
      }),
      new FakeCluster({
        name: 'us-east',
        region: 'us-east-1',
        federationHost: roles['us-east'],
      }),
    ]);
  }

  cluster(name: string): FakeCluster {
    const c = this.clusters.get(name);
    if (!c) {
      throw new Error(`no cluster ${name}`);
    }
    return c;
  }

  /** Cuts replication both ways between two clusters. */
  partition(a: string, b: string): void {
    this.partitions.add(`${a}>${b}`);
    this.partitions.add(`${b}>${a}`);
  }

  heal(): void {
    this.partitions.clear();
    this.down.clear();
  }

  advance(ms: number): void {
    this.time += ms;
  }

  context(cluster: string): ControllerContext {
    return {
      cluster: this.cluster(cluster),
      clusters: this.clusters,
      now: () => this.time,
      isPartitioned: (from, to) => this.partitions.has(`${from}>${to}`),
      isDown: name => this.down.has(name),
      recordEvent: (involved, type, reason, message) => {
        this.events.push({
          cluster,
          object: `${involved.kind}/${involved.metadata.name}`,
          type,
          reason,
          message,
        });
      },
    };
  }

  /** One reconcile round: every controller for every cluster, in order. */
  reconcile(controllers: Controller[], rounds = 1): void {
    for (let i = 0; i < rounds; i++) {
      for (const name of this.clusters.keys()) {
        for (const controller of controllers) {
          controller.reconcile(this.context(name));
        }
      }
    }
  }

  /** Adds a namespace to every cluster that lacks it. */
  ensureNamespace(namespace: string): void {
    for (const c of this.clusters.values()) {
      if (!c.get('v1', 'Namespace', undefined, namespace)) {
        c.create({
          apiVersion: 'v1',
          kind: 'Namespace',
          metadata: { name: namespace },
        });
      }
    }
  }
}
