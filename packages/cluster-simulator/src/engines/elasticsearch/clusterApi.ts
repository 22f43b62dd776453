/*
 * The cluster APIs of an emulated Elasticsearch node: cluster settings
 * (remote clusters), remote info, health and the index listing.
 */
import {
  Handled,
  RestRequest,
  acknowledged,
  esError,
  flatten,
} from './restTypes';
import { RemoteCluster } from './state';

/** The remote clusters as `GET _cluster/settings` shows them. */
export function remoteSettings(remotes: Record<string, RemoteCluster>) {
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

export function putClusterSettings(req: RestRequest): Handled {
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

export function remoteInfo(req: RestRequest): Handled {
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

export function health(req: RestRequest): Handled {
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

export function catIndices(req: RestRequest): Handled {
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
