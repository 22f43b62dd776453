/*
 * Plays the CloudNativePG operator for `postgresql.cnpg.io/v1` Cluster
 * objects: instance pods `<name>-1..N` and their data claims (no
 * StatefulSet), the status counters, fencing through the
 * `cnpg.io/fencedInstances` annotation, and the replica-cluster switchover
 * between Kubernetes clusters: a primary whose `spec.replica.primary` moves
 * away demotes and publishes `status.demotionToken`; the other side promotes
 * only when its `spec.replica.promotionToken` equals that token and it has
 * replayed up to it (or, without a token, when `spec.replica.enabled` is
 * false: a plain failover).
 *
 * Lag of a replica side, in seconds, is kept in `status.replicationLag`
 * `{ source, seconds, observedAt }` (an addition of the simulator; upstream
 * exposes it as a metric) and, when the Cluster opts in by carrying the
 * `multicluster-statefulsets/role` annotation, in the same
 * `multicluster-statefulsets/replication-lag-*` annotations StatefulSets
 * carry, with role/source annotations kept in step with the actual side.
 */
import { createHash } from 'node:crypto';
import type {
  ClusterApi,
  Controller,
  ControllerContext,
  KubeObject,
} from './types';

const API_VERSION = 'postgresql.cnpg.io/v1';
const FENCED = 'cnpg.io/fencedInstances';
const ROLE = 'multicluster-statefulsets/role';
const SOURCE = 'multicluster-statefulsets/replication-source';
const LAG = 'multicluster-statefulsets/replication-lag-seconds';
const LAG_AT = 'multicluster-statefulsets/replication-lag-observed-at';

/** Phase of a cluster whose instances are (partly) fenced. */
export const PHASE_FENCED = 'Cluster is fenced';
/** Condition type recording why a replica side did or did not promote. */
export const PROMOTION_CONDITION = 'ReplicaClusterPromotion';

const PHASE_HEALTHY = 'Cluster in healthy state';
const PHASE_WAITING = 'Waiting for the instances to become active';
const PHASE_USER = 'Waiting for user action';
const PHASE_SWITCHOVER = 'Switchover in progress';
/**
 * The lag model, shaped like the StatefulSet replication exporter's so both
 * kinds of workload move alike; the world's `replication` settings
 * (minLagSeconds, maxLagSeconds, catchUpSecondsPerSecond, intervalMs,
 * fixedLagSeconds) override these defaults.
 */
interface LagModel {
  min: number;
  max: number;
  catchUp: number;
  /** Lag is re-measured at most this often, so writes don't loop on themselves. */
  intervalMs: number;
  fixed?: number;
}

function lagModel(ctx: ControllerContext): LagModel {
  const r = ctx.replication ?? {};
  const num = (key: string, fallback: number) =>
    typeof r[key] === 'number' && (r[key] as number) >= 0
      ? (r[key] as number)
      : fallback;
  const min = num('minLagSeconds', 0.2);
  return {
    min,
    max: Math.max(min, num('maxLagSeconds', 1.5)),
    catchUp: num('catchUpSecondsPerSecond', 5),
    intervalMs: num('intervalMs', 1000),
    fixed:
      typeof r.fixedLagSeconds === 'number'
        ? (r.fixedLagSeconds as number)
        : undefined,
  };
}

type Role = 'primary' | 'replica';

interface ReplicaSpec {
  enabled?: boolean;
  self?: string;
  primary?: string;
  source?: string;
  promotionToken?: string;
}

interface Condition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  reason: string;
  message: string;
  lastTransitionTime: string;
  observedGeneration?: number;
}

/** The content of a demotion token: where the old primary stopped writing. */
export interface DemotionTokenContent {
  databaseSystemIdentifier: string;
  latestCheckpointTimelineID: number;
  latestCheckpointREDOLocation: string;
  redoWALFile: string;
  timeOfLatestCheckpoint: string;
  operatorVersion: string;
}

