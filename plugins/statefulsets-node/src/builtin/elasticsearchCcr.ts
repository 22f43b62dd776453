/*
 * The cross-cluster replication operations of the Elasticsearch provider,
 * each a short series of REST calls on one node: what a cluster leads and
 * follows, the follower stats, the write fence, the promotion of follower
 * indices (pause_follow → _close → _ccr/unfollow → _open) and making a
 * cluster follow another. Elasticsearch cannot turn an existing index into
 * a follower, so a cluster that follows again has its indices deleted and
 * recreated by `PUT /<index>/_ccr/follow` (a remote recovery copies them
 * from the leader); callers check first that the leader has every
 * operation the deleted copy had.
 */
import { FailoverCallContext } from '../failover';
import { EsApiError, EsNode, esRequest } from './elasticsearchExec';

type Ctx = Pick<FailoverCallContext, 'signal'>;

/** The REST calls of the provider, so the plan shows exactly what runs. */
export const esCalls = {
  followerInfo: { method: 'GET', path: '/_all/_ccr/info' } as const,
  ccrStats: { method: 'GET', path: '/_ccr/stats' } as const,
  indices: { method: 'GET', path: '/_cat/indices?format=json' } as const,
  seqNos: { method: 'GET', path: '/_stats?level=shards' } as const,
  remoteInfo: { method: 'GET', path: '/_remote/info' } as const,
  autoFollow: { method: 'GET', path: '/_ccr/auto_follow' } as const,
  writeBlock: (index: string, on: boolean) =>
    ({
      method: 'PUT',
      path: `/${index}/_settings`,
      body: { 'index.blocks.write': on },
    } as const),
  pause: (i: string) =>
    ({ method: 'POST', path: `/${i}/_ccr/pause_follow` } as const),
  resume: (i: string) =>
    ({ method: 'POST', path: `/${i}/_ccr/resume_follow` } as const),
  close: (i: string) => ({ method: 'POST', path: `/${i}/_close` } as const),
  unfollow: (i: string) =>
    ({ method: 'POST', path: `/${i}/_ccr/unfollow` } as const),
  open: (i: string) => ({ method: 'POST', path: `/${i}/_open` } as const),
  remove: (i: string) => ({ method: 'DELETE', path: `/${i}` } as const),
  follow: (i: string, remote: string, leader: string) =>
    ({
      method: 'PUT',
      path: `/${i}/_ccr/follow`,
      body: { remote_cluster: remote, leader_index: leader },
    } as const),
  remote: (alias: string, address: string) =>
    ({
      method: 'PUT',
      path: '/_cluster/settings',
      body: {
        persistent: {
          cluster: {
            remote: { [alias]: { mode: 'proxy', proxy_address: address } },
          },
        },
      },
    } as const),
  putAutoFollow: (name: string, remote: string, patterns: string[]) =>
    ({
      method: 'PUT',
      path: `/_ccr/auto_follow/${name}`,
      body: {
        remote_cluster: remote,
        leader_index_patterns: patterns,
        follow_index_pattern: '{{leader_index}}',
      },
    } as const),
  deleteAutoFollow: (name: string) =>
    ({ method: 'DELETE', path: `/_ccr/auto_follow/${name}` } as const),
};

/** A follower index. */
export interface FollowerIndex {
  index: string;
  remoteCluster: string;
  leaderIndex: string;
  status: 'active' | 'paused';
}

/** One follower index's position against its leader. */
export interface FollowerPosition {
  index: string;
  leaderMaxSeqNo: number;
  followerCheckpoint: number;
  readExceptions: number;
  sinceLastReadMs: number;
}

/** The follower indices of a cluster. */
export async function followerIndices(
  n: EsNode,
  ctx: Ctx,
): Promise<FollowerIndex[]> {
  const info = await esRequest(n, esCalls.followerInfo, ctx);
  return (info.follower_indices ?? []).map((f: any) => ({
    index: f.follower_index,
    remoteCluster: f.remote_cluster,
    leaderIndex: f.leader_index,
    status: f.status,
  }));
}

/** Each index of a cluster (system and hidden ones left out). */
export async function allIndices(
  n: EsNode,
  ctx: Ctx,
): Promise<Array<{ index: string; status: string }>> {
  const rows: any[] = await esRequest(n, esCalls.indices, ctx);
  return rows
    .filter(r => !String(r.index).startsWith('.'))
    .map(r => ({ index: String(r.index), status: String(r.status) }));
}

/** The indices a cluster leads (not followers). */
export async function leaderIndices(n: EsNode, ctx: Ctx): Promise<string[]> {
  const [all, followers] = await Promise.all([
    allIndices(n, ctx),
    followerIndices(n, ctx),
  ]);
  const following = new Set(followers.map(f => f.index));
  return all.map(i => i.index).filter(i => !following.has(i));
}

/** Each open index's highest sequence number. */
export async function maxSeqNos(
  n: EsNode,
  ctx: Ctx,
): Promise<Record<string, number>> {
  const stats = await esRequest(n, esCalls.seqNos, ctx);
  const out: Record<string, number> = {};
  for (const [index, s] of Object.entries<any>(stats.indices ?? {})) {
    const shards = Object.values<any[]>(s.shards ?? {}).flat();
    out[index] = Math.max(
      -1,
      ...shards.map(sh => Number(sh?.seq_no?.max_seq_no ?? -1)),
    );
  }
  return out;
}

