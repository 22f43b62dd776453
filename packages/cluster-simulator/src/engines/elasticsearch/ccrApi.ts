/*
 * The cross-cluster replication APIs of the emulated node: follow, pause,
 * unfollow, follower info and stats, auto-follow patterns. Their checks and
 * errors are Elasticsearch's: a follower index is created by
 * `PUT /<index>/_ccr/follow` (it must not exist yet), and becomes a plain
 * index only paused, closed, then unfollowed.
 */
import {
  Handled,
  RestRequest,
  acknowledged,
  esError,
  indexNotFound,
} from './restTypes';
import { IndexState, followView, lastReadAt, newIndex } from './state';

const FOLLOW_PARAMETERS = {
  max_read_request_operation_count: 5120,
  max_outstanding_read_requests: 12,
  max_read_request_size: '32mb',
  max_write_request_operation_count: 5120,
  max_write_request_size: '9223372036854775807b',
  max_outstanding_write_requests: 9,
  max_write_buffer_count: 2147483647,
  max_write_buffer_size: '512mb',
  max_retry_delay: '500ms',
  read_poll_timeout: '1m',
};

function notFollower(index: string): Handled {
  return esError(
    400,
    'illegal_argument_exception',
    `follow index [${index}] does not have ccr metadata`,
  );
}

/** `GET /<index>/_ccr/info`. */
export function followInfo(req: RestRequest, index: string): Handled {
  const names = index === '_all' ? Object.keys(req.state.indices) : [index];
  const out = [];
  for (const name of names) {
    const ix = req.state.indices[name];
    if (!ix) return indexNotFound(name);
    if (!ix.follow) continue;
    out.push({
      follower_index: name,
      remote_cluster: ix.follow.remoteCluster,
      leader_index: ix.follow.leaderIndex,
      status: ix.follow.status,
      ...(ix.follow.status === 'active' && { parameters: FOLLOW_PARAMETERS }),
    });
  }
  return { status: 200, body: { follower_indices: out } };
}

function shardStats(req: RestRequest, name: string, ix: IndexState) {
  const f = ix.follow!;
  const leader = followView(ix, req.host);
  const leaderSeq = leader.ok ? leader.maxSeqNo : f.leaderMaxSeqNo ?? -1;
  const read = lastReadAt(name, ix, req.host);
  const since = read !== undefined ? req.now - read : 0;
  return {
    index: name,
    total_global_checkpoint_lag: Math.max(0, leaderSeq - ix.maxSeqNo),
    shards: [
      {
        remote_cluster: f.remoteCluster,
        leader_index: f.leaderIndex,
        follower_index: name,
        shard_id: 0,
        leader_global_checkpoint: leaderSeq,
        leader_max_seq_no: leaderSeq,
        follower_global_checkpoint: ix.maxSeqNo,
        follower_max_seq_no: ix.maxSeqNo,
        last_requested_seq_no: ix.maxSeqNo,
        outstanding_read_requests: 1,
        outstanding_write_requests: 0,
        write_buffer_operation_count: 0,
        write_buffer_size_in_bytes: 0,
        follower_mapping_version: 1,
        follower_settings_version: 1,
        follower_aliases_version: 1,
        total_read_time_millis: 0,
        total_read_remote_exec_time_millis: 0,
        successful_read_requests: ix.maxSeqNo + 1,
        failed_read_requests: leader.ok ? 0 : 1,
        operations_read: ix.maxSeqNo + 1,
        bytes_read: (ix.maxSeqNo + 1) * 512,
        total_write_time_millis: 0,
        successful_write_requests: ix.maxSeqNo + 1,
        failed_write_requests: 0,
        operations_written: ix.maxSeqNo + 1,
        read_exceptions: leader.ok
          ? []
          : [
              {
                from_seq_no: ix.maxSeqNo + 1,
                retries: 1,
                exception: { type: leader.type, reason: leader.error },
              },
            ],
        time_since_last_read_millis: since,
      },
    ],
  };
}

function activeFollowers(req: RestRequest): Array<[string, IndexState]> {
  return Object.entries(req.state.indices).filter(
    ([, ix]) => ix.follow?.status === 'active' && ix.open,
  );
}

/** `GET /_ccr/stats`. */
export function ccrStats(req: RestRequest): Handled {
  const followers = activeFollowers(req);
  return {
    status: 200,
    body: {
      auto_follow_stats: {
        number_of_failed_follow_indices: 0,
        number_of_failed_remote_cluster_state_requests: 0,
        number_of_successful_follow_indices: followers.length,
        recent_auto_follow_errors: [],
        auto_followed_clusters: [],
      },
      follow_stats: {
        indices: followers.map(([n, ix]) => shardStats(req, n, ix)),
      },
    },
  };
}

/** `GET /<index>/_ccr/stats`. */
export function followStats(req: RestRequest, index: string): Handled {
  const ix = req.state.indices[index];
  if (!ix) return indexNotFound(index);
  if (ix.follow?.status !== 'active' || !ix.open) {
    return esError(
      404,
      'resource_not_found_exception',
      `No shard follow tasks for follower indices [${index}]`,
    );
  }
  return { status: 200, body: { indices: [shardStats(req, index, ix)] } };
}

