/*
 * Generated from plugins/statefulsets-backend/src/schema/openapi.yaml by
 * plugins/statefulsets-backend/scripts/generate-openapi.js.
 * Do not edit by hand; edit the YAML and regenerate.
 */

export type Error = {
  error: {
    name: string;
    message: string;
  };
  request?: {
    method?: string;
    url?: string;
  };
  response: {
    statusCode?: number;
  };
};

export type ClusterError = {
  reason:
    | 'unreachable'
    | 'timeout'
    | 'unauthorized'
    | 'forbidden'
    | 'malformed'
    | 'error';
  message: string;
};

export type ClusterHealth = {
  name: string;
  title?: string;
  region?: string;
  zones: Array<string>;
  federationHost?: 'karmada' | 'kubefed';
  synced: boolean;
  lastSyncAt?: string;
  lastError?: ClusterError & {
    at?: string;
  };
  servedKinds: Array<string>;
};

/** See the `EntityTopology` type of @multicluster/backstage-plugin-statefulsets-common for every field. */
export type EntityTopology = {
  entityRef: string;
  generatedAt: string;
  policy: object;
  clusters: Array<{
    name: string;
    region?: string;
    reachable: boolean;
    stale: boolean;
    error?: ClusterError;
    role: 'active' | 'passive' | 'fenced' | 'unknown';
    trafficWeight?: number;
    workloads: Array<object>;
  }>;
  replication: Array<object>;
  traffic: object;
  federation: Array<object>;
  drift: Array<object>;
  readiness: {
    verdict: 'ready' | 'degraded' | 'not-ready';
    checks: Array<object>;
  };
};

export type CheckStatus = 'pass' | 'warn' | 'fail';

/** Planned switchover, emergency failover (the source is unreachable), or draining one cluster of an active-active set. */
export type FailoverMode = 'switchover' | 'failover' | 'drain';

/** What a failover is asked to do. */
export type FailoverRequest = {
  /** The cluster to move to; one of the entity's clusters. */
  targetCluster: string;
  mode: FailoverMode;
};

/** A failover request with its confirmation. */
export type StartFailoverRequest = FailoverRequest & {
  /** The entity's name, typed to confirm. */
  confirm: string;
  /** Required (true) for an emergency failover, which may lose data. */
  force?: boolean;
  /** Why an emergency failover is forced while the source still answers; required then, recorded in the run and the audit log. */
  reason?: string;
};

export type FailoverRunCreated = {
  id: string;
};

export type FailoverStepKind =
  | 'fence-traffic'
  | 'fence'
  | 'wait-catch-up'
  | 'promote'
  | 'move-traffic'
  | 'fence-old-source'
  | 'reattach'
  | 'drain-traffic'
  | 'verify';

/** One precondition of a plan with its verdict and evidence. */
export type FailoverCheck = {
  id: string;
  title: string;
  status: CheckStatus;
  evidence: string;
};

/** One step of a plan, what it changes, in which cluster. */
export type PlannedStep = {
  index: number;
  kind: FailoverStepKind;
  title: string;
  /** The cluster whose objects the step changes or reads; `*` for every cluster holding the route. */
  cluster: string;
  changes: Array<string>;
  /** True for steps undone by a rollback when a later step before promotion fails. */
  beforePromotion: boolean;
};

export type WorkloadRef = {
  apiVersion: string;
  kind: string;
  namespace: string;
  name: string;
};

/** The dry-run answer: what would happen, whether it may, and what may be lost. See the `FailoverPlan` type of @multicluster/backstage-plugin-statefulsets-common. */
export type FailoverPlan = {
  entityRef: string;
  mode: FailoverMode;
  /** The entity's engine (`multicluster-statefulsets/engine`), so a resumed run reads lag where the plan did. */
  engine?: string;
  /** The side giving up the primary role (for drain, the cluster drained). */
  sourceCluster?: string;
  targetCluster: string;
  generatedAt: string;
  /** True when no check failed. */
  allowed: boolean;
  requiresForce: boolean;
  offeredModes: Array<FailoverMode>;
  checks: Array<FailoverCheck>;
  steps: Array<PlannedStep>;
  /** Seconds of writes that may be lost; 0 for a switchover that waits for catch-up; null when unknown. */
  dataLossWindowSeconds: number | null;
  dataLoss: string;
  /** The same window read from the engines when the provider can (GTID sets, LSNs), next to the seconds. */
  dataLossInEngine?: {
    /** How much the target lacks of the source; null when the source cannot be read. */
    amount: number | null;
    /** The engine's unit, e.g. `transactions`, `WAL bytes`, `offsets`. */
    unit: string;
    detail: string;
    provider: string;
  };
  fenceMethod: string;
  /** How traffic moves: `istio` (VirtualService weights), `mcs` (ServiceExports) or `none` (clients redirected by hand); the same values as the topology's `traffic.routing` and the Software Template's `routing` parameter. */
  routing: 'istio' | 'mcs' | 'none';
  warnings: Array<string>;
  /** The workload acted on, per cluster. */
  workloads: {
    [key: string]: WorkloadRef;
  };
  route?: {
    namespace: string;
    name: string;
  };
  /** Longest time the source may be unable to take writes before promotion (`multicluster-statefulsets/fence-budget`, default 15); when it is spent the run rolls back. Absent from the plans of runs made before the budget existed. */
  fenceBudgetSeconds?: number;
};

