/*
 * Whether the links a generated database's engine is configured with work
 * from one cluster: every host resolves (by that cluster's DNS) to the
 * cluster the link means to reach, and nothing the engine needs is
 * missing. A broken link carries the reason its exporter would report.
 */
import type { ClusterApi } from '../types';
import { resolveHost } from './dns';
import type { ConfiguredLink, EngineConfig } from './engineConfig';

/** A configured link as it runs: its source cluster, and why not if broken. */
export interface LinkState {
  source: string;
  error?: string;
}

/** How each engine's exporter words a link that does not connect. */
const FAILURE: Record<EngineConfig['engine'], (source: string) => string> = {
  mysql: s =>
    `IO thread not running: error connecting to source of channel '${s}'`,
  mongodb: s => `replica set member of ${s} unreachable`,
  kafka: s => `MirrorMaker 2 cannot replicate from ${s}`,
  elasticsearch: s => `remote cluster ${s} not connected`,
};

function linkError(
  link: ConfiguredLink,
  own: ClusterApi,
  clusters: ReadonlyMap<string, ClusterApi>,
  namespace: string,
): string | undefined {
  if (link.missing) return link.missing;
  if (!link.hosts.length) return 'no host configured';
  for (const host of link.hosts) {
    const r = resolveHost(host, own, clusters, namespace);
    if (r.error) return r.error;
    if (r.cluster !== link.source)
      return `${host} leads to ${r.cluster}, not to ${link.source}`;
  }
  return undefined;
}

/** Each configured link with the reason it is broken, if it is. */
export function checkLinks(
  config: EngineConfig,
  own: ClusterApi,
  clusters: ReadonlyMap<string, ClusterApi>,
  namespace: string,
): LinkState[] {
  return config.links.map(link => {
    const error = linkError(link, own, clusters, namespace);
    return error
      ? {
          source: link.source,
          error: `${FAILURE[config.engine](link.source)}: ${error}`,
        }
      : { source: link.source };
  });
}

/**
 * Why a replica of cluster `own` does not replicate from `source` (its
 * annotated source; undefined for a side without one), or undefined when
 * it does: its links to that source and within its own cluster all work.
 */
export function replicaError(
  states: LinkState[],
  own: string,
  source: string | undefined,
): string | undefined {
  const relevant = source
    ? states.filter(s => s.source === source || s.source === own)
    : states;
  const broken = relevant.find(s => s.error);
  if (broken) return broken.error;
  if (source && !states.some(s => s.source === source)) {
    const named = [...new Set(states.map(s => s.source))].join(', ') || 'none';
    return `no replication from ${source} is configured (the engine configuration names: ${named})`;
  }
  return undefined;
}