/** Decodes a demotion/promotion token; undefined when it is not one. */
export function decodeDemotionToken(
  token: string,
): DemotionTokenContent | undefined {
  try {
    const parsed = JSON.parse(Buffer.from(token, 'base64').toString('utf8'));
    return typeof parsed?.latestCheckpointTimelineID === 'number'
      ? parsed
      : undefined;
  } catch {
    return undefined;
  }
}

const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z');

function systemIdentifier(namespace: string, name: string): string {
  // Both sides of a replica topology share the system identifier of the
  // database they were cloned from; derive it from the name so they agree.
  const hash = createHash('sha256').update(`${namespace}/${name}`).digest();
  return (BigInt(`0x${hash.subarray(0, 8).toString('hex')}`) % 10n ** 19n)
    .toString()
    .padStart(19, '7');
}

function lsnAt(ms: number): { lsn: string; walFile: (tl: number) => string } {
  const bytes = BigInt(Math.floor(ms / 1000)) * 16384n;
  const hi = bytes >> 32n;
  const lo = bytes & 0xffffffffn;
  const hex = (v: bigint, w = 8) =>
    v.toString(16).toUpperCase().padStart(w, '0');
  return {
    lsn: `${hi.toString(16).toUpperCase()}/${lo.toString(16).toUpperCase()}`,
    walFile: tl => `${hex(BigInt(tl))}${hex(hi)}${hex(lo >> 24n)}`,
  };
}

function makeDemotionToken(
  namespace: string,
  name: string,
  timeline: number,
  now: number,
): string {
  const { lsn, walFile } = lsnAt(now);
  const content: DemotionTokenContent = {
    databaseSystemIdentifier: systemIdentifier(namespace, name),
    latestCheckpointTimelineID: timeline,
    latestCheckpointREDOLocation: lsn,
    redoWALFile: walFile(timeline),
    timeOfLatestCheckpoint: iso(now),
    operatorVersion: 'simulated',
  };
  return Buffer.from(JSON.stringify(content), 'utf8').toString('base64');
}

/** Deterministic jitter in [min, max), so tests need no randomness. */
function jitter(now: number, key: string, model: LagModel): number {
  if (model.fixed !== undefined) {
    return model.fixed;
  }
  const h = createHash('sha1')
    .update(`${key}@${Math.floor(now / 1000)}`)
    .digest();
  return model.min + (h.readUInt16BE(0) / 65536) * (model.max - model.min);
}

/** Whether the spec wants this cluster to be the primary side. */
function designatedPrimary(replica: ReplicaSpec | undefined): boolean {
  if (!replica) {
    return true;
  }
  if (replica.primary && replica.self) {
    return replica.enabled !== true && replica.primary === replica.self;
  }
  return replica.enabled !== true;
}

function reportsPrimary(status: any): boolean {
  return Object.values(status?.instancesReportedState ?? {}).some(
    (s: any) => s?.isPrimary === true,
  );
}

function parseFenced(
  value: string | undefined,
  instances: string[],
): Set<string> {
  if (!value) {
    return new Set();
  }
  try {
    const list = JSON.parse(value);
    if (!Array.isArray(list)) {
      return new Set();
    }
    return new Set(list.includes('*') ? instances : list.map(String));
  } catch {
    return new Set();
  }
}

function tryGet(
  api: ClusterApi,
  namespace: string,
  name: string,
): KubeObject | undefined {
  try {
    return api.get(API_VERSION, 'Cluster', namespace, name);
  } catch {
    // The CRD may not be installed in that cluster.
    return undefined;
  }
}

/** The same Cluster (namespace/name) in the other clusters of the world. */
function peers(ctx: ControllerContext, namespace: string, name: string) {
  const result: Array<{ cluster: string; object: KubeObject }> = [];
  for (const [clusterName, api] of ctx.clusters) {
    if (clusterName === ctx.cluster.name) {
      continue;
    }
    const object = tryGet(api, namespace, name);
    if (object) {
      result.push({ cluster: clusterName, object });
    }
  }
  return result;
}

function setCondition(
  conditions: Condition[],
  next: Omit<Condition, 'lastTransitionTime'>,
  now: number,
): Condition[] {
  const old = conditions.find(c => c.type === next.type);
  const lastTransitionTime =
    old && old.status === next.status ? old.lastTransitionTime : iso(now);
  return [
    ...conditions.filter(c => c.type !== next.type),
    { ...next, lastTransitionTime },
  ];
}

