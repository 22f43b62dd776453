/*
 * Plays the replication exporter of a passive side. A database the Software
 * Template generated (a StatefulSet reading the generator's replication
 * ConfigMap) replicates as its engine is configured: each link comes from
 * the engine's configuration and works only when its hosts resolve, by the
 * DNS the routing provides, to the cluster the link means (./replication/).
 * A working link to the side's `replication-source` gets the product's lag
 * annotations; a broken one gets `replication-error` with the reason its
 * exporter would report, and no lag. A hand-written StatefulSet without
 * engine configuration that names a `replication-source` cluster is taken
 * at its word. A Helm chart's replica without the annotations (the Bitnami
 * charts' `*_REPLICATION_MODE=slave` and `*_MASTER_HOST`) replicates from
 * the cluster its source host resolves to, and gets the simulator's own lag
 * record, which only `/metrics` publishes.
 *
 * On every path, a StatefulSet whose engine an emulator serves (../engines)
 * gets the lag that engine reports in its pods at that moment (what
 * SHOW REPLICA STATUS, rs.status(), … answer there: 0 while linked, growing
 * while the source is cut off), or `replication-error` with the engine's
 * reason when it does not replicate; its roles come from the engine too,
 * never from annotations. Where the engine replicates from another cluster
 * than the one declared (KubeFed put a stale annotation back after a
 * switchover), the lag is published for the engine's source. Only a
 * StatefulSet no emulator serves follows the random-walk model of
 * ./lagModel: the lag jitters around a small base, grows while the source is
 * cut off (partition or down), and drains to zero once the source is fenced
 * or scaled to zero.
 */
import { isoSeconds } from '../api/timestamp';
import {
  type LagState,
  lagIntervalMs,
  nextLag,
  type ReplicationSettings,
} from './lagModel';
import {
  SIM_ENGINE,
  SIM_LAG_OBSERVED_AT,
  SIM_LAG_SECONDS,
  SIM_LAG_SOURCE,
} from './metrics';
import {
  chartReplicaOf,
  resolveSourceHost,
  sourceQuiesced,
} from './replication/chartReplica';
import { engineConfigOf } from './replication/engineConfig';
import { checkLinks, replicaError } from './replication/links';
import type { EngineLagReader, ReplicaLag } from '../engines/replicaLag';
import type { Controller, ControllerContext, KubeObject } from './types';

export { chartReplicaOf, resolveSourceHost } from './replication/chartReplica';

/** StatefulSet annotation naming the cluster this side replicates from. */
export const SOURCE_ANNOTATION = 'multicluster-statefulsets/replication-source';
/** StatefulSet annotation holding the current lag in seconds. */
export const LAG_ANNOTATION =
  'multicluster-statefulsets/replication-lag-seconds';
/** StatefulSet annotation holding when the lag was measured. */
export const OBSERVED_ANNOTATION =
  'multicluster-statefulsets/replication-lag-observed-at';
/**
 * StatefulSet annotation holding why the side does not replicate from its
 * source, as its exporter reports it (the link is broken; no lag then).
 */
export const ERROR_ANNOTATION = 'multicluster-statefulsets/replication-error';

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

// A function, not a constant: metrics.ts imports this module's keys too.
const simRecordKeys = () => [
  SIM_LAG_SECONDS,
  SIM_LAG_SOURCE,
  SIM_LAG_OBSERVED_AT,
  SIM_ENGINE,
];

/**
 * Creates the replication lag controller. `random` drives the lag model;
 * `engines` reads the lags of the StatefulSets an emulator serves (without
 * it, every StatefulSet follows the model).
 */
