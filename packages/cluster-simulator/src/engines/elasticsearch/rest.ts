/*
 * The REST API of an emulated Elasticsearch node: the request is routed as
 * Elasticsearch routes it, answered from the cluster's state as of the
 * request's time, and the state is stored back (reads too: a follower keeps
 * what it last read of its leader). Index and cluster APIs are here, the
 * cross-cluster replication ones in ./ccrApi.
 */
import {
  autoFollow,
  ccrStats,
  follow,
  followInfo,
  followStats,
  pauseFollow,
  resumeFollow,
  unfollow,
} from './ccrApi';
import {
  Handled,
  RestRequest,
  RestResponse,
  acknowledged,
  esError,
  indexNotFound,
} from './restTypes';
import {
  EsHost,
  RemoteCluster,
  materialize,
  newIndex,
  withWriteClock,
} from './state';

const VERSION = {
  number: '8.17.0',
  build_flavor: 'default',
  build_type: 'docker',
  build_hash: '2b6a7fed44faa321997703718f07ee0420804b41',
  build_date: '2024-12-11T12:08:05.663969764Z',
  build_snapshot: false,
  lucene_version: '9.12.0',
  minimum_wire_compatibility_version: '7.17.0',
  minimum_index_compatibility_version: '7.0.0',
};

/** Flattens `{a:{b:1}}` into `{"a.b":1}` (settings bodies take both forms). */
export function flatten(
  value: unknown,
  prefix = '',
  out: Record<string, unknown> = {},
): Record<string, unknown> {
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    for (const [k, v] of Object.entries(value)) {
      flatten(v, prefix ? `${prefix}.${k}` : k, out);
    }
  } else if (prefix) out[prefix] = value;
  return out;
}

function remoteSettings(remotes: Record<string, RemoteCluster>) {
  const remote: Record<string, unknown> = {};
  for (const [alias, r] of Object.entries(remotes)) {
    remote[alias] = {
      mode: r.mode,
      ...(r.proxyAddress !== undefined && { proxy_address: r.proxyAddress }),
      ...(r.seeds !== undefined && { seeds: r.seeds }),
    };
  }
  return Object.keys(remote).length ? { cluster: { remote } } : {};
}

function putClusterSettings(req: RestRequest): Handled {
  const flat = flatten(req.body?.persistent ?? {});
  const flatTransient = flatten(req.body?.transient ?? {});
  for (const [key, value] of Object.entries({ ...flatTransient, ...flat })) {
    const m =
      /^cluster\.remote\.([^.]+)\.(mode|proxy_address|seeds|skip_unavailable)$/.exec(
        key,
      );
    if (!m) {
      return esError(
        400,
        'illegal_argument_exception',
        `persistent setting [${key}], not recognized`,
      );
    }
    const [, alias, field] = m;
    if (value === null) {
      if (field !== 'skip_unavailable') delete req.state.remotes[alias];
      continue;
    }
    const r = (req.state.remotes[alias] ??= { mode: 'sniff' });
    if (field === 'mode') r.mode = value === 'proxy' ? 'proxy' : 'sniff';
    if (field === 'proxy_address') r.proxyAddress = String(value);
    if (field === 'seeds')
      r.seeds = ([] as unknown[]).concat(value).map(String);
  }
  return acknowledged({
    persistent: req.body?.persistent ?? {},
    transient: req.body?.transient ?? {},
  });
}

function remoteInfo(req: RestRequest): Handled {
  const out: Record<string, unknown> = {};
  for (const [alias, r] of Object.entries(req.state.remotes)) {
    const connected = req.host.remoteConnected(alias);
    out[alias] =
      r.mode === 'proxy'
        ? {
            connected,
            mode: 'proxy',
            proxy_address: r.proxyAddress ?? '',
            server_name: '',
            num_proxy_sockets_connected: connected ? 18 : 0,
            max_proxy_socket_connections: 18,
            initial_connect_timeout: '30s',
            skip_unavailable: true,
          }
        : {
            connected,
            mode: 'sniff',
            seeds: r.seeds ?? [],
            num_nodes_connected: connected ? 1 : 0,
            max_connections_per_cluster: 3,
            initial_connect_timeout: '30s',
            skip_unavailable: true,
          };
  }
  return { status: 200, body: out };
}

function health(req: RestRequest): Handled {
  const open = Object.values(req.state.indices).filter(ix => ix.open).length;
  const replicas = req.nodes > 1 ? 1 : 0;
  return {
    status: 200,
    body: {
      cluster_name: req.state.clusterName,
      status: replicas || open === 0 ? 'green' : 'yellow',
      timed_out: false,
      number_of_nodes: req.nodes,
      number_of_data_nodes: req.nodes,
      active_primary_shards: open,
      active_shards: open * (1 + replicas),
      relocating_shards: 0,
      initializing_shards: 0,
      unassigned_shards: replicas ? 0 : open,
      unassigned_primary_shards: 0,
      delayed_unassigned_shards: 0,
      number_of_pending_tasks: 0,
      number_of_in_flight_fetch: 0,
      task_max_waiting_in_queue_millis: 0,
      active_shards_percent_as_number: replicas || !open ? 100.0 : 50.0,
    },
  };
}

