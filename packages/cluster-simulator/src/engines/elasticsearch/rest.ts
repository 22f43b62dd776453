/*
 * The REST API of an emulated Elasticsearch node: the request is routed as
 * Elasticsearch routes it, answered from the cluster's state as of the
 * request's time, and the state is stored back (reads too: a follower keeps
 * what it last read of its leader). Routing is here; the cluster APIs are in
 * ./clusterApi, the index ones in ./indexApi, the cross-cluster replication
 * ones in ./ccrApi.
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
import { EsHost, materialize, withWriteClock } from './state';
import {
  catIndices,
  health,
  putClusterSettings,
  remoteInfo,
  remoteSettings,
} from './clusterApi';
import { indexDocument, indexSettings, openClose, stats } from './indexApi';

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
