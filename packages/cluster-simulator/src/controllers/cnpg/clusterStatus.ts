// The status a CloudNativePG Cluster reports (phase, Ready condition,
// instance counters, the side's role and tokens, the lag) and the
// annotations through which an opted-in Cluster reports its side like the
// product's StatefulSets do.
import { type Condition, setCondition } from './clusterResource';
import { systemIdentifier } from './demotionToken';
import type { ReplicationLagStatus } from './replicationLag';
import type { SideState } from './switchover';
import { isoSeconds } from '../../api/timestamp';
import type { KubeObject } from '../types';

/** Phase of a cluster whose instances are (partly) fenced. */
export const PHASE_FENCED = 'Cluster is fenced';
const PHASE_HEALTHY = 'Cluster in healthy state';
const PHASE_WAITING = 'Waiting for the instances to become active';
const PHASE_USER = 'Waiting for user action';
const PHASE_SWITCHOVER = 'Switchover in progress';

// The side annotations the product's StatefulSets carry, so both kinds of
// workload are read alike.
const ROLE = 'multicluster-statefulsets/role';
const SOURCE = 'multicluster-statefulsets/replication-source';
const LAG = 'multicluster-statefulsets/replication-lag-seconds';
const LAG_AT = 'multicluster-statefulsets/replication-lag-observed-at';
const ERROR = 'multicluster-statefulsets/replication-error';

/** What this reconcile found and decided, from which the status follows. */
export interface Observed {
  side: SideState;
  instances: string[];
  fenced: Set<string>;
  readyPods: string[];
  primaryPod: string;
  image: string;
  lag?: ReplicationLagStatus;
  now: number;
}

/** The Cluster's next status; fields without a value are left out. */
export function clusterStatus(
  cluster: KubeObject,
  o: Observed,
): Record<string, unknown> {
  const { instances, fenced, readyPods, primaryPod, image, lag, now } = o;
  const { role, timeline, blocked, demotionToken, lastPromotionToken } = o.side;
  let { conditions, currentPrimaryTimestamp } = o.side;
  const name = cluster.metadata.name;
  const namespace = cluster.metadata.namespace ?? 'default';
  const status = cluster.status ?? {};

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
    currentPrimaryTimestamp = isoSeconds(now);
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
  return nextStatus;
}

/**
 * The Cluster's annotations with the side's role, source and lag, for a
 * Cluster that opted in by carrying the role annotation; otherwise as they are.
 */
export function sideAnnotations(
  cluster: KubeObject,
  o: Pick<Observed, 'instances' | 'fenced' | 'lag'> & {
    role: SideState['role'];
    source: string;
    /** Why the replica cannot stream from its source, if it cannot. */
    error?: string;
  },
): Record<string, string> {
  const { instances, fenced, lag, role, source, error } = o;
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
    if (role === 'replica' && error) annotations[ERROR] = error;
    else delete annotations[ERROR];
    if (lag) {
      annotations[LAG] = lag.seconds.toFixed(3);
      annotations[LAG_AT] = lag.observedAt;
    } else {
      delete annotations[LAG];
      delete annotations[LAG_AT];
    }
  }
  return annotations;
}
