/*
 * The write side of the extension points: what a replication provider must
 * do to fence, promote and wait for a side, and what a traffic router must
 * do to move traffic. Both extend the read-only contracts compatibly, so one
 * object can serve the topology and the failover engine. Every method must
 * be idempotent: the engine re-runs a step after a restart, so each one
 * checks the live object before changing it.
 */
import {
  EngineDataLoss,
  FailoverStepDescriptions,
  FailoverStepSides,
  TrafficRouting,
  WorkloadRef,
} from '@multicluster/backstage-plugin-statefulsets-common';
import { ReplicationProvider, TrafficRouter } from '../types';

/** A namespaced object a failover acts on (one shape for planner and providers). */
export type { WorkloadRef };

/** A namespaced resource: one object when named, else its collection. */
export interface ResourceRef {
  apiVersion: string;
  kind: string;
  namespace: string;
  name?: string;
}

/** A pod (and optionally one of its containers) to run a command in. */
export interface ExecTarget {
  namespace: string;
  pod: string;
  /** The pod's default container when absent. */
  container?: string;
}

/** What a command run through `pods/exec` did. */
export interface ExecResult {
  /** The command's exit status (0: success); a non-zero one is no error. */
  exitCode: number;
  /** The command's stdout (its tail when longer than the bound). */
  stdout: string;
  /** The command's stderr (its tail when longer than the bound). */
  stderr: string;
  durationMs: number;
  /** Whether stdout or stderr was cut (the start is dropped, marked in the text). */
  truncated: boolean;
}

/** Options of one exec. */
export interface ExecOptions {
  /** Deadline over the connection and the command; the client's default when absent. */
  timeoutMs?: number;
  /** Ends the command (the connection is closed) when aborted. */
  signal?: AbortSignal;
}

/** Writes to one cluster's API server; every call has a timeout and throws typed errors. */
export interface ClusterWriteClient {
  /** The cluster's name. */
  readonly cluster: string;
  /**
   * The API path of a resource in this cluster (its plural from the
   * cluster's kinds, never guessed); throws for a kind it does not serve.
   */
  pathOf(ref: ResourceRef): string;
  /** GETs an API path; undefined on 404. */
  get<T = any>(path: string): Promise<T | undefined>;
  /** Applies a JSON merge patch (RFC 7386) and returns the object. */
  mergePatch<T = any>(path: string, patch: unknown): Promise<T>;
  /** POSTs a new object to a collection path and returns it. */
  create<T = any>(path: string, body: unknown): Promise<T>;
  /** DELETEs an object; a 404 counts as success. */
  delete(path: string): Promise<void>;
  /**
   * Runs a command in a pod's container through `pods/exec` (a write: the
   * engine journals it and checks its lease first). The command must carry
   * no credentials: it is journaled, so a password comes from the pod's
   * environment (`"$MYSQL_PWD"`) or a mounted Secret (`"$(cat /etc/db/pw)"`);
   * a command with one inline is refused with an InputError. Throws a typed
   * timeout error past the deadline. Absent in clients that cannot exec.
   */
  exec?(
    target: ExecTarget,
    command: string[],
    options?: ExecOptions,
  ): Promise<ExecResult>;
}

/** One side of a failover: a cluster, its client, and the workload there. */
export interface FailoverSide {
  cluster: string;
  client: ClusterWriteClient;
  workload: WorkloadRef;
}

/** What every write-side call gets besides its sides. */
export interface FailoverCallContext {
  entityRef: string;
  /** The entity's engine, when the run's plan recorded it (lag sources pick their query by it). */
  engine?: string;
  /** Aborted when the engine stops; long waits must honour it. */
  signal?: AbortSignal;
  /** Milliseconds since the epoch. */
  now(): number;
}

/** A lag reading, as raw as the source has it (staleness is the caller's call). */
export interface LagReading {
  seconds: number | null;
  observedAt?: string;
}

/** JSON data a step keeps to be able to undo itself. */
export type UndoData = Record<string, unknown>;

/**
 * A replication provider that can also fence, promote and wait. Implemented
 * per engine: the generic one uses role annotations and scaling, operators
 * use their own APIs (CloudNativePG demotion and promotion tokens).
 */
