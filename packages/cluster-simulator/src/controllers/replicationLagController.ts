/*
 * Plays the replication of a passive side. A StatefulSet that names a
 * `replication-source` cluster gets the product's lag annotations refreshed,
 * as its replication exporter would. A Helm chart's replica without them
 * (the Bitnami charts' `*_REPLICATION_MODE=slave` and `*_MASTER_HOST`)
 * replicates from the cluster its source host resolves to, and gets the
 * simulator's own lag record, which only `/metrics` publishes. The lag
 * jitters around a small base, grows while the source is cut off (partition
 * or down), and drains to zero once the source is fenced or scaled to zero
 * — what a switchover waits for.
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
import type {
  ClusterApi,
  Controller,
  ControllerContext,
  KubeObject,
} from './types';

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

interface EnvVar {
  name?: string;
  value?: string;
  valueFrom?: { fieldRef?: { fieldPath?: string } };
}

/** A container's env as literal values, `$(VAR)` expanded as the kubelet does. */
function containerEnv(env: EnvVar[], namespace: string): Map<string, string> {
  const values = new Map<string, string>();
  for (const e of env) {
    if (!e?.name) continue;
    if (typeof e.value === 'string') {
      values.set(
        e.name,
        e.value.replace(
          /\$\$|\$\(([A-Za-z_][A-Za-z0-9_.-]*)\)/g,
          (whole: string, ref: string | undefined) =>
            ref ? values.get(ref) ?? whole : '$',
        ),
      );
    } else if (e.valueFrom?.fieldRef?.fieldPath === 'metadata.namespace') {
      values.set(e.name, namespace);
    }
  }
  return values;
}

const MASTER_ENV: Array<{ engine: string; mode: string; host: string }> = [
  {
    engine: 'mysql',
    mode: 'MYSQL_REPLICATION_MODE',
    host: 'MYSQL_MASTER_HOST',
  },
  // MariaDB's replicas are scraped by the same exporter, with MySQL's names.
  {
    engine: 'mysql',
    mode: 'MARIADB_REPLICATION_MODE',
    host: 'MARIADB_MASTER_HOST',
  },
  {
    engine: 'postgresql',
    mode: 'POSTGRES_REPLICATION_MODE',
    host: 'POSTGRES_MASTER_HOST',
  },
];

/**
 * A Helm chart's replica as its env says (Bitnami charts): the engine and
 * the source host, port and trailing dot removed.
 */
export function chartReplicaOf(
  sts: KubeObject,
): { engine: string; host: string } | undefined {
  const namespace = sts.metadata.namespace ?? 'default';
  const clean = (h: string) =>
    h.trim().toLowerCase().replace(/:\d+$/, '').replace(/\.$/, '');
  for (const container of sts.spec?.template?.spec?.containers ?? []) {
    const env = containerEnv(container.env ?? [], namespace);
    for (const m of MASTER_ENV) {
      const mode = env.get(m.mode);
      if (mode === undefined) continue;
      const host = env.get(m.host);
      if (mode.toLowerCase() !== 'slave' || !host) return undefined;
      return { engine: m.engine, host: clean(host) };
    }
    const initial = env.get('MONGODB_INITIAL_PRIMARY_HOST');
    if (initial) {
      const mode = env.get('MONGODB_REPLICA_SET_MODE')?.toLowerCase();
      if (mode === 'primary' || mode === 'arbiter') return undefined;
      return { engine: 'mongodb', host: clean(initial) };
    }
  }
  return undefined;
}

/** Where a source host leads: the cluster and the Service behind the name. */
interface ResolvedSource {
  cluster: string;
  service?: KubeObject;
}

function only<T>(list: T[]): T | undefined {
  return list.length === 1 ? list[0] : undefined;
}

/**
 * The cluster a replica's source host resolves to, by the DNS each routing
 * provides: a LoadBalancer Service's published address → its cluster;
 * `<svc>.<ns>.svc.clusterset.local` (also with a pod and a cluster id in
 * front) → the one cluster exporting that Service and running it; the
 * in-cluster forms → the replica's own cluster. Undefined when nothing
 * publishes the name, or several clusters do.
 */