export function replicationLagController(
  random: () => number = Math.random,
  engines?: EngineLagReader,
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
        const annotated = sts.metadata.annotations?.[SOURCE_ANNOTATION];
        if (reconcileEngineSourced(sts, annotated)) continue;
        if (reconcileConfigured(sts, annotated)) continue;
        if (annotated) {
          if (annotated !== ctx.cluster.name)
            reconcileAnnotated(sts, annotated);
          continue;
        }
        reconcileChartReplica(sts);
      }

      function keyOf(sts: KubeObject): string {
        return `${ctx.cluster.name}/${sts.metadata.namespace}/${sts.metadata.name}`;
      }

      /** Whether the lag was measured recently enough to leave it be. */
      function fresh(key: string, written: boolean): boolean {
        const prev = states.get(key);
        const now = ctx.now();
        if (prev && now - prev.at < interval && written) {
          ctx.requeueAfter?.(interval - (now - prev.at));
          return true;
        }
        return false;
      }

      function step(key: string, source: string, quiesced: boolean) {
        const cut =
          ctx.isDown(source) || ctx.isPartitioned(source, ctx.cluster.name);
        const next = nextLag(
          states.get(key),
          ctx.now(),
          { cut, quiesced: !cut && quiesced },
          settings,
          random,
        );
        states.set(key, next);
        ctx.requeueAfter?.(interval);
        return next;
      }

      /** Replaces some annotations (undefined removes one), if that changes any. */
      function annotate(
        sts: KubeObject,
        patch: Record<string, string | undefined>,
      ) {
        const annotations = { ...sts.metadata.annotations };
        for (const [k, v] of Object.entries(patch)) {
          if (v === undefined) delete annotations[k];
          else annotations[k] = v;
        }
        if (
          JSON.stringify(annotations) ===
          JSON.stringify(sts.metadata.annotations ?? {})
        )
          return;
        ctx.cluster.update({
          ...sts,
          metadata: { ...sts.metadata, annotations },
        });
      }

      /**
       * An emulated replica whose engine replicates from another cluster
       * than the one declared (the annotation, or a chart's source host):
       * a federation put a stale declaration back after a switchover, or
       * none was written. Its exporter reports what the engine does, so the
       * lag goes out under the simulator's own record naming the engine's
       * source, never under the product's annotations. False when the
       * engine agrees with the declaration or names no source; a record
       * left from an earlier disagreement is then dropped.
       */
      function reconcileEngineSourced(
        sts: KubeObject,
        annotated: string | undefined,
      ): boolean {
        if (!engines?.serves(sts)) return false;
        const own = ctx.cluster.name;
        const annotations = sts.metadata.annotations ?? {};
        const chart = chartReplicaOf(sts);
        const declared =
          annotated ??
          (chart && resolveSourceHost(chart.host, ctx.cluster, ctx.clusters))
            ?.cluster;
        const source = engines.source?.(own, sts);
        if (!source || source === own || source === declared) {
          if (!chart && annotations[SIM_LAG_SOURCE] !== undefined) {
            states.delete(keyOf(sts));
            annotate(
              sts,
              Object.fromEntries(simRecordKeys().map(k => [k, undefined])),
            );
          }
          return false;
        }
        const answer = engineLag(
          sts,
          annotations[SIM_LAG_SOURCE] === source &&
            annotations[SIM_LAG_SECONDS] !== undefined,
        );
        if (!answer) return true;
        const measured = 'lagSeconds' in answer;
        annotate(sts, {
          [LAG_ANNOTATION]: undefined,
          [OBSERVED_ANNOTATION]: undefined,
          [ERROR_ANNOTATION]: undefined,
          [SIM_LAG_SOURCE]: source,
          // A replica that does not stream publishes no lag series.
          [SIM_LAG_SECONDS]: measured
            ? answer.lagSeconds.toFixed(3)
            : undefined,
          [SIM_LAG_OBSERVED_AT]: measured ? isoSeconds(ctx.now()) : undefined,
        });
        return true;
      }

      /**
       * A generated database: its links come from the engine's
       * configuration, not from the annotation. A broken link is published
       * with its reason and no lag; a working one to the annotated source
       * gets its lag. False for a StatefulSet without engine configuration.
       */
      function reconcileConfigured(
        sts: KubeObject,
        annotated: string | undefined,
      ): boolean {
        const config = engineConfigOf(ctx.cluster, sts);
        if (!config) return false;
        const own = ctx.cluster.name;
        const source = annotated && annotated !== own ? annotated : undefined;
        const links = checkLinks(
          config,
          ctx.cluster,
          ctx.clusters,
          sts.metadata.namespace ?? 'default',
        );
        const error = replicaError(links, own, source);
        if (error || !source) {
          states.delete(keyOf(sts));
          annotate(sts, {
            [ERROR_ANNOTATION]: error,
            [LAG_ANNOTATION]: undefined,
            [OBSERVED_ANNOTATION]: undefined,
          });
          return true;
        }
        if (engines?.serves(sts)) {
          reconcileAnnotated(sts, source);
          return true;
        }
        if (sts.metadata.annotations?.[ERROR_ANNOTATION] !== undefined)
          annotate(sts, { [ERROR_ANNOTATION]: undefined });
        reconcileAnnotated(
          ctx.cluster.get(
            'apps/v1',
            'StatefulSet',
            sts.metadata.namespace,
            sts.metadata.name,
          ) ?? sts,
          source,
        );
        return true;
      }

      /**
       * Measures the engine's lag, at most once an interval (`written`:
       * whether the last measurement was published). Undefined when the
       * engine has no answer now, or the last one is still fresh.
       */
      function engineLag(
        sts: KubeObject,
        written: boolean,
      ): ReplicaLag | undefined {
        const key = keyOf(sts);
        if (fresh(key, written)) return undefined;
        const answer = engines!.lag(ctx.cluster.name, sts);
        states.set(key, {
          lag: answer && 'lagSeconds' in answer ? answer.lagSeconds : 0,
          at: ctx.now(),
        });
        ctx.requeueAfter?.(interval);
        return answer;
      }

      function reconcileAnnotated(sts: KubeObject, source: string) {
        const key = keyOf(sts);
        const annotations = sts.metadata.annotations ?? {};
        if (engines?.serves(sts)) {
          const answer = engineLag(
            sts,
            annotations[LAG_ANNOTATION] !== undefined ||
              annotations[ERROR_ANNOTATION] !== undefined,
          );
          if (!answer) return;
          annotate(
            sts,
            'error' in answer
              ? {
                  [ERROR_ANNOTATION]: answer.error,
                  [LAG_ANNOTATION]: undefined,
                  [OBSERVED_ANNOTATION]: undefined,
                }
              : {
                  [ERROR_ANNOTATION]: undefined,
                  [LAG_ANNOTATION]: answer.lagSeconds.toFixed(3),
                  [OBSERVED_ANNOTATION]: isoSeconds(ctx.now()),
                },
          );
          return;
        }
        if (fresh(key, annotations[LAG_ANNOTATION] !== undefined)) return;
        const src = findSource(ctx, sts, source);
        const quiesced =
          !!src &&
          (src.metadata.annotations?.['multicluster-statefulsets/role'] ===
            'fenced' ||
            (src.spec?.replicas ?? 1) === 0);
        const next = step(key, source, quiesced);
        ctx.cluster.update({
          ...sts,
          metadata: {
            ...sts.metadata,
            annotations: {
              ...sts.metadata.annotations,
              [LAG_ANNOTATION]: next.lag.toFixed(3),
              [OBSERVED_ANNOTATION]: isoSeconds(ctx.now()),
            },
          },
        });
      }

      function reconcileChartReplica(sts: KubeObject) {
        const replica = chartReplicaOf(sts);
        const resolved = replica
          ? resolveSourceHost(replica.host, ctx.cluster, ctx.clusters)
          : undefined;
        const key = keyOf(sts);
        const annotations = sts.metadata.annotations ?? {};
        if (!replica || !resolved || resolved.cluster === ctx.cluster.name) {
          // No replication between clusters (any more): no lag record.
          if (simRecordKeys().some(k => k in annotations)) {
            const kept = { ...annotations };
            for (const k of simRecordKeys()) delete kept[k];
            states.delete(key);
            ctx.cluster.update({
              ...sts,
              metadata: { ...sts.metadata, annotations: kept },
            });
          }
          return;
        }
        if (engines?.serves(sts)) {
          const answer = engineLag(
            sts,
            annotations[SIM_LAG_SOURCE] === resolved.cluster &&
              annotations[SIM_LAG_SECONDS] !== undefined,
          );
          if (!answer) return;
          // Without a number (the engine's NULL) the exporter publishes no lag series.
          const measured =
            'lagSeconds' in answer
              ? {
                  [SIM_LAG_SECONDS]: answer.lagSeconds.toFixed(3),
                  [SIM_LAG_OBSERVED_AT]: isoSeconds(ctx.now()),
                }
              : { [SIM_LAG_SECONDS]: undefined };
          annotate(sts, {
            ...measured,
            [SIM_LAG_SOURCE]: resolved.cluster,
            [SIM_ENGINE]: replica.engine,
          });
          return;
        }
        if (
          annotations[SIM_LAG_SOURCE] === resolved.cluster &&
          fresh(key, annotations[SIM_LAG_SECONDS] !== undefined)
        )
          return;
        const source = ctx.clusters.get(resolved.cluster)!;
        const next = step(
          key,
          resolved.cluster,
          sourceQuiesced(source, resolved.service),
        );
        ctx.cluster.update({
          ...sts,
          metadata: {
            ...sts.metadata,
            annotations: {
              ...annotations,
              [SIM_LAG_SECONDS]: next.lag.toFixed(3),
              [SIM_LAG_SOURCE]: resolved.cluster,
              [SIM_LAG_OBSERVED_AT]: isoSeconds(ctx.now()),
              [SIM_ENGINE]: replica.engine,
            },
          },
        });
      }
    },
  };
}
