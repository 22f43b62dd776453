/*
 * Where a PostgreSQL server stands when it first starts, for pods nothing
 * has configured through exec yet: a StatefulSet's pods other than its
 * first ordinal stream from that first pod (their cluster's primary); the
 * first pod of a StatefulSet marked passive streams from the first pod of
 * its replication source's cluster, by its Multi-Cluster Services name; a
 * Bitnami chart's replica (`POSTGRESQL_REPLICATION_MODE=slave`) streams
 * from its `POSTGRESQL_MASTER_HOST`. Everything else is a primary.
 */
import type { KubeObject } from '../../controllers/types';
import type { ClusterStore } from '../../store/ClusterStore';
import type { PeerDirectory } from '../programs';

const ROLE = 'multicluster-statefulsets/role';
const SOURCE = 'multicluster-statefulsets/replication-source';

function ownerOf(store: ClusterStore, pod: KubeObject): KubeObject | undefined {
  const ref = pod.metadata.ownerReferences?.find(
    (o: any) => o?.kind === 'StatefulSet',
  );
  return (
    ref && store.peek('apps', 'StatefulSet', pod.metadata.namespace, ref.name)
  );
}

function firstOrdinal(sts: KubeObject | undefined): number {
  return Number(sts?.spec?.ordinals?.start ?? 0);
}

function conninfo(
  host: string,
  port: string | number,
  pod: KubeObject,
): string {
  return `host=${host} port=${port} user=postgres application_name=${pod.metadata.name}`;
}

/** The primary_conninfo a fresh server of `pod` starts with; undefined for a primary. */
export function initialPrimaryConninfo(
  store: ClusterStore,
  pod: KubeObject,
  peers?: PeerDirectory,
): string | undefined {
  const sts = ownerOf(store, pod);
  if (!sts) return undefined;
  for (const c of sts.spec?.template?.spec?.containers ?? []) {
    const env = new Map<string, string>(
      (c?.env ?? [])
        .filter((e: any) => typeof e?.value === 'string')
        .map((e: any) => [e.name, e.value]),
    );
    const mode =
      env.get('POSTGRESQL_REPLICATION_MODE') ??
      env.get('POSTGRES_REPLICATION_MODE');
    const master =
      env.get('POSTGRESQL_MASTER_HOST') ?? env.get('POSTGRES_MASTER_HOST');
    if (mode?.toLowerCase() === 'slave' && master) {
      return conninfo(
        master,
        env.get('POSTGRESQL_MASTER_PORT_NUMBER') ?? 5432,
        pod,
      );
    }
  }
  const ns = pod.metadata.namespace!;
  const name = sts.metadata.name;
  const svc = sts.spec?.serviceName ?? name;
  const ordinal = Number(pod.metadata.labels?.['apps.kubernetes.io/pod-index']);
  const first = firstOrdinal(sts);
  if (Number.isInteger(ordinal) && ordinal !== first) {
    return conninfo(`${name}-${first}.${svc}`, 5432, pod);
  }
  const annotations = sts.metadata.annotations ?? {};
  const from = annotations[SOURCE];
  if (annotations[ROLE] === 'passive' && from && from !== store.name) {
    const peer = peers?.store(from)?.peek('apps', 'StatefulSet', ns, name);
    return conninfo(
      `${name}-${firstOrdinal(peer)}.${from}.${svc}.${ns}.svc.clusterset.local`,
      5432,
      pod,
    );
  }
  return undefined;
}