export interface FailoverReplicationProvider extends ReplicationProvider {
  /**
   * Whether this provider fails over the given workload kind, for the
   * entity's engine (`multicluster-statefulsets/engine`) when known.
   */
  supportsWorkload(workload: WorkloadRef, engine?: string): boolean;
  /**
   * How this provider fences and promotes, in words for the plan (pure: no
   * reads). Give `reattach` only when `reattach` turns the old primary into
   * a replica. A provider without it is shown in neutral words naming it.
   */
  describeSteps?(sides: FailoverStepSides): FailoverStepDescriptions;
  /** Latest lag of the target behind its source. */
  readLag(target: FailoverSide, ctx: FailoverCallContext): Promise<LagReading>;
  /** Stops the source taking writes; returns what `unfence` needs. */
  fence(
    source: FailoverSide,
    target: FailoverSide,
    ctx: FailoverCallContext,
  ): Promise<UndoData>;
  /** Undoes `fence` (rollback before promotion). */
  unfence(
    source: FailoverSide,
    undo: UndoData,
    ctx: FailoverCallContext,
  ): Promise<void>;
  /**
   * Whether `waitCaughtUp` compares the engine's own positions (GTID sets,
   * LSNs) rather than a lag in seconds: a lag source then reads the lag
   * but never replaces that wait.
   */
  readonly catchUpInEngine?: boolean;
  /**
   * What the target lacks of the source right now, in the engine's own
   * units, for the plan (reads only; undefined when it cannot tell).
   */
  readDataLoss?(
    target: FailoverSide,
    source: FailoverSide,
    ctx: FailoverCallContext,
  ): Promise<Omit<EngineDataLoss, 'provider'> | undefined>;
  /** Resolves once the target has replayed everything the fenced source wrote; throws on timeout. */
  waitCaughtUp(
    target: FailoverSide,
    source: FailoverSide,
    ctx: FailoverCallContext & {
      timeoutMs: number;
      /** Only readings taken at or after this time (ms) count. */
      since?: number;
    },
  ): Promise<LagReading>;
  /** Makes the target the primary. `fenced` is what `fence` returned, absent in an emergency. */
  promote(
    target: FailoverSide,
    source: FailoverSide,
    ctx: FailoverCallContext & { fenced?: UndoData; emergency: boolean },
  ): Promise<UndoData>;
  /** Undoes a promotion that did not take effect, before a rollback. */
  abortPromotion(
    target: FailoverSide,
    source: FailoverSide,
    ctx: FailoverCallContext,
  ): Promise<void>;
  /** Whether the target already acts as primary (to tell a failed promotion from a lost answer). */
  isPromoted(target: FailoverSide, ctx: FailoverCallContext): Promise<boolean>;
  /** Marks an old primary that comes back after an emergency so it cannot act as a second one. */
  markFenced(
    old: FailoverSide,
    primary: FailoverSide,
    ctx: FailoverCallContext,
  ): Promise<void>;
  /** Optionally turns a fenced old primary into a replica of the new one after a switchover. */
  reattach?(
    old: FailoverSide,
    primary: FailoverSide,
    undo: UndoData,
    ctx: FailoverCallContext,
  ): Promise<void>;
  /** Checks the roles after the run; returns the problems found. */
  verifyRoles(
    primary: FailoverSide,
    old: FailoverSide | undefined,
    ctx: FailoverCallContext,
  ): Promise<string[]>;
}

/** Where an entity's traffic route lives. */
export interface TrafficRouteContext extends FailoverCallContext {
  /** `namespace/name` of the routing object from the entity annotation, if any. */
  route?: { namespace: string; name: string };
  /** The workload's namespace and name (ServiceExports are named after the service). */
  workload: WorkloadRef;
  /** Clients of every configured cluster. */
  clients: ClusterWriteClient[];
}

/** The result of a traffic change: per-cluster previous state for `restore`, and clusters that could not be written. */
export interface TrafficChange {
  undo: UndoData;
  /** Clusters holding the route that did not answer; the engine reapplies there later. */
  unreachable: string[];
}

/** A traffic router that can also move traffic. */
export interface FailoverTrafficRouter extends TrafficRouter {
  /** The mechanism it moves, matching a plan's `routing`. */
  readonly id: TrafficRouting;
  /** Whether this router finds a route for the entity. */
  hasRoute(ctx: TrafficRouteContext): Promise<boolean>;
  /** Current weights per cluster. */
  readWeights(ctx: TrafficRouteContext): Promise<Record<string, number>>;
  /** Sets the weights per cluster in every cluster holding the route. */
  setWeights(
    ctx: TrafficRouteContext,
    weights: Record<string, number>,
    options?: { onlyClusters?: string[] },
  ): Promise<TrafficChange>;
  /** Sends all traffic to `to`, none to `from`. */
  moveTraffic(
    ctx: TrafficRouteContext,
    from: string | undefined,
    to: string,
    options?: { onlyClusters?: string[] },
  ): Promise<TrafficChange>;
  /** Puts back the weights a change recorded (`undo.weights`). */
  restore(ctx: TrafficRouteContext, undo: UndoData): Promise<void>;
}