export function resolveSourceHost(
  host: string,
  own: ClusterApi,
  clusters: ReadonlyMap<string, ClusterApi>,
): ResolvedSource | undefined {
  const published = [...clusters.values()].flatMap(c =>
    (c.listShared?.('v1', 'Service') ?? c.list('v1', 'Service'))
      .filter(s =>
        (s.status?.loadBalancer?.ingress ?? []).some(
          (i: { ip?: string; hostname?: string }) =>
            i?.ip === host || i?.hostname?.toLowerCase() === host,
        ),
      )
      .map(service => ({ cluster: c.name, service })),
  );
  if (published.length) return only(published);
  const labels = host.split('.');
  if (
    labels.length >= 5 &&
    labels.slice(-3).join('.') === 'svc.clusterset.local'
  ) {
    const name = labels[labels.length - 5];
    const namespace = labels[labels.length - 4];
    const prefix = labels.slice(0, -5);
    if (prefix.length > 2) return undefined;
    let candidates = [...clusters.values()].filter(c =>
      c.get('multicluster.x-k8s.io/v1alpha1', 'ServiceExport', namespace, name),
    );
    const narrow = (keep: (c: ClusterApi) => boolean) => {
      const kept = candidates.filter(keep);
      if (kept.length) candidates = kept;
    };
    if (prefix.length === 2) narrow(c => c.name === prefix[1]);
    if (prefix.length === 1)
      narrow(c => !!c.get('v1', 'Pod', namespace, prefix[0]));
    narrow(c => !!c.get('v1', 'Service', namespace, name));
    const c = only(candidates);
    return c
      ? { cluster: c.name, service: c.get('v1', 'Service', namespace, name) }
      : undefined;
  }
  const svcAt = labels.lastIndexOf('svc');
  const isIp = /^[0-9.]+$/.test(host) || host.includes(':');
  if (
    !isIp &&
    (labels.length <= 2 || (svcAt >= 2 && svcAt >= labels.length - 3))
  )
    return { cluster: own.name };
  return undefined;
}

/** Whether the StatefulSets behind a source Service take no more writes. */
function sourceQuiesced(cluster: ClusterApi, service: KubeObject | undefined) {
  const selector: Record<string, string> | undefined = service?.spec?.selector;
  if (!selector || !Object.keys(selector).length) return false;
  const behind = cluster
    .list('apps/v1', 'StatefulSet', service!.metadata.namespace)
    .filter(s =>
      Object.entries(selector).every(
        ([k, v]) => s.spec?.template?.metadata?.labels?.[k] === v,
      ),
    );
  return (
    behind.length > 0 &&
    behind.every(
      s =>
        s.metadata.annotations?.['multicluster-statefulsets/role'] ===
          'fenced' || (s.spec?.replicas ?? 1) === 0,
    )
  );
}

// A function, not a constant: metrics.ts imports this module's keys too.
const simRecordKeys = () => [
  SIM_LAG_SECONDS,
  SIM_LAG_SOURCE,
  SIM_LAG_OBSERVED_AT,
  SIM_ENGINE,
];

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
        const annotated = sts.metadata.annotations?.[SOURCE_ANNOTATION];
        if (annotated) {
          if (annotated !== ctx.cluster.name)
            reconcileAnnotated(sts, annotated);
          continue;
        }
        reconcileChartReplica(sts);
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

      function reconcileAnnotated(sts: KubeObject, source: string) {
        const key = `${ctx.cluster.name}/${sts.metadata.namespace}/${sts.metadata.name}`;
        if (
          fresh(key, sts.metadata.annotations?.[LAG_ANNOTATION] !== undefined)
        )
          return;
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
        const key = `${ctx.cluster.name}/${sts.metadata.namespace}/${sts.metadata.name}`;
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