/** `rolled-back-with-pending-repair`: rolled back where the clusters answered; the backend undoes the rest when the cluster answers again. */
export type FailoverRunStatus =
  | 'pending'
  | 'running'
  | 'succeeded'
  | 'rolled-back'
  | 'rolled-back-with-pending-repair'
  | 'needs-attention'
  | 'failed';

/** One write of a step, journaled when it was made, with what the written fields held before: a rollback undoes exactly these. */
export type FailoverChange = {
  cluster: string;
  /** `Kind namespace/name`. */
  object: string;
  path: string;
  /** `exec`: a command run in a pod through `pods/exec`; it is not undone by the journal (the provider undoes what it did). */
  action: 'patch' | 'create' | 'delete' | 'exec';
  /** The command of an exec, as given (it carries no credentials). */
  command?: Array<string>;
  /** The container an exec ran in, when named. */
  container?: string;
  /** The exit status of an exec. */
  exitCode?: number;
  /** How long an exec took. */
  durationMs?: number;
  /** The last lines of an exec's stdout and stderr. */
  output?: string;
  /** `applied`: the API server accepted it; `unknown`: the answer was lost; `refused`: it did not reach the object. */
  state: 'attempted' | 'applied' | 'unknown' | 'refused';
  at: string;
  previous?: unknown;
  undo?: 'undone' | 'pending' | 'not-needed' | 'failed';
  undoneAt?: string;
  undoError?: string;
};

export type FailoverStepStatus =
  | 'pending'
  | 'running'
  | 'succeeded'
  | 'failed'
  | 'skipped'
  | 'deferred';

/** A persisted run. */
export type FailoverRun = {
  id: string;
  entityRef: string;
  mode: FailoverMode;
  sourceCluster?: string;
  targetCluster: string;
  status: FailoverRunStatus;
  actor: string;
  createdAt: string;
  startedAt?: string;
  finishedAt?: string;
  /** Lag in seconds at fence time (switchover) or the last known lag (failover). */
  rpoSeconds?: number | null;
  /** From the start of the fence (or promotion) until traffic moved, in milliseconds. */
  rtoMs?: number | null;
  error?: string;
  /** What a human must do, when the run needs attention. */
  attention?: string;
  /** Why an emergency failover was forced against a source that still answered. */
  reason?: string;
  plan: FailoverPlan;
};

/** A persisted step of a run. */
export type FailoverRunStep = {
  runId: string;
  index: number;
  kind: FailoverStepKind;
  title: string;
  cluster: string;
  status: FailoverStepStatus;
  startedAt?: string;
  finishedAt?: string;
  inputs?: {
    [key: string]: unknown;
  };
  outcome?: {
    [key: string]: unknown;
  };
  error?: string;
  compensation: 'none' | 'compensated' | 'not-needed' | 'pending' | 'failed';
  compensationError?: string;
  changes?: Array<FailoverChange>;
};

/** A run with its journal of steps. */
export type FailoverRunDetails = FailoverRun & {
  steps: Array<FailoverRunStep>;
};

export type LagHistoryWindow = '1h' | '1d';

/** One lag reading. */
export type LagSample = {
  /** When the lag was read, in milliseconds since the epoch. */
  t: number;
  /** Seconds behind the source; null when the lag was unknown. */
  lagSeconds: number | null;
};

/** The lag history of one replication link. */
export type LinkLagHistory = {
  /** The cluster replicated from. */
  from: string;
  /** The cluster of the replica. */
  to: string;
  workload: string;
  /** `prometheus`: range queries against the configured Prometheus; `memory`: samples kept in this backend replica's memory since it began computing the entity's topology. */
  source: 'prometheus' | 'memory';
  /** Seconds between two samples (at most, for memory samples). */
  stepSeconds?: number;
  /** Why the history is not from where the link's lag is measured (for example a failing Prometheus), or why it is empty. */
  reason?: string;
  samples: Array<LagSample>;
};

/** A failover run of the entity in the window, for markers. */
export type LagHistoryRun = {
  id: string;
  mode: FailoverMode;
  status: FailoverRunStatus;
  sourceCluster?: string;
  targetCluster: string;
  createdAt: string;
  startedAt?: string;
  finishedAt?: string;
};

