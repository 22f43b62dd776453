/*
 * What the owners read: the notification for a failover run that ended, a
 * readiness drop and an unreachable cluster, each addressed to the entity
 * (the notifications backend resolves it to its owners' users) with a link
 * into the entity's Multi-cluster tab. The scope names the episode, so a
 * repeated send of the same one updates a single notification.
 */
import { parseEntityRef } from '@backstage/catalog-model';
import {
  NotificationPayload,
  NotificationSeverity,
} from '@backstage/plugin-notifications-common';
import { NotificationSendOptions } from '@backstage/plugin-notifications-node';
import { FailoverRun } from '@multicluster/backstage-plugin-statefulsets-common';
import { OwnerEvent } from './EpisodeTracker';

/** The notifications topic of everything this plugin sends. */
export const NOTIFICATION_TOPIC = 'multicluster-statefulsets';

/** The entity's Multi-cluster tab, opening the run's journal when a run id is given. */
export function multiClusterLink(entityRef: string, runId?: string): string {
  const { kind, namespace, name } = parseEntityRef(entityRef);
  const path = [namespace, kind.toLocaleLowerCase('en-US'), name]
    .map(encodeURIComponent)
    .join('/');
  const query = runId ? `?run=${encodeURIComponent(runId)}` : '';
  return `/catalog/${path}/multi-cluster${query}`;
}

const RUN_ENDINGS: Partial<
  Record<
    FailoverRun['status'],
    { words: string; severity: NotificationSeverity }
  >
> = {
  succeeded: { words: 'succeeded', severity: 'normal' },
  'rolled-back': { words: 'was rolled back', severity: 'high' },
  'rolled-back-with-pending-repair': {
    words: 'was rolled back; repairs are pending',
    severity: 'high',
  },
  'needs-attention': { words: 'needs attention', severity: 'critical' },
  failed: { words: 'failed', severity: 'critical' },
};

function send(
  entityRef: string,
  payload: Omit<NotificationPayload, 'topic'>,
): NotificationSendOptions {
  return {
    recipients: { type: 'entity', entityRef },
    payload: { ...payload, topic: NOTIFICATION_TOPIC },
  };
}

/** The notification of a run in a final status; undefined while it is still pending or running. */
export function runEndedNotification(
  run: FailoverRun,
): NotificationSendOptions | undefined {
  const ending = RUN_ENDINGS[run.status];
  if (!ending) return undefined;
  const { name } = parseEntityRef(run.entityRef);
  const route = `${run.sourceCluster ?? '?'} → ${run.targetCluster}`;
  const details = [
    `${run.mode} ${route}, started by ${run.actor}.`,
    run.error,
    run.attention && `What to do: ${run.attention}`,
    typeof run.rtoMs === 'number' && `RTO ${(run.rtoMs / 1000).toFixed(1)} s.`,
  ].filter((line): line is string => !!line);
  return send(run.entityRef, {
    title: `${capitalise(run.mode)} of ${name} to ${run.targetCluster} ${
      ending.words
    }`,
    description: details.join(' '),
    link: multiClusterLink(run.entityRef, run.id),
    severity: ending.severity,
    scope: `failover-run:${run.id}`,
  });
}

/** The notification of a readiness drop or an unreachable cluster. */
export function episodeNotification(
  event: OwnerEvent,
  now: number,
): NotificationSendOptions {
  const { name } = parseEntityRef(event.entityRef);
  const link = multiClusterLink(event.entityRef);
  if (event.kind === 'readiness-dropped') {
    return send(event.entityRef, {
      title: `DR readiness of ${name} dropped to ${event.verdict}`,
      description: event.failing
        .map(c => `${c.title} (${c.status}): ${c.evidence}`)
        .join('; '),
      link,
      severity: event.verdict === 'not-ready' ? 'high' : 'normal',
      scope: `readiness:${event.entityRef}`,
    });
  }
  const minutes = Math.max(1, Math.floor((now - event.since) / 60_000));
  return send(event.entityRef, {
    title: `Cluster ${event.cluster} of ${name} unreachable`,
    description: `${event.cluster} has not answered for ${minutes} min or more (${event.error.reason}: ${event.error.message}).`,
    link,
    severity: 'high',
    scope: `cluster-unreachable:${event.entityRef}:${event.cluster}`,
  });
}

function capitalise(word: string): string {
  return word.charAt(0).toLocaleUpperCase('en-US') + word.slice(1);
}
