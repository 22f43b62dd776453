/*
 * Helm charts' replicas as their env describes them (the Bitnami charts'
 * `*_REPLICATION_MODE=slave` and `*_MASTER_HOST`, MongoDB's
 * `MONGODB_INITIAL_PRIMARY_HOST`), and the cluster their source host
 * resolves to.
 */
import { resolveHost } from './dns';
import type { ClusterApi, KubeObject } from '../types';

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

/**
 * The cluster a replica's source host resolves to, by the DNS each routing
 * provides (see ./replication/dns). Undefined when the name leads nowhere.
 */
export function resolveSourceHost(
  host: string,
  own: ClusterApi,
  clusters: ReadonlyMap<string, ClusterApi>,
  namespace?: string,
): { cluster: string; service?: KubeObject } | undefined {
  const r = resolveHost(host, own, clusters, namespace);
  return r.error !== undefined
    ? undefined
    : { cluster: r.cluster, service: r.service };
}

/** Whether the StatefulSets behind a source Service take no more writes. */
export function sourceQuiesced(
  cluster: ClusterApi,
  service: KubeObject | undefined,
) {
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