export type LagHistory = {
  entityRef: string;
  window: LagHistoryWindow;
  /** Start of the window, in milliseconds since the epoch. */
  from: number;
  /** End of the window, in milliseconds since the epoch. */
  to: number;
  /** The lag a switchover tolerates (`multicluster-statefulsets/max-failover-lag`). */
  thresholdSeconds: number;
  links: Array<LinkLagHistory>;
  /** The entity's failover runs that overlap the window, oldest first. */
  runs: Array<LagHistoryRun>;
};

/** A Kubernetes object as parsed from a generated manifest; free-form below its identity, bounded as a whole by the body limit. */
export type ManifestObject = {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    [key: string]: unknown;
  };
  [key: string]: unknown;
};

/** The objects to apply to one cluster, in apply order. */
export type ClusterManifests = {
  /** A configured cluster; each may appear once. */
  name: string;
  manifests: Array<ManifestObject>;
};

export type ApplyRequest = {
  /** The entity the manifests belong to, `kind:namespace/name`. */
  entityRef: string;
  /** Server-side dry run; nothing is stored or registered. */
  dryRun?: boolean;
  clusters: Array<ClusterManifests>;
  /** The catalog entity to register when every cluster succeeded: a Component or Resource whose ref is `entityRef`. Its fields are checked by the catalog's entity policies, whose message the 400 carries. */
  catalogInfo?: {
    apiVersion?: string;
    kind?: string;
    metadata?: object;
    spec?: object;
  };
};

export type ObjectResult = {
  kind: string;
  name: string;
  namespace?: string;
  action: 'created' | 'configured' | 'unchanged';
};

/** The outcome for one cluster; `error` is set when `status` is failed. */
export type ClusterApplyResult = {
  cluster: string;
  status: 'ok' | 'failed';
  objects: Array<ObjectResult>;
  /** Objects whose ownership stopped this cluster's apply (nothing is written in such a cluster), each with the reason. */
  refused?: Array<{
    kind: string;
    name: string;
    namespace?: string;
    reason: string;
  }>;
  error?: string;
};

export type ApplyResponse = {
  entityRef: string;
  dryRun: boolean;
  results: Array<ClusterApplyResult>;
  /** True when the catalog entity was stored for the catalog provider. */
  registered: boolean;
};

/** A Backstage catalog entity. */
export type Entity = {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    title?: string;
    description?: string;
    labels?: {
      [key: string]: string;
    };
    annotations?: {
      [key: string]: string;
    };
    tags?: Array<string>;
    [key: string]: unknown;
  };
  spec?: {
    [key: string]: unknown;
  };
  [key: string]: unknown;
};

/** A stored entity the catalog provider serves. */
export type GeneratedEntity = {
  entityRef: string;
  entity: Entity;
  createdBy: string;
  createdAt: string;
  updatedAt: string;
};

/** One Kubernetes object a discovered database was found as. */
export type DiscoveredObject = {
  cluster: string;
  kind: string;
  namespace: string;
  name: string;
  /** The owner its owner label (or annotation) names, when it has one. */
  owner?: string;
};

/** A database running in two or more clusters, with the entity suggested for it. `entity` is present only when an owner is known; otherwise `reason` says what to do. */
export type DiscoveredDatabase = {
  /** Stable key of the candidate, e.g. `helm-release/databases/mysql/shop`. */
  id: string;
  /** The suggested entity's name. */
  name: string;
  /** The Kubernetes namespace its objects live in. */
  namespace: string;
  engine: string;
  grouping: 'kubernetes-id' | 'helm-release' | 'operator';
  /** How the objects were grouped, in words (`same Helm release`). */
  groupedBy: string;
  clusters: Array<string>;
  objects: Array<DiscoveredObject>;
  owner?: string;
  /** The ref the suggested entity has (or would have). */
  entityRef: string;
  /** The annotations the suggested entity carries. */
  annotations: {
    [key: string]: string;
  };
  entity?: Entity;
  /** Why no entity is suggested. */
  reason?: string;
  /** An entity already in the catalog (not registered by discovery) with the same name, kubernetes-id or label selector; the candidate is then not offered to the catalog. */
  catalogMatch?: string;
};

export type DiscoveryClusterStatus = {
  name: string;
  /** StatefulSets and operator resources read in the last run. */
  objects: number;
  error?: string;
};

export type DiscoveredDatabases = {
  /** False when `multiclusterStatefulsets.discovery.enabled` is off; `items` is then empty. */
  enabled: boolean;
  /** Whether the catalog provider of discovered databases is configured on. */
  providerEnabled: boolean;
  /** When the last run finished; absent before the first. */
  refreshedAt?: string;
  /** Set when the catalog could not be read for matches; the catalog provider then keeps what it registered before. */
  catalogError?: string;
  clusters: Array<DiscoveryClusterStatus>;
  items: Array<DiscoveredDatabase>;
};