interface LagState {
  source: string;
  seconds: number;
  observedAt: string;
}

/** Moves a replica side's lag: jitter when streaming, growth when cut off. */
function nextLag(
  ctx: ControllerContext,
  cluster: KubeObject,
  source: string,
  sourceWrites: boolean,
  restart: boolean,
): LagState {
  const now = ctx.now();
  const model = lagModel(ctx);
  const prev: LagState | undefined = cluster.status?.replicationLag;
  const prevAt = prev ? Date.parse(prev.observedAt) : NaN;
  if (
    !restart &&
    prev &&
    prev.source === source &&
    now - prevAt < model.intervalMs
  ) {
    return prev;
  }
  const elapsed = Number.isFinite(prevAt)
    ? Math.max(0, (now - prevAt) / 1000)
    : 0;
  const prevSeconds = restart || !prev ? 0 : Number(prev.seconds) || 0;
  const cut = ctx.isDown(source) || ctx.isPartitioned(source, ctx.cluster.name);
  let seconds: number;
  if (cut) {
    seconds = prevSeconds + elapsed;
  } else if (!sourceWrites) {
    // The source stopped taking writes (demoted or fenced): drain to zero.
    seconds = Math.max(0, prevSeconds - model.catchUp * elapsed);
  } else {
    const floor = jitter(
      now,
      `${ctx.cluster.name}/${cluster.metadata.name}`,
      model,
    );
    seconds = Math.max(floor, prevSeconds - model.catchUp * elapsed);
  }
  return {
    source,
    seconds: Math.round(seconds * 1000) / 1000,
    observedAt: iso(now),
  };
}

function podStatus(
  ready: boolean,
  index: number,
  image: string,
  startedAt: string,
): Record<string, unknown> {
  const flag = ready ? 'True' : 'False';
  return {
    phase: 'Running',
    conditions: [
      { type: 'PodScheduled', status: 'True', lastTransitionTime: startedAt },
      { type: 'Initialized', status: 'True', lastTransitionTime: startedAt },
      { type: 'ContainersReady', status: flag, lastTransitionTime: startedAt },
      { type: 'Ready', status: flag, lastTransitionTime: startedAt },
    ],
    podIP: `10.42.${Math.floor(index / 250)}.${(index % 250) + 2}`,
    startTime: startedAt,
    containerStatuses: [
      {
        name: 'postgres',
        image,
        imageID: '',
        ready,
        started: true,
        restartCount: 0,
        state: { running: { startedAt } },
      },
    ],
  };
}

