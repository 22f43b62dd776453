/*
 * How an Elasticsearch cluster comes to follow another after a failover:
 * the transport address it reaches the new leader at, the check that it
 * holds no operation the new leader lacks (its indices are about to be
 * deleted and recreated as followers), and the calls that make it follow.
 */
import { FailoverCallContext } from '../failover';
import {
  autoFollowPatterns,
  ensureRemote,
  esCalls,
  followIndices,
  leaderIndices,
  maxSeqNos,
} from './elasticsearchCcr';
import { EsNode, esRequest } from './elasticsearchExec';

/** StatefulSet annotation: each index's sequence number when its cluster was promoted. */
export const ANNOTATION_ES_PROMOTED_AT =
  'multicluster-statefulsets/elasticsearch-promoted-seq-no';

/**
 * The transport address of `primary` as `replica` would reach it: the
 * address `primary` reaches `replica` at with the cluster names swapped
 * (`<svc>.<ns>.<cluster>.mesh.internal:9300` stays in that form), else the
 * Multi-Cluster Services name of its first pod.
 */
export function esPeerAddress(
  primary: EsNode,
  replicaCluster: string,
  known?: string,
): string {
  if (known) {
    return known
      .split('.')
      .map(l => (l === replicaCluster ? primary.side.cluster : l))
      .join('.');
  }
  return `${primary.pod}.${primary.side.cluster}.${primary.serviceName}.${primary.namespace}.svc.clusterset.local:9300`;
}

/** An index of the old leader with operations the new one never received. */
export interface Diverged {
  index: string;
  extra: number;
}

/**
 * Operations `old` has past what `primary` has: for each index `old`
 * leads, its max_seq_no past the checkpoint `primary` was promoted at, or
 * past `primary`'s own when no promotion was recorded.
 */
export async function divergence(
  old: EsNode,
  primary: EsNode,
  ctx: Pick<FailoverCallContext, 'signal'>,
): Promise<Diverged[]> {
  // A follower index holds only its leader's operations: it cannot diverge.
  const [o, p, leading] = await Promise.all([
    maxSeqNos(old, ctx),
    maxSeqNos(primary, ctx),
    leaderIndices(old, ctx),
  ]);
  const raw =
    primary.statefulSet.metadata.annotations?.[ANNOTATION_ES_PROMOTED_AT];
  const at: Record<string, number> = raw ? JSON.parse(raw) : {};
  return Object.entries(o)
    .filter(([i]) => i in p && leading.includes(i))
    .map(([index, seq]) => ({ index, extra: seq - (at[index] ?? p[index]) }))
    .filter(d => d.extra > 0);
}

/** Why `old` may not follow `primary`, and what to do. */
export function divergenceMessage(
  old: EsNode,
  primary: EsNode,
  diverged: Diverged[],
): string {
  const list = diverged.map(x => `${x.index} +${x.extra}`).join(', ');
  return `${old.side.cluster} (${old.pod}) has operations ${primary.side.cluster} never received: ${list}; following would delete them. Keep ${old.side.cluster} fenced, reindex those documents into ${primary.side.cluster} (e.g. _reindex from a snapshot), then retry`;
}

/**
 * Makes `replica` follow every index `primary` leads: a remote cluster to
 * it, each index a follower, and one auto-follow pattern reading it (any
 * pattern reading elsewhere is dropped).
 */
export async function followCluster(
  replica: EsNode,
  primary: EsNode,
  ctx: Pick<FailoverCallContext, 'signal'>,
  patterns?: string[],
): Promise<void> {
  const known: Record<string, any> = await esRequest(
    primary,
    esCalls.remoteInfo,
    ctx,
  );
  const toReplica = Object.values(known)
    .map(r => String(r.proxy_address ?? r.seeds?.[0] ?? ''))
    .find(a => a.split('.').includes(replica.side.cluster));
  const address = esPeerAddress(primary, replica.side.cluster, toReplica);
  const alias = await ensureRemote(replica, primary.side.cluster, address, ctx);
  await followIndices(replica, alias, await leaderIndices(primary, ctx), ctx);
  const existing = await autoFollowPatterns(replica, ctx);
  for (const p of existing.filter(x => x.remoteCluster !== alias)) {
    await esRequest(replica, esCalls.deleteAutoFollow(p.name), ctx);
  }
  if (!existing.some(x => x.remoteCluster === alias)) {
    const leading = patterns?.length ? patterns : ['*'];
    await esRequest(replica, esCalls.putAutoFollow(alias, alias, leading), ctx);
  }
}