/** `POST /<index>/_ccr/pause_follow`. */
export function pauseFollow(req: RestRequest, index: string): Handled {
  const ix = req.state.indices[index];
  if (!ix) return indexNotFound(index);
  if (!ix.follow) return notFollower(index);
  if (ix.follow.status !== 'active') {
    return esError(
      404,
      'resource_not_found_exception',
      `no shard follow tasks for [${index}]`,
    );
  }
  ix.follow = { ...ix.follow, status: 'paused' };
  return acknowledged();
}

/** `POST /<index>/_ccr/resume_follow`. */
export function resumeFollow(req: RestRequest, index: string): Handled {
  const ix = req.state.indices[index];
  if (!ix) return indexNotFound(index);
  if (!ix.follow) return notFollower(index);
  ix.follow = { ...ix.follow, status: 'active' };
  return acknowledged();
}

/** `POST /<index>/_ccr/unfollow`. */
export function unfollow(req: RestRequest, index: string): Handled {
  const ix = req.state.indices[index];
  if (!ix) return indexNotFound(index);
  if (!ix.follow) return notFollower(index);
  if (ix.follow.status === 'active') {
    return esError(
      400,
      'illegal_argument_exception',
      `cannot convert the follower index [${index}] to a non-follower, because it has not been paused`,
    );
  }
  if (ix.open) {
    return esError(
      400,
      'illegal_argument_exception',
      `cannot convert the follower index [${index}] to a non-follower, because it has not been closed`,
    );
  }
  delete ix.follow;
  return acknowledged();
}

/** `PUT /<index>/_ccr/follow`. */
export function follow(req: RestRequest, index: string): Handled {
  const remote = req.body?.remote_cluster;
  const leaderIndex = req.body?.leader_index;
  if (typeof remote !== 'string' || typeof leaderIndex !== 'string') {
    return esError(
      400,
      'action_request_validation_exception',
      `Validation Failed: ${
        typeof remote !== 'string' ? '1: [remote_cluster] is missing;' : ''
      }${
        typeof leaderIndex !== 'string' ? ' [leader_index] is missing;' : ''
      }`.trim(),
    );
  }
  const existing = req.state.indices[index];
  if (existing) {
    return esError(
      400,
      'resource_already_exists_exception',
      `index [${index}/${existing.uuid}] already exists`,
      { index_uuid: existing.uuid, index },
    );
  }
  if (!req.state.remotes[remote]) {
    return esError(
      404,
      'no_such_remote_cluster_exception',
      `no such remote cluster: [${remote}]`,
    );
  }
  const leader = req.host.leader(remote, leaderIndex);
  if (!leader.ok) {
    return leader.type === 'index_not_found_exception'
      ? indexNotFound(leaderIndex)
      : esError(500, leader.type, leader.error);
  }
  req.state.indices[index] = {
    ...newIndex(`${req.state.clusterUuid}/${index}/${req.now}`, req.now, {
      remoteCluster: remote,
      leaderIndex,
      status: 'active',
      leaderMaxSeqNo: leader.maxSeqNo,
      lastReadMs: req.now,
    }),
    maxSeqNo: leader.maxSeqNo,
  };
  return {
    status: 200,
    changed: true,
    body: {
      follow_index_created: true,
      follow_index_shards_acked: true,
      index_following_started: true,
    },
  };
}

function patternBody(name: string, p: any) {
  return {
    name,
    pattern: {
      active: p.active,
      remote_cluster: p.remoteCluster,
      leader_index_patterns: p.leaderIndexPatterns,
      leader_index_exclusion_patterns: [],
      follow_index_pattern: p.followIndexPattern ?? '{{leader_index}}',
    },
  };
}

/** `GET|PUT|DELETE /_ccr/auto_follow[/<name>]`. */
export function autoFollow(req: RestRequest, name?: string): Handled {
  const patterns = req.state.autoFollow;
  if (req.method === 'GET') {
    if (name && !patterns[name]) {
      return esError(
        404,
        'resource_not_found_exception',
        `auto-follow pattern [${name}] is missing`,
      );
    }
    const names = name ? [name] : Object.keys(patterns);
    return {
      status: 200,
      body: { patterns: names.map(n => patternBody(n, patterns[n])) },
    };
  }
  if (!name) return esError(405, 'method_not_allowed', 'name the pattern');
  if (req.method === 'DELETE') {
    if (!patterns[name]) {
      return esError(
        404,
        'resource_not_found_exception',
        `auto-follow pattern [${name}] is missing`,
      );
    }
    delete patterns[name];
    return acknowledged();
  }
  const b = req.body ?? {};
  if (
    typeof b.remote_cluster !== 'string' ||
    !req.state.remotes[b.remote_cluster]
  ) {
    return esError(
      404,
      'no_such_remote_cluster_exception',
      `no such remote cluster: [${b.remote_cluster}]`,
    );
  }
  patterns[name] = {
    remoteCluster: b.remote_cluster,
    leaderIndexPatterns: [].concat(b.leader_index_patterns ?? []),
    followIndexPattern: b.follow_index_pattern,
    active: true,
  };
  return acknowledged();
}