function reconcileCluster(ctx: ControllerContext, cluster: KubeObject): void {
  const api = ctx.cluster;
  const now = ctx.now();
  const name = cluster.metadata.name;
  const namespace = cluster.metadata.namespace ?? 'default';
  const spec = cluster.spec ?? {};
  const status = cluster.status ?? {};
  const replica: ReplicaSpec | undefined = spec.replica;
  const count = Math.max(0, Number(spec.instances ?? 1));
  const instances = Array.from({ length: count }, (_, i) => `${name}-${i + 1}`);
  const fenced = parseFenced(cluster.metadata.annotations?.[FENCED], instances);
  const image: string =
    spec.imageName ?? 'ghcr.io/cloudnative-pg/postgresql:17';
  const designated = designatedPrimary(replica);
  const bootstrapping = !status.instancesReportedState;
  let role: Role = (bootstrapping ? designated : reportsPrimary(status))
    ? 'primary'
    : 'replica';
  let timeline: number = Number(status.timelineID) || 1;
  let demotionToken: string | undefined = status.demotionToken;
  let lastPromotionToken: string | undefined = status.lastPromotionToken;
  let conditions: Condition[] = [...(status.conditions ?? [])];
  let restartLag = false;
  let blocked: { reason: string; message: string } | undefined;
  let currentPrimaryTimestamp: string | undefined =
    status.currentPrimaryTimestamp;
  const source = replica?.source ?? '';
  const sourcePeer = peers(ctx, namespace, name).find(
    p => p.cluster === source,
  );
  const sourceWrites = sourcePeer
    ? reportsPrimary(sourcePeer.object.status) &&
      !(sourcePeer.object.metadata.annotations?.[FENCED] ?? '').includes('*')
    : true;

  if (role === 'primary' && !designated) {
    // Demote: stop writing, publish where we stopped, follow the new primary.
    demotionToken = makeDemotionToken(namespace, name, timeline, now);
    role = 'replica';
    restartLag = true;
    conditions = conditions.filter(c => c.type !== PROMOTION_CONDITION);
    ctx.recordEvent?.(
      cluster,
      'Normal',
      'Demoted',
      `Demoted to a replica cluster of ${
        replica?.primary ?? 'the new primary'
      }; status.demotionToken published`,
    );
  } else if (role === 'replica' && designated) {
    const token = replica?.promotionToken;
    const lag = nextLag(ctx, cluster, source, sourceWrites, false);
    const cut = ctx.isDown(source) || ctx.isPartitioned(source, api.name);
    if (!replica) {
      role = 'primary';
    } else if (token) {
      const holder = peers(ctx, namespace, name).find(
        p => p.object.status?.demotionToken === token,
      );
      const content = decodeDemotionToken(token);
      if (token === lastPromotionToken) {
        blocked = {
          reason: 'PromotionTokenAlreadyUsed',
          message:
            'spec.replica.promotionToken was already used for an earlier promotion; set the current status.demotionToken of the demoted primary',
        };
      } else if (!holder || !content) {
        blocked = {
          reason: 'PromotionTokenMismatch',
          message:
            'spec.replica.promotionToken does not match the status.demotionToken of any demoted primary; not promoting',
        };
      } else if (cut || lag.seconds > 0) {
        blocked = {
          reason: 'WaitingForCatchUp',
          message: `waiting to replay up to ${
            content.latestCheckpointREDOLocation
          } from ${holder.cluster} (lag ${lag.seconds}s${
            cut ? ', source unreachable' : ''
          })`,
        };
      } else {
        role = 'primary';
        timeline = content.latestCheckpointTimelineID + 1;
        lastPromotionToken = token;
      }
    } else if (replica.enabled === false) {
      // A failover without the old primary's token: promote right away.
      role = 'primary';
      timeline += 1;
    } else {
      blocked = {
        reason: 'PromotionTokenMissing',
        message:
          "spec.replica.primary names this cluster but spec.replica.promotionToken is empty; set it to the demoted primary's status.demotionToken, or set spec.replica.enabled to false for a failover",
      };
    }
    const previous = conditions.find(c => c.type === PROMOTION_CONDITION);
    if (role === 'primary') {
      ctx.recordEvent?.(
        cluster,
        'Normal',
        'Promoted',
        token
          ? 'Promoted after replaying up to the demotion token'
          : 'Promoted without a demotion token (failover)',
      );
      demotionToken = undefined;
      currentPrimaryTimestamp = iso(now);
      conditions = setCondition(
        conditions,
        {
          type: PROMOTION_CONDITION,
          status: 'True',
          reason: 'Promoted',
          message: token
            ? 'promoted after replaying up to the demotion token'
            : 'promoted without a demotion token (failover)',
        },
        now,
      );
    } else if (blocked) {
      if (previous?.reason !== blocked.reason) {
        ctx.recordEvent?.(cluster, 'Warning', blocked.reason, blocked.message);
      }
      conditions = setCondition(
        conditions,
        { type: PROMOTION_CONDITION, status: 'False', ...blocked },
        now,
      );
    }
  } else if (role === 'replica') {
    conditions = conditions.filter(
      c => !(c.type === PROMOTION_CONDITION && c.status === 'False'),
    );
  }

  const primaryPod = instances.includes(status.currentPrimary)
    ? status.currentPrimary
    : instances[0];
  const owner = {
    apiVersion: API_VERSION,
    kind: 'Cluster',
    name,
    uid: cluster.metadata.uid ?? '',
    controller: true,
  };
  const inherited = spec.inheritedMetadata ?? {};
  const readyPods: string[] = [];

  const nodes = api.list('v1', 'Node');
  instances.forEach((pod, i) => {
    const podRole: Role =
      role === 'primary' && pod === primaryPod ? 'primary' : 'replica';
    const ready = !fenced.has(pod);
    if (ready) {
      readyPods.push(pod);
    }
    const placement = placeInstance(api, nodes, i + 1);
    ensureClaim(api, {
      namespace,
      cluster: name,
      pod,
      index: i + 1,
      spec,
      inherited,
      owner,
      placement,
    });
    ensurePod(api, {
      placement,
      namespace,
      cluster: name,
      pod,
      index: i + 1,
      role: podRole,
      ready,
      image,
      resources: spec.resources,
      inherited,
      owner,
      now,
    });
  });
  removeExtraInstances(api, namespace, name, instances);

  const lag =
    role === 'replica' && source
      ? nextLag(ctx, cluster, source, sourceWrites, restartLag)
      : undefined;

  let phase = PHASE_HEALTHY;
  let phaseReason: string | undefined;
  if (fenced.size > 0) {
    phase = PHASE_FENCED;
    phaseReason = `Fenced instances: ${[...fenced].sort().join(', ')}`;
  } else if (readyPods.length < instances.length) {
    phase = PHASE_WAITING;
  } else if (blocked) {
    phase =
      blocked.reason === 'WaitingForCatchUp' ? PHASE_SWITCHOVER : PHASE_USER;
    phaseReason = blocked.message;
  }
  let ready: Omit<Condition, 'lastTransitionTime'> = {
    type: 'Ready',
    status: 'True',
    reason: 'ClusterIsReady',
    message: 'Cluster is Ready',
  };
  if (fenced.size > 0) {
    ready = {
      type: 'Ready',
      status: 'False',
      reason: 'Fenced',
      message: phaseReason ?? 'instances are fenced',
    };
  } else if (readyPods.length < instances.length) {
    ready = {
      type: 'Ready',
      status: 'False',
      reason: 'ClusterIsNotReady',
      message: 'Cluster is not Ready',
    };
  }
  conditions = setCondition(conditions, ready, now);

  const reported: Record<string, { isPrimary: boolean; timeLineID: number }> =
    {};
  for (const pod of instances) {
    reported[pod] = {
      isPrimary: role === 'primary' && pod === primaryPod,
      timeLineID: timeline,
    };
  }
  if (primaryPod !== status.currentPrimary) {
    currentPrimaryTimestamp = iso(now);
  }
  const nextStatus: Record<string, unknown> = {
    instances: instances.length,
    readyInstances: readyPods.length,
    instanceNames: instances,
    instancesStatus: {
      healthy: readyPods,
      ...(fenced.size > 0
        ? { failed: instances.filter(p => fenced.has(p)) }
        : {}),
    },
    instancesReportedState: reported,
    currentPrimary: primaryPod,
    currentPrimaryTimestamp,
    targetPrimary: primaryPod,
    latestGeneratedNode: instances.length,
    pvcCount: instances.length,
    healthyPVC: instances,
    phase,
    phaseReason,
    timelineID: timeline,
    systemID: systemIdentifier(namespace, name),
    image,
    demotionToken,
    lastPromotionToken,
    replicationLag: lag,
    conditions,
  };
  for (const key of Object.keys(nextStatus)) {
    if (nextStatus[key] === undefined) {
      delete nextStatus[key];
    }
  }

  const annotations = { ...cluster.metadata.annotations };
  if (annotations[ROLE] !== undefined) {
    let sideRole = role === 'primary' ? 'active' : 'passive';
    if (fenced.size > 0 && fenced.size === instances.length) {
      sideRole = 'fenced';
    }
    annotations[ROLE] = sideRole;
    if (role === 'replica' && source) {
      annotations[SOURCE] = source;
    } else {
      delete annotations[SOURCE];
    }
    if (lag) {
      annotations[LAG] = lag.seconds.toFixed(3);
      annotations[LAG_AT] = lag.observedAt;
    } else {
      delete annotations[LAG];
      delete annotations[LAG_AT];
    }
  }
  let current = cluster;
  if (
    JSON.stringify(annotations) !==
    JSON.stringify(cluster.metadata.annotations ?? {})
  ) {
    current = api.update({
      ...cluster,
      metadata: { ...cluster.metadata, annotations },
    });
  }
  if (JSON.stringify(nextStatus) !== JSON.stringify(status)) {
    api.updateStatus({ ...current, status: nextStatus });
  }
}

