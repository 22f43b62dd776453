/*
 * The roles the engines themselves report, read through the exporters'
 * series in Prometheus (the topology reads with an identity that may not
 * exec into pods). MySQL: mysqld_exporter's `read_only` and
 * `super_read_only` gauges per pod; a pod with both off takes writes (the
 * primary), any other is a replica. Only series scraped within the lag
 * source's freshness bound count; a workload without any keeps the role its
 * annotations or labels declare. Another engine joins with its exporter's
 * series and the rule that turns them into a pod role.
 */
import {
  EngineRoleReading,
  PodRole,
  RoleSource,
} from '@multicluster/backstage-plugin-statefulsets-common';
import { EntityContext } from '@multicluster/backstage-plugin-statefulsets-node';
import { escapePromQLString } from './lagQueries';
import { readMirrorMakerRoles } from './mirrorMakerRoles';
import { InstantSample } from './prometheusResponse';

/** Reads the roles the engines report, for the topology. */
export interface EngineRoleSource {
  readRoles(context: EntityContext): Promise<EngineRoleReading[]>;
}

/** What the role source needs of Prometheus. */
export interface FreshSampleReader {
  readFreshSamples(query: string): Promise<InstantSample[]>;
}

interface EngineRoleSeries {
  source: RoleSource;
  /** Exporter metrics read per pod, each by the `namespace` label. */
  metrics: string[];
  /** A pod's role from its value of each metric, in order. */
  podRole(values: number[]): PodRole;
}

/** The series each engine's exporter reports its roles in. */
export const ENGINE_ROLE_SERIES: Readonly<Record<string, EngineRoleSeries>> = {
  mysql: {
    source: 'mysqld-exporter',
    metrics: [
      'mysql_global_variables_super_read_only',
      'mysql_global_variables_read_only',
    ],
    podRole: values => (values.every(v => v === 0) ? 'primary' : 'replica'),
  },
  // Only servers postgres_exporter scrapes publish it: CloudNativePG's and
  // Spilo's pods report through their operators' own series, and a
  // StatefulSet without the series keeps its annotations and labels.
  postgresql: {
    source: 'postgres-exporter',
    metrics: ['pg_replication_is_replica'],
    podRole: ([replica]) => (replica === 0 ? 'primary' : 'replica'),
  },
  // mongodb_exporter's member state: 1 PRIMARY, 2 SECONDARY, 7 ARBITER;
  // any other (RECOVERING, REMOVED, …) takes no part in the roles.
  mongodb: {
    source: 'mongodb-exporter',
    metrics: ['mongodb_rs_myState'],
    podRole: ([state]) => {
      if (state === 1) return 'primary';
      if (state === 2) return 'replica';
      return state === 7 ? 'arbiter' : 'unknown';
    },
  },
  // A cluster whose indices follow another's (CCR) is passive; one that
  // follows nothing leads. Every node of a cluster reports the same count.
  elasticsearch: {
    source: 'elasticsearch-ccr',
    metrics: ['elasticsearch_ccr_follower_indices'],
    podRole: ([followers]) => (followers === 0 ? 'primary' : 'replica'),
  },
};

type PodKey = string;

function podKey(l: Record<string, string>): PodKey {
  return JSON.stringify([l.cluster, l.namespace, l.statefulset, l.pod]);
}

/** The entity's StatefulSets per cluster, as `cluster/namespace/name`. */
function workloadsOf(context: EntityContext): Set<string> {
  const out = new Set<string>();
  for (const view of context.clusters) {
    for (const sts of view.objects?.statefulSets ?? []) {
      out.add(
        `${view.cluster.name}/${sts.metadata.namespace}/${sts.metadata.name}`,
      );
    }
  }
  return out;
}

/** Engine roles from the exporters' series in Prometheus. */
export class PrometheusEngineRoles implements EngineRoleSource {
  readonly #prometheus: FreshSampleReader;

  constructor(prometheus: FreshSampleReader) {
    this.#prometheus = prometheus;
  }

  async readRoles(context: EntityContext): Promise<EngineRoleReading[]> {
    // Kafka's role is the mirror direction, read from MirrorMaker 2.
    if (context.policy.engine === 'kafka')
      return readMirrorMakerRoles(this.#prometheus, context);
    const series = ENGINE_ROLE_SERIES[context.policy.engine];
    const workloads = workloadsOf(context);
    if (!series || workloads.size === 0) return [];
    const namespaces = new Set(
      [...workloads].map(w => w.split('/')[1]).filter(Boolean),
    );
    const answers = await Promise.all(
      [...namespaces].map(ns => this.#podRoles(series, ns)),
    );
    const readings = new Map<string, EngineRoleReading>();
    for (const [labels, role] of answers.flat()) {
      const key = `${labels.cluster}/${labels.namespace}/${labels.statefulset}`;
      if (!workloads.has(key)) continue;
      const reading = readings.get(key) ?? {
        cluster: labels.cluster,
        namespace: labels.namespace,
        workload: labels.statefulset,
        source: series.source,
        pods: {},
      };
      reading.pods[labels.pod] = role;
      readings.set(key, reading);
    }
    return [...readings.values()];
  }

  /** Each pod with a fresh sample of every metric, and its role. */
  async #podRoles(
    series: EngineRoleSeries,
    namespace: string,
  ): Promise<Array<[Record<string, string>, PodRole]>> {
    const selector = `{namespace="${escapePromQLString(namespace)}"}`;
    const answers = await Promise.all(
      series.metrics.map(m =>
        this.#prometheus.readFreshSamples(`${m}${selector}`),
      ),
    );
    const byPod = answers.map(
      samples => new Map(samples.map(s => [podKey(s.labels), s])),
    );
    const out: Array<[Record<string, string>, PodRole]> = [];
    for (const [key, sample] of byPod[0]) {
      const values = byPod.map(m => m.get(key)?.value);
      if (!sample.labels.pod || values.some(v => v === undefined)) continue;
      out.push([sample.labels, series.podRole(values as number[])]);
    }
    return out;
  }
}
