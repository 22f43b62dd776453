/*
 * The Prometheus exposition of a cluster's replication lag (`GET /metrics`):
 * engine-style metric names chosen by the StatefulSet's engine, plus one
 * generic series every consumer can rely on.
 */
import type { KubeObject } from './types';
import {
  ERROR_ANNOTATION,
  LAG_ANNOTATION,
  OBSERVED_ANNOTATION,
  SOURCE_ANNOTATION,
} from './replicationLagController';

const ENGINE_KEY = 'multicluster-statefulsets/engine';

/** The engine of a workload: its label/annotation, a CloudNativePG cluster's, else a guess from the image. */
export function engineOf(sts: KubeObject): string {
  const explicit =
    sts.metadata.labels?.[ENGINE_KEY] ?? sts.metadata.annotations?.[ENGINE_KEY];
  if (explicit) return explicit;
  if (sts.apiVersion.startsWith('postgresql.cnpg.io/')) return 'postgresql';
  const image = JSON.stringify(
    sts.spec?.template?.spec?.containers?.map((c: any) => c.image) ?? [],
  );
  if (/mysql|mariadb|percona/.test(image)) return 'mysql';
  if (/postgres|cnpg/.test(image)) return 'postgresql';
  if (/mongo/.test(image)) return 'mongodb';
  if (/kafka|strimzi/.test(image)) return 'kafka';
  if (/elasticsearch|opensearch/.test(image)) return 'elasticsearch';
  return 'generic';
}

const ENGINE_METRICS: Record<
  string,
  { name: string; help: string; scale: number }
> = {
  mysql: {
    name: 'mysql_slave_status_seconds_behind_master',
    help: 'Seconds the replica is behind the source.',
    scale: 1,
  },
  postgresql: {
    name: 'cnpg_pg_replication_lag',
    help: 'Replication lag behind the primary in seconds.',
    scale: 1,
  },
  mongodb: {
    name: 'mongodb_mongod_replset_member_replication_lag',
    help: 'Member replication lag in seconds.',
    scale: 1,
  },
  kafka: {
    name: 'kafka_connect_mirror_mirrorsourceconnector_replication_latency_ms',
    help: 'MirrorMaker 2 replication latency in milliseconds.',
    scale: 1000,
  },
  elasticsearch: {
    name: 'elasticsearch_ccr_follower_lag_seconds',
    help: 'CCR follower lag behind the leader in seconds.',
    scale: 1,
  },
};