/** Where an instance runs: zones round-robin, nodes of that zone in turn. */
interface Placement {
  zone?: string;
  node?: string;
}

function placeInstance(
  api: ClusterApi,
  nodes: KubeObject[],
  index: number,
): Placement {
  const zones = api.zones;
  const zone = zones.length > 0 ? zones[(index - 1) % zones.length] : undefined;
  const inZone = nodes.filter(
    n => n.metadata.labels?.['topology.kubernetes.io/zone'] === zone,
  );
  const pool = inZone.length > 0 ? inZone : nodes;
  const node =
    pool.length > 0
      ? pool[Math.floor((index - 1) / Math.max(1, zones.length)) % pool.length]
      : undefined;
  return { zone, node: node?.metadata.name };
}

function ensureClaim(
  api: ClusterApi,
  p: {
    namespace: string;
    cluster: string;
    pod: string;
    index: number;
    spec: any;
    inherited: { labels?: Record<string, string> };
    owner: any;
    placement: Placement;
  },
): void {
  if (api.get('v1', 'PersistentVolumeClaim', p.namespace, p.pod)) {
    return;
  }
  const size: string =
    p.spec.storage?.size ??
    p.spec.storage?.pvcTemplate?.resources?.requests?.storage ??
    '1Gi';
  const storageClassName: string =
    p.spec.storage?.storageClass ??
    p.spec.storage?.pvcTemplate?.storageClassName ??
    'standard';
  const provisioner = `${storageClassName}.csi.simulator.local`;
  const claim = api.create({
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: {
      name: p.pod,
      namespace: p.namespace,
      labels: {
        ...p.inherited.labels,
        'cnpg.io/cluster': p.cluster,
        'cnpg.io/instanceName': p.pod,
        'cnpg.io/pvcRole': 'PG_DATA',
      },
      annotations: {
        'cnpg.io/nodeSerial': String(p.index),
        'pv.kubernetes.io/bind-completed': 'yes',
        'volume.beta.kubernetes.io/storage-provisioner': provisioner,
        ...(p.placement.node
          ? { 'volume.kubernetes.io/selected-node': p.placement.node }
          : {}),
      },
      ownerReferences: [p.owner],
    },
    spec: {
      accessModes: ['ReadWriteOnce'],
      resources: { requests: { storage: size } },
      storageClassName,
      volumeMode: 'Filesystem',
    },
  });
  // Dynamic provisioning: a volume bound to the claim, pinned to its zone.
  const volumeName = `pvc-${claim.metadata.uid}`;
  api.create({
    apiVersion: 'v1',
    kind: 'PersistentVolume',
    metadata: {
      name: volumeName,
      annotations: { 'pv.kubernetes.io/provisioned-by': provisioner },
    },
    spec: {
      capacity: { storage: size },
      accessModes: ['ReadWriteOnce'],
      persistentVolumeReclaimPolicy: 'Delete',
      storageClassName,
      volumeMode: 'Filesystem',
      claimRef: {
        apiVersion: 'v1',
        kind: 'PersistentVolumeClaim',
        namespace: p.namespace,
        name: p.pod,
        uid: claim.metadata.uid,
      },
      csi: {
        driver: provisioner,
        volumeHandle: `vol-${claim.metadata.uid}`,
        fsType: 'ext4',
      },
      ...(p.placement.zone
        ? {
            nodeAffinity: {
              required: {
                nodeSelectorTerms: [
                  {
                    matchExpressions: [
                      {
                        key: 'topology.kubernetes.io/zone',
                        operator: 'In',
                        values: [p.placement.zone],
                      },
                    ],
                  },
                ],
              },
            },
          }
        : {}),
    },
    status: { phase: 'Bound' },
  });
  const bound = api.update({ ...claim, spec: { ...claim.spec, volumeName } });
  api.updateStatus({
    ...bound,
    status: {
      phase: 'Bound',
      accessModes: ['ReadWriteOnce'],
      capacity: { storage: size },
    },
  });
}

