/*
 * Plays the replication exporter of a passive side: every StatefulSet that
 * names a `replication-source` cluster gets its lag annotations refreshed.
 * The lag jitters around a small base, grows while the source is cut off
 * (partition or down), and drains to zero once the source is fenced or
 * scaled to zero — what a switchover waits for.
 */
import { isoSeconds } from '../api/timestamp';
import {
  type LagState,
  lagIntervalMs,
  nextLag,
  type ReplicationSettings,
} from './lagModel';
import type { Controller, ControllerContext, KubeObject } from './types';

/** StatefulSet annotation naming the cluster this side replicates from. */
export const SOURCE_ANNOTATION = 'multicluster-statefulsets/replication-source';
/** StatefulSet annotation holding the current lag in seconds. */
export const LAG_ANNOTATION =
  'multicluster-statefulsets/replication-lag-seconds';
/** StatefulSet annotation holding when the lag was measured. */
export const OBSERVED_ANNOTATION =
  'multicluster-statefulsets/replication-lag-observed-at';

function findSource(
  ctx: ControllerContext,
  sts: KubeObject,
  source: string,
): KubeObject | undefined {
  const other = ctx.clusters.get(source);
  if (!other) return undefined;
  const same = other.get(
    'apps/v1',
    'StatefulSet',
    sts.metadata.namespace,
    sts.metadata.name,
  );
  if (same) return same;
  const id = sts.metadata.labels?.['backstage.io/kubernetes-id'];
  if (!id) return undefined;
  return other
    .list('apps/v1', 'StatefulSet', sts.metadata.namespace)
    .find(s => s.metadata.labels?.['backstage.io/kubernetes-id'] === id);
}

/** Creates the replication lag controller. */
export function replicationLagController(
  random: () => number = Math.random,
): Controller {
  const states = new Map<string, LagState>();
  return {
    name: 'replication-lag',
    reconcile(ctx: ControllerContext) {
      const settings = (ctx.replication ?? {}) as ReplicationSettings;
      const interval = lagIntervalMs(settings);
      // An exporter inside a cluster that is down cannot publish anything.
      if (ctx.isDown(ctx.cluster.name)) return;
      const all =
        ctx.cluster.listShared?.('apps/v1', 'StatefulSet') ??
        ctx.cluster.list('apps/v1', 'StatefulSet');
      for (const sts of all) {
        const source = sts.metadata.annotations?.[SOURCE_ANNOTATION];
        if (!source || source === ctx.cluster.name) continue;
        const key = `${ctx.cluster.name}/${sts.metadata.namespace}/${sts.metadata.name}`;
        const prev = states.get(key);
        const now = ctx.now();
        if (
          prev &&
          now - prev.at < interval &&
          sts.metadata.annotations?.[LAG_ANNOTATION] !== undefined
        ) {
          ctx.requeueAfter?.(interval - (now - prev.at));
          continue;
        }
        const src = findSource(ctx, sts, source);
        const cut =
          ctx.isDown(source) || ctx.isPartitioned(source, ctx.cluster.name);
        const quiesced =
          !cut &&
          !!src &&
          (src.metadata.annotations?.['multicluster-statefulsets/role'] ===
            'fenced' ||
            (src.spec?.replicas ?? 1) === 0);
        const next = nextLag(prev, now, { cut, quiesced }, settings, random);
        states.set(key, next);
        ctx.cluster.update({
          ...sts,
          metadata: {
            ...sts.metadata,
            annotations: {
              ...sts.metadata.annotations,
              [LAG_ANNOTATION]: next.lag.toFixed(3),
              [OBSERVED_ANNOTATION]: isoSeconds(now),
            },
          },
        });
        ctx.requeueAfter?.(interval);
      }
    },
  };
}
