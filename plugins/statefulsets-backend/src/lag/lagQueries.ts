/*
 * The PromQL lag query of each engine: the defaults, which name the metrics
 * of the common exporters, and the `{{placeholder}}` templating that fills in
 * which workload in which cluster is asked about. `{{` never occurs in valid
 * PromQL and `${…}` is taken by the config loader, hence the braces.
 */
import { LagTarget } from '@multicluster/backstage-plugin-statefulsets-node';

/** The placeholders a lag query may use, and what each stands for. */
export const LAG_QUERY_PLACEHOLDERS = {
  namespace: 'the namespace of the workload',
  statefulset:
    'the name of the workload (StatefulSet, or CloudNativePG Cluster)',
  cluster: 'the cluster of the replica whose lag is asked for',
  source: 'the cluster the replica replicates from',
} as const;

/** A placeholder name. */
export type LagQueryPlaceholder = keyof typeof LAG_QUERY_PLACEHOLDERS;

const PLACEHOLDER = /\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g;

const SELECTOR =
  'namespace="{{namespace}}", statefulset="{{statefulset}}", cluster="{{cluster}}"';

/**
 * Default query per engine, each giving seconds. The metric names are those
 * of mysqld_exporter, CloudNativePG's exporter, mongodb_exporter, Kafka
 * Connect's MirrorMaker 2 metrics through the JMX exporter, and the
 * Elasticsearch exporter; `generic` reads the product's own metric name for
 * exporters written for it. The labels assume the common relabelling of
 * Kubernetes service discovery (`namespace`, `statefulset` from the pod's
 * controller name) and a `cluster` label per cluster (external labels).
 * Bare selectors keep the sample's own time, which the freshness bound needs.
 */
export const DEFAULT_LAG_QUERIES: Readonly<Record<string, string>> = {
  mysql: `mysql_slave_status_seconds_behind_master{${SELECTOR}}`,
  postgresql: `cnpg_pg_replication_lag{${SELECTOR}}`,
  mongodb: `mongodb_mongod_replset_member_replication_lag{${SELECTOR}}`,
  kafka: `kafka_connect_mirror_mirrorsourceconnector_replication_latency_ms{${SELECTOR}} / 1000`,
  elasticsearch: `elasticsearch_ccr_follower_lag_seconds{${SELECTOR}}`,
  generic: `multicluster_replication_lag_seconds{${SELECTOR}}`,
};

/** Escapes a value for a double-quoted PromQL string. */
export function escapePromQLString(value: string): string {
  return value
    .replace(/\\/g, '\\\\')
    .replace(/"/g, '\\"')
    .replace(/\n/g, '\\n');
}

/** The placeholders a template uses. */
export function placeholdersOf(template: string): string[] {
  return [...new Set([...template.matchAll(PLACEHOLDER)].map(m => m[1]))];
}

/**
 * The queries per engine: the defaults with the configured ones on top; an
 * empty configured query turns an engine's default off. Throws on a query
 * with an unknown placeholder, naming the engine.
 */
export function resolveLagQueries(
  configured: Record<string, string> | undefined,
): Map<string, string> {
  const merged = { ...DEFAULT_LAG_QUERIES, ...configured };
  const out = new Map<string, string>();
  for (const [engine, template] of Object.entries(merged)) {
    const query = template.trim();
    if (!query) continue;
    const unknown = placeholdersOf(query).filter(
      p => !(p in LAG_QUERY_PLACEHOLDERS),
    );
    if (unknown.length > 0) {
      throw new Error(
        `The Prometheus lag query for ${engine} uses unknown placeholder(s) ${unknown
          .map(p => `{{${p}}}`)
          .join(', ')}; known: ${Object.keys(LAG_QUERY_PLACEHOLDERS)
          .map(p => `{{${p}}}`)
          .join(', ')}`,
      );
    }
    out.set(engine, query);
  }
  return out;
}

/**
 * Fills a template in for a target, each value escaped for a double-quoted
 * PromQL string. Answers the placeholders it has no value for instead (a
 * `{{source}}` where the source is not known).
 */
export function renderLagQuery(
  template: string,
  target: LagTarget,
): { query: string } | { missing: string[] } {
  const values: Record<LagQueryPlaceholder, string | undefined> = {
    namespace: target.namespace,
    statefulset: target.workload,
    cluster: target.cluster,
    source: target.source,
  };
  const missing = placeholdersOf(template).filter(
    p => values[p as LagQueryPlaceholder] === undefined,
  );
  if (missing.length > 0) return { missing };
  return {
    query: template.replace(PLACEHOLDER, (_m, name: string) =>
      escapePromQLString(values[name as LagQueryPlaceholder]!),
    ),
  };
}
