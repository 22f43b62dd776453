/*
 * Cross-cluster replication as the simulated ECK plays it: the leader an
 * Elasticsearch's remote-cluster settings point at (by the address another
 * cluster's Elasticsearch publishes) and the follower's lag record.
 */
import { isoSeconds } from '../../../api/timestamp';
import {
  lagIntervalMs,
  nextLag,
  type ReplicationSettings,
} from '../../lagModel';
import {
  SIM_ENGINE,
  SIM_LAG_OBSERVED_AT,
  SIM_LAG_SECONDS,
  SIM_LAG_SOURCE,
} from '../../metrics';
import {
  type ClusterApi,
  type ControllerContext,
  type KubeObject,
} from '../../types';
import { jitter } from '../shared';
import {
  CLUSTER_NAME_LABEL,
  ECK_API_VERSION,
  remoteHostsOf,
} from './resources';

/**
 * The Kubernetes cluster whose Elasticsearch publishes one of the addresses
 * this Elasticsearch's remote cluster settings name, with its Elasticsearch.
 */
export function leaderOf(
  ctx: ControllerContext,
  es: KubeObject,
): { cluster: string; leader: KubeObject } | undefined {
  const hosts = remoteHostsOf(es);
  if (!hosts.length) return undefined;
  for (const [name, api] of ctx.clusters) {
    if (name === ctx.cluster.name) continue;
    const services =
      api.listShared?.('v1', 'Service') ?? api.list('v1', 'Service');
    for (const service of services) {
      const owner = service.metadata.labels?.[CLUSTER_NAME_LABEL];
      const published = (service.status?.loadBalancer?.ingress ?? []).flatMap(
        (i: any) => [i?.hostname, i?.ip].filter(Boolean),
      );
      if (!owner || !published.some((h: string) => hosts.includes(h))) {
        continue;
      }
      const leader = tryGet(api, service.metadata.namespace, owner);
      if (leader) return { cluster: name, leader };
    }
  }
  return undefined;
}

function tryGet(
  api: ClusterApi,
  namespace: string | undefined,
  name: string,
): KubeObject | undefined {
  try {
    return api.get(ECK_API_VERSION, 'Elasticsearch', namespace, name);
  } catch {
    // ECK's CRD is not installed in that cluster.
    return undefined;
  }
}

const LAG_KEYS = [SIM_LAG_SECONDS, SIM_LAG_SOURCE, SIM_LAG_OBSERVED_AT];

/**
 * The annotations of the follower's data StatefulSet with its lag record
 * moved on (or dropped, when it follows nobody the world holds).
 */
export function lagAnnotations(
  ctx: ControllerContext,
  sts: KubeObject,
  source: { cluster: string; leader: KubeObject } | undefined,
): Record<string, string> {
  const annotations = { ...sts.metadata.annotations };
  if (!source) {
    for (const key of [...LAG_KEYS, SIM_ENGINE]) delete annotations[key];
    return annotations;
  }
  const now = ctx.now();
  const settings = (ctx.replication ?? {}) as ReplicationSettings;
  const prevAt = Date.parse(annotations[SIM_LAG_OBSERVED_AT] ?? '');
  const sameSource = annotations[SIM_LAG_SOURCE] === source.cluster;
  if (
    sameSource &&
    Number.isFinite(prevAt) &&
    now - prevAt < lagIntervalMs(settings)
  ) {
    return annotations;
  }
  const cut =
    ctx.isDown(source.cluster) ||
    ctx.isPartitioned(source.cluster, ctx.cluster.name);
  const leaderNodes = (source.leader.spec?.nodeSets ?? []).reduce(
    (n: number, s: any) => n + Math.max(0, Number(s?.count ?? 1)),
    0,
  );
  const measured = nextLag(
    sameSource && Number.isFinite(prevAt)
      ? { lag: Number(annotations[SIM_LAG_SECONDS]) || 0, at: prevAt }
      : undefined,
    now,
    { cut, quiesced: !cut && leaderNodes === 0 },
    settings,
    jitter(now, `${ctx.cluster.name}/${sts.metadata.name}`),
  );
  annotations[SIM_LAG_SECONDS] = String(Math.round(measured.lag * 1000) / 1000);
  annotations[SIM_LAG_SOURCE] = source.cluster;
  annotations[SIM_LAG_OBSERVED_AT] = isoSeconds(now);
  annotations[SIM_ENGINE] = 'elasticsearch';
  return annotations;
}
