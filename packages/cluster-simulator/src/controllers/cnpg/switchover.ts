// The replica-cluster switchover of CloudNativePG, one side at a time: a
// primary whose spec moved the primary away demotes and publishes its
// demotion token; the designated side promotes only with that token, once it
// has replayed up to it (or, without a token and with replication disabled,
// at once: a failover). Everything else keeps the side as it is.
import {
  type Condition,
  type ReplicaSpec,
  type Role,
  setCondition,
} from './clusterResource';
import { decodeDemotionToken, makeDemotionToken } from './demotionToken';
import { peers, reportsPrimary } from './peers';
import { nextLag } from './replicationLag';
import { isoSeconds } from '../../api/timestamp';
import type { ControllerContext, KubeObject } from '../types';

/** Condition type recording why a replica side did or did not promote. */
export const PROMOTION_CONDITION = 'ReplicaClusterPromotion';

/** A side's role and the status fields that travel with it. */
export interface SideState {
  role: Role;
  timeline: number;
  demotionToken?: string;
  lastPromotionToken?: string;
  conditions: Condition[];
  currentPrimaryTimestamp?: string;
  /** The side just started following a source: its lag starts from zero. */
  restartLag: boolean;
  /** Why the designated primary does not promote yet. */
  blocked?: { reason: string; message: string };
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

/**
 * The side a Cluster plays after this reconcile: its reported role, or its
 * designated one on bootstrap, moved by a demotion or promotion when the
 * spec asks for one and the tokens allow it. Records the matching events.
 */
export function settleRole(
  ctx: ControllerContext,
  cluster: KubeObject,
  sourceWrites: boolean,
): SideState {
  const api = ctx.cluster;
  const now = ctx.now();
  const name = cluster.metadata.name;
  const namespace = cluster.metadata.namespace ?? 'default';
  const status = cluster.status ?? {};
  const replica: ReplicaSpec | undefined = cluster.spec?.replica;
  const source = replica?.source ?? '';
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
      currentPrimaryTimestamp = isoSeconds(now);
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
  return {
    role,
    timeline,
    demotionToken,
    lastPromotionToken,
    conditions,
    currentPrimaryTimestamp,
    restartLag,
    blocked,
  };
}