function catIndices(req: RestRequest): Handled {
  const rows = Object.entries(req.state.indices)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([index, ix]) => ({
      health: 'green',
      status: ix.open ? 'open' : 'close',
      index,
      uuid: ix.uuid,
      pri: '1',
      rep: '1',
      'docs.count': ix.open ? String(ix.maxSeqNo + 1) : null,
      'docs.deleted': ix.open ? '0' : null,
      'store.size': ix.open ? `${Math.round((ix.maxSeqNo + 1) * 1.1)}kb` : null,
      'pri.store.size': ix.open
        ? `${Math.round((ix.maxSeqNo + 1) * 0.55)}kb`
        : null,
      'dataset.size': ix.open
        ? `${Math.round((ix.maxSeqNo + 1) * 0.55)}kb`
        : null,
    }));
  if (req.query.get('format') === 'json') return { status: 200, body: rows };
  const cols = [
    'health',
    'status',
    'index',
    'uuid',
    'pri',
    'rep',
    'docs.count',
    'docs.deleted',
    'store.size',
    'pri.store.size',
    'dataset.size',
  ] as const;
  const table = [
    ...(req.query.has('v') ? [cols as readonly string[]] : []),
    ...rows.map(r => cols.map(c => r[c] ?? '')),
  ];
  const widths = cols.map((_, i) => Math.max(...table.map(r => r[i].length)));
  const text = table
    .map(
      r =>
        `${r
          .map((v, i) => v.padEnd(widths[i]))
          .join(' ')
          .trimEnd()}\n`,
    )
    .join('');
  return { status: 200, body: text };
}

function indexSettings(req: RestRequest, index: string): Handled {
  const ix = req.state.indices[index];
  if (!ix) return indexNotFound(index);
  if (req.method === 'GET') {
    return {
      status: 200,
      body: {
        [index]: {
          settings: {
            index: {
              ...(ix.writeBlock && { blocks: { write: 'true' } }),
              ...(ix.follow && { xpack: { ccr: { following_index: 'true' } } }),
              number_of_shards: '1',
              number_of_replicas: '1',
              provided_name: index,
              creation_date: String(ix.creationDate),
              uuid: ix.uuid,
              version: { created: '8521000' },
            },
          },
        },
      },
    };
  }
  const flat = flatten(req.body ?? {});
  for (const [key, value] of Object.entries(flat)) {
    const name = key.replace(/^settings\./, '').replace(/^index\./, '');
    if (name === 'blocks.write')
      ix.writeBlock = value === true || value === 'true';
    else if (!['number_of_replicas', 'refresh_interval'].includes(name)) {
      return esError(
        400,
        'illegal_argument_exception',
        `unknown setting [index.${name}] please check that any required plugins are installed, or check the breaking changes documentation for removed settings`,
      );
    }
  }
  return acknowledged();
}

function indexDocument(req: RestRequest, name: string): Handled {
  if (!/^[a-z0-9][a-z0-9._-]*$/.test(name)) {
    return esError(
      400,
      'invalid_index_name_exception',
      `Invalid index name [${name}], must be lowercase`,
      { index: name },
    );
  }
  let ix = req.state.indices[name];
  if (!ix) {
    // action.auto_create_index: a write creates the index.
    ix = req.state.indices[name] = newIndex(
      `${req.state.clusterUuid}/${name}/${req.now}`,
      req.now,
    );
  }
  if (!ix.open) {
    return esError(400, 'index_closed_exception', 'closed', {
      index_uuid: ix.uuid,
      index: name,
    });
  }
  if (ix.writeBlock) {
    return esError(
      403,
      'cluster_block_exception',
      `index [${name}] blocked by: [FORBIDDEN/8/index write (api)];`,
    );
  }
  if (ix.follow) {
    return esError(
      403,
      'status_exception',
      'a following engine does not accept operations without an assigned sequence number',
    );
  }
  ix.maxSeqNo += 1;
  return {
    status: 201,
    changed: true,
    body: {
      _index: name,
      _id: `sim-${ix.uuid.slice(0, 8)}-${ix.maxSeqNo}`,
      _version: 1,
      result: 'created',
      _shards: { total: 2, successful: 2, failed: 0 },
      _seq_no: ix.maxSeqNo,
      _primary_term: 1,
    },
  };
}

function openClose(req: RestRequest, name: string, open: boolean): Handled {
  const ix = req.state.indices[name];
  if (!ix) return indexNotFound(name);
  ix.open = open;
  return acknowledged(
    open
      ? { shards_acknowledged: true }
      : { shards_acknowledged: true, indices: { [name]: { closed: true } } },
  );
}