/** The position of each following index (from `_ccr/stats`). */
export async function followerPositions(
  n: EsNode,
  ctx: Ctx,
): Promise<FollowerPosition[]> {
  const stats = await esRequest(n, esCalls.ccrStats, ctx);
  return (stats.follow_stats?.indices ?? []).map((i: any) => {
    const shards: any[] = i.shards ?? [];
    return {
      index: String(i.index),
      leaderMaxSeqNo: Math.max(
        -1,
        ...shards.map(s => Number(s.leader_max_seq_no)),
      ),
      followerCheckpoint: Math.max(
        -1,
        ...shards.map(s => Number(s.follower_global_checkpoint)),
      ),
      readExceptions: shards.reduce(
        (k, s) => k + (s.read_exceptions?.length ?? 0),
        0,
      ),
      sinceLastReadMs: Math.max(
        0,
        ...shards.map(s => Number(s.time_since_last_read_millis ?? 0)),
      ),
    };
  });
}

/** Operations the followers lack of their leaders, from the last readings. */
export function missingOperations(positions: FollowerPosition[]): number {
  return positions.reduce(
    (sum, p) => sum + Math.max(0, p.leaderMaxSeqNo - p.followerCheckpoint),
    0,
  );
}

/** Sets or lifts the write block of indices. */
export async function setWriteBlock(
  n: EsNode,
  indices: string[],
  on: boolean,
  ctx: Ctx,
): Promise<void> {
  for (const index of indices)
    await esRequest(n, esCalls.writeBlock(index, on), ctx);
}

/** Which of the indices have `index.blocks.write` set. */
export async function writeBlocked(
  n: EsNode,
  indices: string[],
  ctx: Ctx,
): Promise<string[]> {
  const out: string[] = [];
  for (const index of indices) {
    const s = await esRequest(
      n,
      { method: 'GET', path: `/${index}/_settings` },
      ctx,
    );
    if (String(s?.[index]?.settings?.index?.blocks?.write) === 'true')
      out.push(index);
  }
  return out;
}

const tolerate =
  (...types: string[]) =>
  (e: unknown) => {
    if (e instanceof EsApiError && types.includes(e.type)) return undefined;
    throw e;
  };

/** Turns follower indices into plain writable ones: pause, close, unfollow, open. */
export async function promoteFollowers(
  n: EsNode,
  followers: FollowerIndex[],
  ctx: Ctx,
): Promise<void> {
  for (const f of followers) {
    if (f.status === 'active') {
      await esRequest(n, esCalls.pause(f.index), ctx).catch(
        tolerate('resource_not_found_exception'),
      );
    }
    await esRequest(n, esCalls.close(f.index), ctx);
    await esRequest(n, esCalls.unfollow(f.index), ctx);
    await esRequest(n, esCalls.open(f.index), ctx);
  }
  // A re-run after a stop between unfollow and open finds it closed.
  for (const i of await allIndices(n, ctx)) {
    if (i.status === 'close' && followers.some(f => f.index === i.index)) {
      await esRequest(n, esCalls.open(i.index), ctx);
    }
  }
}

/** The remote cluster alias of `n` that leads to `address`, adding it when missing. */
export async function ensureRemote(
  n: EsNode,
  cluster: string,
  address: string,
  ctx: Ctx,
): Promise<string> {
  const info: Record<string, any> = await esRequest(n, esCalls.remoteInfo, ctx);
  const hostOf = (a: unknown) => String(a ?? '').replace(/:\d+$/, '');
  const found = Object.entries(info).find(([, r]) =>
    [r.proxy_address, ...(r.seeds ?? [])].some(
      (a: unknown) =>
        hostOf(a) === hostOf(address) || hostOf(a).split('.').includes(cluster),
    ),
  );
  if (found) return found[0];
  await esRequest(n, esCalls.remote(cluster, address), ctx);
  return cluster;
}

/**
 * Makes `replica` follow each of `indices` of the remote `alias`: a
 * follower of it is kept (resumed when paused), any other index of that
 * name is deleted and recreated as a follower.
 */
export async function followIndices(
  replica: EsNode,
  alias: string,
  indices: string[],
  ctx: Ctx,
): Promise<void> {
  const [all, followers] = await Promise.all([
    allIndices(replica, ctx),
    followerIndices(replica, ctx),
  ]);
  for (const index of indices) {
    const f = followers.find(x => x.index === index);
    if (f && f.remoteCluster === alias && f.leaderIndex === index) {
      if (f.status === 'paused')
        await esRequest(replica, esCalls.resume(index), ctx);
      continue;
    }
    if (all.some(i => i.index === index)) {
      await esRequest(replica, esCalls.remove(index), ctx);
    }
    await esRequest(replica, esCalls.follow(index, alias, index), ctx);
  }
}

/** The auto-follow patterns of a cluster. */
export async function autoFollowPatterns(
  n: EsNode,
  ctx: Ctx,
): Promise<Array<{ name: string; remoteCluster: string; patterns: string[] }>> {
  const got = await esRequest(n, esCalls.autoFollow, ctx);
  return (got.patterns ?? []).map((p: any) => ({
    name: String(p.name),
    remoteCluster: String(p.pattern?.remote_cluster),
    patterns: (p.pattern?.leader_index_patterns ?? []).map(String),
  }));
}
