/*
 * Where a server stands when it first starts, for pods nothing has
 * configured through exec yet: a StatefulSet's pods other than its first
 * ordinal replicate from that first pod (their cluster's primary), and the
 * first pod of a StatefulSet marked passive replicates from the first pod
 * of its replication source's cluster, on a channel named after that
 * cluster, as the generated join script wires them. A Helm chart's replica
 * (`MYSQL_REPLICATION_MODE=slave`) replicates from its `MYSQL_MASTER_HOST`
 * on the default channel, read-only. Everything else is a writable source
 * (or read-only when labelled a replica).
 */
import { chartReplicaOf } from '../../controllers/replication/chartReplica';
import type { KubeObject } from '../../controllers/types';
import type { ClusterStore } from '../../store/ClusterStore';
import type { PeerDirectory } from '../programs';
import type { ReplicationSource } from './state';

const POD_ROLE_LABEL = 'multicluster-statefulsets/pod-role';
const ROLE = 'multicluster-statefulsets/role';
const SOURCE = 'multicluster-statefulsets/replication-source';

/** How a fresh server starts. */
export interface InitialTopology {
  readOnly: boolean;
  source?: ReplicationSource;
  channel?: string;
}

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

function replicaOf(host: string, channel: string): InitialTopology {
  return {
    readOnly: true,
    channel,
    source: { host, port: 3306, user: 'replicator', autoPosition: true },
  };
}

/** The replication a fresh server of `pod` starts with. */
export function initialTopology(
  store: ClusterStore,
  pod: KubeObject,
  peers?: PeerDirectory,
): InitialTopology {
  const labelled = pod.metadata.labels?.[POD_ROLE_LABEL] === 'replica';
  const sts = ownerOf(store, pod);
  if (!sts) return { readOnly: labelled };
  const ns = pod.metadata.namespace!;
  const name = sts.metadata.name;
  const svc = sts.spec?.serviceName ?? name;
  const ordinal = Number(pod.metadata.labels?.['apps.kubernetes.io/pod-index']);
  const first = firstOrdinal(sts);
  if (Number.isInteger(ordinal) && ordinal !== first) {
    return replicaOf(`${name}-${first}.${svc}`, store.name);
  }
  const chart = chartReplicaOf(sts);
  if (chart?.engine === 'mysql') return replicaOf(chart.host, '');
  const annotations = sts.metadata.annotations ?? {};
  const from = annotations[SOURCE];
  if (annotations[ROLE] === 'passive' && from && from !== store.name) {
    const peer = peers?.store(from)?.peek('apps', 'StatefulSet', ns, name);
    return replicaOf(
      `${name}-${firstOrdinal(peer)}.${from}.${svc}.${ns}.svc.clusterset.local`,
      from,
    );
  }
  return { readOnly: labelled };
}