function ensurePod(
  api: ClusterApi,
  p: {
    placement: Placement;
    namespace: string;
    cluster: string;
    pod: string;
    index: number;
    role: Role;
    ready: boolean;
    image: string;
    resources: unknown;
    inherited: {
      labels?: Record<string, string>;
      annotations?: Record<string, string>;
    };
    owner: any;
    now: number;
  },
): void {
  const labels = {
    ...p.inherited.labels,
    'cnpg.io/cluster': p.cluster,
    'cnpg.io/instanceName': p.pod,
    'cnpg.io/podRole': 'instance',
    'cnpg.io/instanceRole': p.role,
    // The legacy label CloudNativePG still sets beside cnpg.io/instanceRole.
    role: p.role,
  };
  const existing = api.get('v1', 'Pod', p.namespace, p.pod);
  if (!existing) {
    api.create({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        name: p.pod,
        namespace: p.namespace,
        labels,
        annotations: {
          ...p.inherited.annotations,
          'cnpg.io/nodeSerial': String(p.index),
        },
        ownerReferences: [p.owner],
      },
      spec: {
        hostname: p.pod,
        ...(p.placement.node ? { nodeName: p.placement.node } : {}),
        containers: [
          {
            name: 'postgres',
            image: p.image,
            ports: [
              { name: 'postgresql', containerPort: 5432, protocol: 'TCP' },
            ],
            resources: p.resources ?? {},
          },
        ],
        volumes: [
          { name: 'pgdata', persistentVolumeClaim: { claimName: p.pod } },
        ],
      },
      status: podStatus(p.ready, p.index, p.image, iso(p.now)),
    });
    return;
  }
  const labelsChanged = Object.entries(labels).some(
    ([k, v]) => existing.metadata.labels?.[k] !== v,
  );
  let current = existing;
  if (labelsChanged) {
    current = api.update({
      ...existing,
      metadata: {
        ...existing.metadata,
        labels: { ...existing.metadata.labels, ...labels },
      },
    });
  }
  const isReady = (current.status?.conditions ?? []).some(
    (c: any) => c.type === 'Ready' && c.status === 'True',
  );
  if (isReady !== p.ready) {
    const startedAt = current.status?.startTime ?? iso(p.now);
    api.updateStatus({
      ...current,
      status: podStatus(p.ready, p.index, p.image, startedAt),
    });
  }
}

