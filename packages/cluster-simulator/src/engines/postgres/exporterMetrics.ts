/*
 * What postgres_exporter publishes of each emulated server, read straight
 * from the state the emulator keeps, so a promotion done through exec shows
 * in `/metrics` without any exec: `pg_up`, and for a server that answers
 * `pg_replication_is_replica` (pg_is_in_recovery() as 0 or 1) and
 * `pg_replication_lag_seconds` (0 on a primary and on a streaming standby,
 * else the seconds since the standby last received WAL: the replay lag of
 * ./state, which the topology shows too). Only the pods this emulator
 * serves are covered (not CloudNativePG's or Spilo's, whose operators and
 * exporters publish their own series). Reading never writes a state.
 */
import type { KubeObject } from '../../controllers/types';
import type { ClusterStore } from '../../store/ClusterStore';
import type { PeerDirectory } from '../programs';
import { peekState, runsPostgres, storeHost } from './emulator';
import { replayLagOf } from './state';

function esc(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

function exported(pod: KubeObject): string | undefined {
  if (pod.status?.phase !== 'Running' || !runsPostgres(pod)) return undefined;
  return pod.metadata.ownerReferences?.find(
    (o: any) => o?.kind === 'StatefulSet',
  )?.name;
}

const SERIES = [
  [
    'pg_up',
    'Whether the last scrape of metrics from PostgreSQL was able to connect to the server (1 for yes, 0 for no).',
  ],
  ['pg_replication_is_replica', 'Indicates if the server is a replica'],
  ['pg_replication_lag_seconds', 'Replication lag behind master in seconds'],
] as const;

/** The exporter's series of every running PostgreSQL pod of a cluster. */
export function renderPostgresExporterMetrics(
  cluster: string,
  store: ClusterStore,
  now: number,
  peers?: PeerDirectory,
): string {
  const lines = SERIES.map(([name, help]) => [
    `# HELP ${name} ${help}`,
    `# TYPE ${name} gauge`,
  ]);
  for (const pod of store.peekAll('', 'Pod')) {
    const statefulset = exported(pod);
    if (statefulset === undefined) continue;
    const s = peekState(store, pod, now, peers);
    const up =
      s.stoppedInPod === undefined ||
      s.stoppedInPod !== String(pod.metadata.uid ?? pod.metadata.name);
    const labels = `namespace="${esc(
      pod.metadata.namespace ?? '',
    )}",statefulset="${esc(statefulset)}",pod="${esc(
      pod.metadata.name,
    )}",cluster="${esc(cluster)}"`;
    lines[0].push(`pg_up{${labels}} ${up ? 1 : 0}`);
    if (!up) continue;
    lines[1].push(
      `pg_replication_is_replica{${labels}} ${s.inRecovery ? 1 : 0}`,
    );
    const lag = replayLagOf(
      s,
      storeHost(store, pod, () => now, peers),
    );
    lines[2].push(
      `pg_replication_lag_seconds{${labels}} ${
        lag && 'lagSeconds' in lag ? lag.lagSeconds : 0
      }`,
    );
  }
  return `${lines.flat().join('\n')}\n`;
}