function esc(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

/**
 * The simulator's own record of a replica's lag, for workloads that carry
 * none of the product's annotations (operator- and chart-run databases): the
 * simulated operator or engine writes it, only `/metrics` reads it, as an
 * exporter would publish what the engine reports. The product never reads
 * these keys.
 */
export const SIM_LAG_SECONDS = 'simulator.local/replication-lag-seconds';
/** The cluster the replica replicates from (see {@link SIM_LAG_SECONDS}). */
export const SIM_LAG_SOURCE = 'simulator.local/replication-source';
/** When the lag was measured (see {@link SIM_LAG_SECONDS}). */
export const SIM_LAG_OBSERVED_AT =
  'simulator.local/replication-lag-observed-at';
/** The engine whose metric names the series use (see {@link SIM_LAG_SECONDS}). */
export const SIM_ENGINE = 'simulator.local/engine';

/**
 * What each engine's exporter publishes about whether its replication
 * link runs (1) or not (0), as the MySQL exporter's IO-thread gauge does.
 */
const ENGINE_LINK_METRICS: Record<string, { name: string; help: string }> = {
  mysql: {
    name: 'mysql_slave_status_slave_io_running',
    help: 'Whether the replica IO thread is running.',
  },
};

/** A side's broken link, as its exporter reports it: the source and the reason. */
function linkErrorOf(
  obj: KubeObject,
): { source: string; reason: string } | undefined {
  const a = obj.metadata.annotations ?? {};
  const reason = a[ERROR_ANNOTATION];
  return reason ? { source: a[SOURCE_ANNOTATION] ?? '', reason } : undefined;
}

/** The link series: up 1 for a measured lag, 0 with its reason for a broken link. */
function linkSeries(
  cluster: string,
  workloads: Iterable<KubeObject>,
): string[] {
  const up: string[] = [];
  const errors: string[] = [];
  const perEngine = new Map<string, string[]>();
  for (const obj of workloads) {
    const broken = linkErrorOf(obj);
    const source = broken?.source ?? lagRecordOf(obj)?.source;
    if (source === undefined) continue;
    const labels = seriesLabels(obj, source, cluster);
    const value = broken ? 0 : 1;
    up.push(`multicluster_replication_link_up{${labels}} ${value}`);
    if (broken)
      errors.push(
        `multicluster_replication_link_error_info{${labels},reason="${esc(
          broken.reason,
        )}"} 1`,
      );
    const m = ENGINE_LINK_METRICS[engineOf(obj)];
    if (m)
      perEngine.set(m.name, [
        ...(perEngine.get(m.name) ?? []),
        `${m.name}{${labels}} ${value}`,
      ]);
  }
  const out = [
    '# HELP multicluster_replication_link_up Whether a side replicates from its source (1) or its link is broken (0).',
    '# TYPE multicluster_replication_link_up gauge',
    ...up,
    "# HELP multicluster_replication_link_error_info Why a side's replication link is broken, as its exporter reports it.",
    '# TYPE multicluster_replication_link_error_info gauge',
    ...errors,
  ];
  for (const m of Object.values(ENGINE_LINK_METRICS)) {
    const lines = perEngine.get(m.name);
    if (lines)
      out.push(
        `# HELP ${m.name} ${m.help}`,
        `# TYPE ${m.name} gauge`,
        ...lines,
      );
  }
  return out;
}

function seriesLabels(obj: KubeObject, source: string, cluster: string) {
  return `namespace="${esc(obj.metadata.namespace ?? '')}",statefulset="${esc(
    obj.metadata.name,
  )}",source="${esc(source)}",cluster="${esc(cluster)}"`;
}

function lagRecordOf(
  obj: KubeObject,
): { source: string; lag: string; observedAt?: string } | undefined {
  const a = obj.metadata.annotations ?? {};
  if (a[SOURCE_ANNOTATION] && a[LAG_ANNOTATION] !== undefined) {
    return {
      source: a[SOURCE_ANNOTATION],
      lag: a[LAG_ANNOTATION],
      observedAt: a[OBSERVED_ANNOTATION],
    };
  }
  if (a[SIM_LAG_SOURCE] && a[SIM_LAG_SECONDS] !== undefined) {
    return {
      source: a[SIM_LAG_SOURCE],
      lag: a[SIM_LAG_SECONDS],
      observedAt: a[SIM_LAG_OBSERVED_AT],
    };
  }
  return undefined;
}

/**
 * Renders the metrics text for one cluster's replicating workloads:
 * StatefulSets with the product's lag annotations, and any workload
 * (StatefulSet or operator resource) with the simulator's own lag record.
 * The `statefulset` label names the workload either way.
 */
export function renderMetrics(
  cluster: string,
  workloadList: Iterable<KubeObject>,
): string {
  const workloads = [...workloadList];
  const generic: string[] = [];
  const observed: string[] = [];
  const perEngine = new Map<string, string[]>();
  for (const sts of workloads) {
    const a = sts.metadata.annotations ?? {};
    const record = lagRecordOf(sts);
    if (!record) continue;
    const source = record.source;
    const lag = Number(record.lag);
    if (!Number.isFinite(lag)) continue;
    const labels = seriesLabels(sts, source, cluster);
    generic.push(`multicluster_replication_lag_seconds{${labels}} ${lag}`);
    const at = Date.parse(record.observedAt ?? '');
    if (Number.isFinite(at))
      observed.push(
        `multicluster_replication_lag_observed_timestamp_seconds{${labels}} ${
          at / 1000
        }`,
      );
    const m = ENGINE_METRICS[a[SIM_ENGINE] ?? engineOf(sts)];
    if (m) {
      const l = perEngine.get(m.name) ?? [];
      l.push(`${m.name}{${labels}} ${+(lag * m.scale).toFixed(3)}`);
      perEngine.set(m.name, l);
    }
  }
  const out: string[] = [
    '# HELP multicluster_replication_lag_seconds Replication lag of a passive StatefulSet behind its source cluster.',
    '# TYPE multicluster_replication_lag_seconds gauge',
    ...generic,
    '# HELP multicluster_replication_lag_observed_timestamp_seconds When the lag was last measured (Unix seconds).',
    '# TYPE multicluster_replication_lag_observed_timestamp_seconds gauge',
    ...observed,
  ];
  for (const m of Object.values(ENGINE_METRICS)) {
    const lines = perEngine.get(m.name);
    if (!lines) continue;
    out.push(`# HELP ${m.name} ${m.help}`, `# TYPE ${m.name} gauge`, ...lines);
  }
  out.push(...linkSeries(cluster, workloads));
  return `${out.join('\n')}\n`;
}
