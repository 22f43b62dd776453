/*
 * What an exporter of each emulated Elasticsearch cluster publishes of its
 * cross-cluster replication, read straight from the state the emulator
 * keeps (never writing it), so a switchover done through exec shows in
 * `/metrics` without any exec:
 *
 * - `elasticsearch_ccr_follower_indices` per node (pod): how many of the
 *   cluster's indices follow another cluster; 0 on a cluster that leads;
 * - `elasticsearch_ccr_follower_global_checkpoint_lag` per follower index:
 *   the operations it lacks of its leader (from the last reading while the
 *   leader does not answer);
 * - `elasticsearch_ccr_follower_time_since_last_read_seconds` per follower
 *   index: how long ago it last read its leader.
 *
 * StatefulSets ECK runs are left out: ECK's resource names their roles.
 */
import type { KubeObject } from '../../controllers/types';
import type { ClusterStore } from '../../store/ClusterStore';
import type { PeerDirectory } from '../programs';
import { runningPodsOf } from '../replicaLag';
import { clusterHost, isElasticsearchImage } from './cluster';
import { followView, lastReadAt, materialize } from './state';

function esc(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

function labels(pairs: Record<string, string>): string {
  return Object.entries(pairs)
    .map(([k, v]) => `${k}="${esc(v)}"`)
    .join(',');
}

function emulated(sts: KubeObject): boolean {
  const runsEs = (sts.spec?.template?.spec?.containers ?? []).some((c: any) =>
    isElasticsearchImage(String(c?.image ?? '')),
  );
  const byEck = (sts.metadata.ownerReferences ?? []).some(
    (o: any) => o?.kind === 'Elasticsearch',
  );
  return runsEs && !byEck;
}

/** The CCR series of every Elasticsearch StatefulSet of a cluster. */
export function renderElasticsearchCcrMetrics(
  cluster: string,
  store: ClusterStore,
  now: number,
  peers?: PeerDirectory,
): string {
  const indices = [
    '# HELP elasticsearch_ccr_follower_indices Indices of the cluster that follow a remote cluster (CCR).',
    '# TYPE elasticsearch_ccr_follower_indices gauge',
  ];
  const lag = [
    '# HELP elasticsearch_ccr_follower_global_checkpoint_lag Operations a follower index lacks of its leader (leader max seq no minus follower global checkpoint).',
    '# TYPE elasticsearch_ccr_follower_global_checkpoint_lag gauge',
  ];
  const since = [
    '# HELP elasticsearch_ccr_follower_time_since_last_read_seconds Seconds since the follower index last read its leader.',
    '# TYPE elasticsearch_ccr_follower_time_since_last_read_seconds gauge',
  ];
  for (const sts of store.peekAll('apps', 'StatefulSet')) {
    if (!emulated(sts)) continue;
    const pods = runningPodsOf(store, sts);
    if (!pods.length) continue;
    const host = clusterHost({ store, sts, peers }, () => now, 0, true);
    const state = materialize(host.load(), host, now);
    const followers = Object.entries(state.indices).filter(
      ([, ix]) => ix.follow,
    );
    const base = {
      namespace: sts.metadata.namespace ?? '',
      statefulset: sts.metadata.name,
    };
    for (const pod of pods) {
      const l = labels({ ...base, pod: pod.metadata.name, cluster });
      indices.push(
        `elasticsearch_ccr_follower_indices{${l}} ${followers.length}`,
      );
    }
    for (const [index, ix] of followers) {
      if (ix.follow!.status !== 'active' || !ix.open) continue;
      const leader = followView(ix, host);
      const leaderSeq = leader.ok
        ? leader.maxSeqNo
        : ix.follow!.leaderMaxSeqNo ?? ix.maxSeqNo;
      const l = labels({
        ...base,
        index,
        remote_cluster: ix.follow!.remoteCluster,
        cluster,
      });
      lag.push(
        `elasticsearch_ccr_follower_global_checkpoint_lag{${l}} ${Math.max(
          0,
          leaderSeq - ix.maxSeqNo,
        )}`,
      );
      const read = lastReadAt(index, ix, host) ?? now;
      since.push(
        `elasticsearch_ccr_follower_time_since_last_read_seconds{${l}} ${(
          (now - read) /
          1000
        ).toFixed(3)}`,
      );
    }
  }
  return `${[...indices, ...lag, ...since].join('\n')}\n`;
}