function removeExtraInstances(
  api: ClusterApi,
  namespace: string,
  cluster: string,
  instances: string[],
): void {
  const wanted = new Set(instances);
  for (const kind of ['Pod', 'PersistentVolumeClaim']) {
    for (const o of api.list('v1', kind, namespace)) {
      if (
        o.metadata.labels?.['cnpg.io/cluster'] === cluster &&
        !wanted.has(o.metadata.name)
      ) {
        api.delete('v1', kind, namespace, o.metadata.name);
        const volume = o.spec?.volumeName;
        // Reclaim policy Delete: the provisioned volume goes with its claim.
        if (kind === 'PersistentVolumeClaim' && volume) {
          if (api.get('v1', 'PersistentVolume', undefined, volume)) {
            api.delete('v1', 'PersistentVolume', undefined, volume);
          }
        }
      }
    }
  }
}

/** The CloudNativePG operator, run in every cluster that has Cluster objects. */
export function cnpgController(): Controller {
  return {
    name: 'cloudnative-pg',
    reconcile(ctx) {
      if (ctx.isDown(ctx.cluster.name)) {
        return;
      }
      let clusters: KubeObject[];
      try {
        clusters = ctx.cluster.list(API_VERSION, 'Cluster');
      } catch {
        // The CRD is not installed in this cluster: nothing to operate.
        return;
      }
      for (const cluster of clusters) {
        if (!cluster.metadata.deletionTimestamp) {
          reconcileCluster(ctx, cluster);
        }
      }
    },
  };
}