/** `GET [/<index>]/_stats?level=shards`: each index's sequence numbers. */
function stats(req: RestRequest, index?: string): Handled {
  if (index && !req.state.indices[index]) return indexNotFound(index);
  const names = index ? [index] : Object.keys(req.state.indices);
  const indices: Record<string, unknown> = {};
  for (const name of names) {
    const ix = req.state.indices[name];
    if (!ix.open) continue;
    const seqNo = {
      max_seq_no: ix.maxSeqNo,
      local_checkpoint: ix.maxSeqNo,
      global_checkpoint: ix.maxSeqNo,
    };
    indices[name] = {
      uuid: ix.uuid,
      health: 'green',
      status: 'open',
      primaries: { docs: { count: ix.maxSeqNo + 1, deleted: 0 } },
      ...(req.query.get('level') === 'shards' && {
        shards: {
          '0': [
            {
              routing: {
                state: 'STARTED',
                primary: true,
                node: req.host.nodeName,
              },
              docs: { count: ix.maxSeqNo + 1, deleted: 0 },
              seq_no: seqNo,
            },
          ],
        },
      }),
    };
  }
  return {
    status: 200,
    body: {
      _shards: { total: names.length, successful: names.length, failed: 0 },
      indices,
    },
  };
}

function route(req: RestRequest): Handled {
  const [a, b, c] = req.parts;
  const m = req.method;
  const n = req.parts.length;
  if (n === 0 && m === 'GET') {
    return {
      status: 200,
      body: {
        name: req.host.nodeName,
        cluster_name: req.state.clusterName,
        cluster_uuid: req.state.clusterUuid,
        version: VERSION,
        tagline: 'You Know, for Search',
      },
    };
  }
  if (a === '_cluster' && b === 'health' && m === 'GET') return health(req);
  if (a === '_cluster' && b === 'settings' && n === 2) {
    if (m === 'PUT') return putClusterSettings(req);
    if (m === 'GET')
      return {
        status: 200,
        body: { persistent: remoteSettings(req.state.remotes), transient: {} },
      };
  }
  if (a === '_cat' && b === 'indices' && m === 'GET') return catIndices(req);
  if (a === '_stats' && n === 1 && m === 'GET') return stats(req);
  if (a === '_remote' && b === 'info' && m === 'GET') return remoteInfo(req);
  if (a === '_ccr' && b === 'stats' && m === 'GET') return ccrStats(req);
  if (a === '_all' && b === '_ccr' && c === 'info' && m === 'GET')
    return followInfo(req, '_all');
  if (a === '_all' && b === '_stats' && m === 'GET') return stats(req);
  if (a === '_ccr' && b === 'auto_follow' && n <= 3) return autoFollow(req, c);
  if (a && !a.startsWith('_')) {
    if (n === 1 && m === 'DELETE') {
      if (!req.state.indices[a]) return indexNotFound(a);
      delete req.state.indices[a];
      return acknowledged();
    }
    if (b === '_doc' && (m === 'POST' || m === 'PUT'))
      return indexDocument(req, a);
    if (b === '_stats' && n === 2 && m === 'GET') return stats(req, a);
    if (b === '_settings' && n === 2 && (m === 'PUT' || m === 'GET'))
      return indexSettings(req, a);
    if (b === '_close' && m === 'POST') return openClose(req, a, false);
    if (b === '_open' && m === 'POST') return openClose(req, a, true);
    if (b === '_ccr') {
      if (c === 'info' && m === 'GET') return followInfo(req, a);
      if (c === 'stats' && m === 'GET') return followStats(req, a);
      if (c === 'follow' && m === 'PUT') return follow(req, a);
      if (c === 'pause_follow' && m === 'POST') return pauseFollow(req, a);
      if (c === 'resume_follow' && m === 'POST') return resumeFollow(req, a);
      if (c === 'unfollow' && m === 'POST') return unfollow(req, a);
    }
  }
  return esError(
    405,
    'method_not_allowed',
    `Incorrect HTTP method for uri [/${req.parts.join(
      '/',
    )}] and method [${m}], or the emulated node does not serve it`,
  );
}

/** Answers one REST request against a cluster. */
export function handleRest(
  method: string,
  url: string,
  body: unknown,
  host: EsHost,
  nodes: number,
): RestResponse {
  const parsed = new URL(url, 'http://localhost:9200');
  const now = host.now();
  const state = materialize(host.load(), host, now);
  const req: RestRequest = {
    method: method.toUpperCase(),
    parts: parsed.pathname
      .split('/')
      .filter(Boolean)
      .map(p => decodeURIComponent(p)),
    query: parsed.searchParams,
    body,
    host,
    state,
    now,
    nodes,
  };
  const answer = route(req);
  for (const [name, ix] of Object.entries(state.indices)) {
    state.indices[name] = withWriteClock(ix, now);
  }
  host.save(state);
  return { status: answer.status, body: answer.body };
}
