/*
 * Replication links from what a Helm chart configures: the Bitnami charts
 * make a replica by giving its StatefulSet the primary's host name in an
 * environment variable (`MYSQL_MASTER_HOST`, `POSTGRES_MASTER_HOST`, …). A
 * replica replicates from the cluster that host name really resolves to,
 * which depends on how the name is published: Multi-Cluster Services for
 * `*.svc.clusterset.local`, the cluster's own DNS for the in-cluster forms,
 * a LoadBalancer Service's published address otherwise. A host no routing
 * resolves gives no link; `chartReplicas` keeps the reason.
 */
import { ClusterObjects, KubeObject } from '../kube';
import { ReplicationLink } from '../types';
import { OperatorConvention } from './types';

/** What a chart's environment says about a replica: its engine and its source host. */
export interface ChartReplicaSettings {
  engine: 'mysql' | 'mariadb' | 'postgresql' | 'mongodb';
  /** The source host as configured, port and trailing dot removed, lower-cased. */
  host: string;
}

/** Where a source host name leads. */
export type HostResolution =
  | {
      kind: 'cluster';
      cluster: string;
      /** The routing that publishes the name. */
      via: 'cluster-local' | 'clusterset' | 'load-balancer';
    }
  | { kind: 'unresolved'; reason: string };

/** One chart replica found in a cluster, with where its source host leads. */
export interface ChartReplica extends ChartReplicaSettings {
  cluster: string;
  workload: string;
  resolution: HostResolution;
}

interface EnvVar {
  name?: string;
  value?: string;
  valueFrom?: { fieldRef?: { fieldPath?: string } };
}

/**
 * A container's environment as literal values, with `$(VAR)` references to
 * earlier variables expanded the way the kubelet does (`$$` escapes). The
 * namespace from the downward API is known from the object itself.
 */
function containerEnv(env: EnvVar[], namespace: string): Map<string, string> {
  const values = new Map<string, string>();
  for (const e of env) {
    if (!e?.name) continue;
    if (typeof e.value === 'string') {
      const expanded = e.value.replace(
        /\$\$|\$\(([A-Za-z_][A-Za-z0-9_.-]*)\)/g,
        (whole: string, ref: string | undefined) => {
          if (!ref) return '$';
          return values.get(ref) ?? whole;
        },
      );
      values.set(e.name, expanded);
    } else if (e.valueFrom?.fieldRef?.fieldPath === 'metadata.namespace') {
      values.set(e.name, namespace);
    }
  }
  return values;
}

/** The host part of `host[:port]`, lower-cased and without a trailing dot. */
function hostOnly(value: string): string {
  const trimmed = value.trim().toLowerCase();
  const noPort = /^[^:]+:\d+$/.test(trimmed)
    ? trimmed.slice(0, trimmed.lastIndexOf(':'))
    : trimmed;
  return noPort.replace(/\.$/, '');
}

