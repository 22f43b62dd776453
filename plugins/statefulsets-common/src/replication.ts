/*
 * Replication links read from the objects themselves: the generic role and
 * lag annotations on StatefulSets, and CloudNativePG replica clusters. A lag
 * measured too long ago is reported as unknown, never as a stale number.
 */
import {
  ANNOTATION_REPLICATION_ERROR,
  ANNOTATION_REPLICATION_LAG_OBSERVED_AT,
  ANNOTATION_REPLICATION_LAG_SECONDS,
  ANNOTATION_REPLICATION_SOURCE,
  ANNOTATION_ROLE,
  LAG_FRESHNESS_SECONDS,
} from './annotations';
import { annotationOf, KubeObject } from './kube';
import { ReplicationLink } from './types';

/** Inputs shared by the replication readers. */
export interface ReplicationReadOptions {
  /** Current time in milliseconds since the epoch. */
  now: number;
  /** Lag above this is unhealthy. */
  maxLagSeconds: number;
}

/** Lag and health from a measured lag and when it was measured, honouring freshness. */
export function judgeLag(
  rawLag: unknown,
  observedAt: string | undefined,
  options: ReplicationReadOptions,
): Pick<ReplicationLink, 'lagSeconds' | 'healthy' | 'observedAt' | 'reason'> {
  const lag =
    rawLag === undefined || rawLag === null || rawLag === ''
      ? NaN
      : Number(rawLag);
  if (!Number.isFinite(lag)) {
    return {
      lagSeconds: null,
      healthy: false,
      observedAt,
      reason: 'lag not reported',
    };
  }
  const observedMs = observedAt ? Date.parse(observedAt) : NaN;
  if (!Number.isFinite(observedMs)) {
    return {
      lagSeconds: null,
      healthy: false,
      observedAt,
      reason: 'lag has no observation time',
    };
  }
  const ageSeconds = (options.now - observedMs) / 1000;
  if (ageSeconds > LAG_FRESHNESS_SECONDS) {
    return {
      lagSeconds: null,
      healthy: false,
      observedAt,
      reason: `lag last observed ${Math.round(ageSeconds)}s ago`,
    };
  }
  const healthy = lag <= options.maxLagSeconds;
  return {
    lagSeconds: lag,
    healthy,
    observedAt,
    reason: healthy
      ? undefined
      : `lag ${lag}s over the ${options.maxLagSeconds}s bound`,
  };
}

/** How a link its exporter reports broken starts its reason. */
export const BROKEN_LINK_PREFIX = 'broken: ';

/** Whether the link's exporter reports it broken (no replication at all, not just an unknown lag). */
export function isBrokenLink(link: Pick<ReplicationLink, 'reason'>): boolean {
  return link.reason?.startsWith(BROKEN_LINK_PREFIX) ?? false;
}

/**
 * Lag and health from the lag annotations of an object, honouring their
 * freshness; a link its exporter reports broken is unhealthy with the
 * exporter's reason.
 */
export function readLagAnnotations(
  obj: KubeObject,
  options: ReplicationReadOptions,
): Pick<ReplicationLink, 'lagSeconds' | 'healthy' | 'observedAt' | 'reason'> {
  const broken = annotationOf(obj, ANNOTATION_REPLICATION_ERROR);
  if (broken)
    return {
      lagSeconds: null,
      healthy: false,
      reason: `${BROKEN_LINK_PREFIX}${broken}`,
    };
  return judgeLag(
    annotationOf(obj, ANNOTATION_REPLICATION_LAG_SECONDS),
    annotationOf(obj, ANNOTATION_REPLICATION_LAG_OBSERVED_AT),
    options,
  );
}

/** Links from the generic annotations: each passive StatefulSet replicates from its source. */
export function replicationFromAnnotations(
  statefulSetsByCluster: Record<string, KubeObject[]>,
  options: ReplicationReadOptions,
): ReplicationLink[] {
  const links: ReplicationLink[] = [];
  for (const [cluster, statefulSets] of Object.entries(statefulSetsByCluster)) {
    for (const sts of statefulSets) {
      const source = annotationOf(sts, ANNOTATION_REPLICATION_SOURCE);
      const role = annotationOf(sts, ANNOTATION_ROLE);
      if (!source || role === 'active') continue;
      links.push({
        from: source,
        to: cluster,
        workload: sts.metadata.name,
        provider: 'generic',
        ...readLagAnnotations(sts, options),
      });
    }
  }
  return links.sort((a, b) =>
    `${a.to}${a.workload}`.localeCompare(`${b.to}${b.workload}`),
  );
}

/**
 * Links from CloudNativePG `Cluster` objects in replica mode. The source is
 * the Kubernetes cluster whose `Cluster` calls itself (`spec.replica.self`)
 * what this one names as its primary (`spec.replica.primary` or `source`).
 */
export function replicationFromCnpg(
  cnpgByCluster: Record<string, KubeObject[]>,
  options: ReplicationReadOptions,
): ReplicationLink[] {
  const selfNames = new Map<string, string>();
  for (const [cluster, objects] of Object.entries(cnpgByCluster)) {
    for (const obj of objects) {
      selfNames.set(
        `${obj.metadata.name}/${obj.spec?.replica?.self ?? cluster}`,
        cluster,
      );
    }
  }
  const links: ReplicationLink[] = [];
  for (const [cluster, objects] of Object.entries(cnpgByCluster)) {
    for (const obj of objects) {
      const replica = obj.spec?.replica;
      if (!replica) continue;
      const primaryName: string | undefined = replica.primary ?? replica.source;
      const isReplica =
        replica.enabled === true ||
        (replica.primary !== undefined &&
          replica.primary !== (replica.self ?? cluster));
      if (!isReplica || !primaryName) continue;
      // A measured lag in the status (with its own source) wins over the
      // exporter's annotations.
      const measured = obj.status?.replicationLag;
      const sourceName: string =
        typeof measured?.source === 'string' && measured.source
          ? measured.source
          : primaryName;
      const from =
        selfNames.get(`${obj.metadata.name}/${sourceName}`) ?? sourceName;
      const lag =
        measured && measured.seconds !== undefined
          ? judgeLag(measured.seconds, measured.observedAt, options)
          : readLagAnnotations(obj, options);
      const notReady =
        obj.status?.phase && !/healthy/i.test(String(obj.status.phase));
      links.push({
        from,
        to: cluster,
        workload: obj.metadata.name,
        provider: 'cloudnative-pg',
        ...lag,
        healthy: lag.healthy && !notReady,
        reason: notReady ? `cluster phase ${obj.status.phase}` : lag.reason,
      });
    }
  }
  return links;
}
