/*
 * The contract between the simulator's API server (the object store of each
 * cluster) and the small controllers that play kube-controller-manager,
 * operators and federation control planes. Controllers are level-triggered:
 * `reconcile` is called after changes (debounced) and on a periodic tick, and
 * must converge the store towards the desired state idempotently.
 */

/** A Kubernetes object as stored by the simulator. */
export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    uid?: string;
    resourceVersion?: string;
    generation?: number;
    creationTimestamp?: string;
    deletionTimestamp?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    ownerReferences?: Array<{
      apiVersion: string;
      kind: string;
      name: string;
      uid: string;
      controller?: boolean;
      blockOwnerDeletion?: boolean;
    }>;
    [key: string]: unknown;
  };
  spec?: any;
  status?: any;
  [key: string]: unknown;
}

/** A federation control plane a world may install in a cluster. */
export type FederationHost = 'karmada' | 'kubefed';

/** One simulated cluster's object store, as controllers see it. */
export interface ClusterApi {
  readonly name: string;
  readonly region: string;
  readonly zones: string[];
  /** The federation control plane installed here, as the world says (none: a plain member). */
  readonly federationHost?: FederationHost;
  /** The labels the cluster was joined to its federations with, as the world says. */
  readonly labels?: Readonly<Record<string, string>>;
  /** Objects of one kind, in one namespace or (namespace undefined) all. */
  list(apiVersion: string, kind: string, namespace?: string): KubeObject[];
  get(
    apiVersion: string,
    kind: string,
    namespace: string | undefined,
    name: string,
  ): KubeObject | undefined;
  /**
   * Like `list`, without copying: the stored objects themselves, which the
   * caller must not change. Optional; fall back to `list` when absent.
   */
  listShared?(
    apiVersion: string,
    kind: string,
    namespace?: string,
  ): readonly KubeObject[];
  /** Stores a new object (uid, resourceVersion, timestamps filled in). */
  create(obj: KubeObject): KubeObject;
  /** Replaces an object's metadata/spec; bumps generation when spec changes. */
  update(obj: KubeObject): KubeObject;
  /** Replaces only an object's status. */
  updateStatus(obj: KubeObject): KubeObject;
  delete(
    apiVersion: string,
    kind: string,
    namespace: string | undefined,
    name: string,
  ): void;
}

/** What a controller may look at and change on each reconcile. */
export interface ControllerContext {
  /** The cluster this reconcile runs for. */
  cluster: ClusterApi;
  /** Every cluster of the world, by name (federation controllers write to members). */
  clusters: ReadonlyMap<string, ClusterApi>;
  /** Milliseconds since the epoch; controllers never read the clock directly. */
  now(): number;
  /** True while replication from `from` to `to` is cut by an admin partition. */
  isPartitioned(from: string, to: string): boolean;
  /** True while a cluster is injected `down` (or `hang`). */
  isDown(cluster: string): boolean;
  /**
   * The world's replication settings for this cluster (its own `replication`
   * block over the world's top-level one), if any.
   */
  replication?: Record<string, unknown>;
  /** Asks for another reconcile of this cluster within `ms` (e.g. a readiness delay). */
  requeueAfter?(ms: number): void;
  /** Records a core/v1 Event about an object (what `kubectl describe` lists). */
  recordEvent?(
    involved: KubeObject,
    type: 'Normal' | 'Warning',
    reason: string,
    message: string,
    /** Who reports it (`From` in describe); defaults to the controller. */
    component?: string,
  ): void;
}

/** A level-triggered controller run once per cluster per reconcile round. */
export interface Controller {
  name: string;
  reconcile(ctx: ControllerContext): void;
}

/**
 * Kinds the simulator's controllers create and change on their own (pods
 * with their claims and volumes as a StatefulSet rolls out, revisions,
 * endpoints, events): a test that checks "nothing was written" compares the
 * other objects, which are the ones that drive these.
 */
export const CONTROLLER_MADE_KINDS: ReadonlySet<string> = new Set([
  'Event',
  'Pod',
  'PersistentVolumeClaim',
  'PersistentVolume',
  'ControllerRevision',
  'Endpoints',
  'EndpointSlice',
]);