const MASTER_REPLICAS: Array<{
  engine: ChartReplicaSettings['engine'];
  mode: string;
  host: string;
}> = [
  {
    engine: 'mysql',
    mode: 'MYSQL_REPLICATION_MODE',
    host: 'MYSQL_MASTER_HOST',
  },
  {
    engine: 'mariadb',
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
 * The replication settings a chart gave a StatefulSet, when they make it a
 * replica: MySQL, MariaDB and PostgreSQL replicas run in `slave` mode with
 * the primary's host; a MongoDB member names its replica set's initial
 * primary, and replicates from it unless it is that primary or an arbiter
 * (which holds no data).
 */
export function chartReplicaSettingsOf(
  sts: KubeObject,
): ChartReplicaSettings | undefined {
  const namespace = sts.metadata.namespace ?? 'default';
  const containers: Array<{ env?: EnvVar[] }> =
    sts.spec?.template?.spec?.containers ?? [];
  for (const container of containers) {
    const env = containerEnv(container.env ?? [], namespace);
    for (const m of MASTER_REPLICAS) {
      const mode = env.get(m.mode);
      const host = env.get(m.host);
      if (mode === undefined) continue;
      if (mode.toLowerCase() !== 'slave' || !host) return undefined;
      return { engine: m.engine, host: hostOnly(host) };
    }
    const initialPrimary = env.get('MONGODB_INITIAL_PRIMARY_HOST');
    if (initialPrimary) {
      const mode = env.get('MONGODB_REPLICA_SET_MODE')?.toLowerCase();
      if (mode === 'primary' || mode === 'arbiter') return undefined;
      return { engine: 'mongodb', host: hostOnly(initialPrimary) };
    }
  }
  return undefined;
}

const CLUSTERSET_SUFFIX = ['svc', 'clusterset', 'local'];

function clustersetResolution(
  labels: string[],
  objectsByCluster: Record<string, ClusterObjects>,
): HostResolution {
  // <svc>.<ns>.svc.clusterset.local, <pod>.<svc>.… or <pod>.<cluster id>.<svc>.…
  const service = labels[labels.length - 5];
  const namespace = labels[labels.length - 4];
  const prefix = labels.slice(0, -5);
  const ref = `${namespace}/${service}`;
  if (!service || prefix.length > 2) {
    return {
      kind: 'unresolved',
      reason: `${labels.join('.')} is no Multi-Cluster Services name`,
    };
  }
  const exported = (objects: ClusterObjects) =>
    objects.serviceExports.some(
      e =>
        e.metadata.name === service &&
        (e.metadata.namespace ?? 'default') === namespace,
    );
  let candidates = Object.entries(objectsByCluster)
    .filter(([, objects]) => exported(objects))
    .map(([cluster]) => cluster);
  if (candidates.length === 0) {
    return {
      kind: 'unresolved',
      reason: `no cluster exports the Service ${ref} (no ServiceExport)`,
    };
  }
  const narrow = (keep: (cluster: string) => boolean) => {
    const kept = candidates.filter(keep);
    if (kept.length > 0) candidates = kept;
  };
  if (prefix.length === 2) {
    narrow(c => c === prefix[1]);
  } else if (prefix.length === 1) {
    narrow(c =>
      objectsByCluster[c].pods.some(p => p.metadata.name === prefix[0]),
    );
  }
  // An export without the Service behind it serves nothing.
  narrow(c =>
    objectsByCluster[c].services.some(
      s =>
        s.metadata.name === service &&
        (s.metadata.namespace ?? 'default') === namespace,
    ),
  );
  if (candidates.length > 1) {
    return {
      kind: 'unresolved',
      reason: `the Service ${ref} is exported by several clusters (${candidates.join(
        ', ',
      )})`,
    };
  }
  return { kind: 'cluster', cluster: candidates[0], via: 'clusterset' };
}

function loadBalancerClusters(
  host: string,
  objectsByCluster: Record<string, ClusterObjects>,
): string[] {
  return Object.entries(objectsByCluster)
    .filter(([, objects]) =>
      objects.services.some(s =>
        (s.status?.loadBalancer?.ingress ?? []).some(
          (i: { ip?: string; hostname?: string }) =>
            i?.ip === host || i?.hostname?.toLowerCase() === host,
        ),
      ),
    )
    .map(([cluster]) => cluster);
}

/**
 * Where a replica's source host leads, by the DNS each routing provides:
 * an address a LoadBalancer Service publishes → that Service's cluster;
 * `<svc>.<ns>.svc.clusterset.local` → the one cluster exporting that
 * Service (ServiceExport, with the Service behind it); `<svc>`,
 * `<svc>.<ns>`, `<svc>.<ns>.svc` and `*.svc.<cluster domain>` → the
 * replica's own cluster. Anything else is unresolved, with the reason.
 */
export function resolveReplicationHost(
  host: string,
  replicaCluster: string,
  objectsByCluster: Record<string, ClusterObjects>,
): HostResolution {
  const name = hostOnly(host);
  const published = loadBalancerClusters(name, objectsByCluster);
  if (published.length === 1) {
    return { kind: 'cluster', cluster: published[0], via: 'load-balancer' };
  }
  if (published.length > 1) {
    return {
      kind: 'unresolved',
      reason: `${name} is published by LoadBalancer Services in several clusters (${published.join(
        ', ',
      )})`,
    };
  }
  const labels = name.split('.');
  const isIp = /^[0-9.]+$/.test(name) || name.includes(':');
  if (
    labels.length >= 5 &&
    CLUSTERSET_SUFFIX.every((l, i) => labels[labels.length - 3 + i] === l)
  ) {
    return clustersetResolution(labels, objectsByCluster);
  }
  const svcAt = labels.lastIndexOf('svc');
  const inCluster =
    !isIp && (labels.length <= 2 || (svcAt >= 2 && svcAt >= labels.length - 3));
  if (inCluster) {
    return { kind: 'cluster', cluster: replicaCluster, via: 'cluster-local' };
  }
  return {
    kind: 'unresolved',
    reason: `no Service publishes ${name}: not a cluster-local or clusterset.local name, nor a LoadBalancer address`,
  };
}

/** Every chart replica in the clusters, with where its source host leads. */
export function chartReplicas(
  objectsByCluster: Record<string, ClusterObjects>,
): ChartReplica[] {
  const replicas: ChartReplica[] = [];
  for (const [cluster, objects] of Object.entries(objectsByCluster)) {
    for (const sts of objects.statefulSets) {
      const settings = chartReplicaSettingsOf(sts);
      if (!settings) continue;
      replicas.push({
        cluster,
        workload: sts.metadata.name,
        ...settings,
        resolution: resolveReplicationHost(
          settings.host,
          cluster,
          objectsByCluster,
        ),
      });
    }
  }
  return replicas.sort((a, b) =>
    `${a.cluster}/${a.workload}`.localeCompare(`${b.cluster}/${b.workload}`),
  );
}

/**
 * Links from the charts' replication environment: a replica whose source
 * host resolves to another cluster replicates from it. Same-cluster
 * replication is no link between clusters. The chart reports no lag; the
 * backend reads it from Prometheus when it has a query for the engine.
 */
export const chartReplicationConvention: OperatorConvention = {
  id: 'chart-replication-env',
  title: 'Helm chart',
  resources: () => [],
  isRelated: () => true,
  links(objectsByCluster): ReplicationLink[] {
    return chartReplicas(objectsByCluster).flatMap(r =>
      r.resolution.kind === 'cluster' && r.resolution.cluster !== r.cluster
        ? [
            {
              from: r.resolution.cluster,
              to: r.cluster,
              workload: r.workload,
              provider: 'chart-replication-env',
              lagSeconds: null,
              healthy: false,
              reason: 'lag not reported by the chart',
            },
          ]
        : [],
    );
  },
};
