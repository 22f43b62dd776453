/*
 * How topology values are shown: the words, colours and short forms every
 * view of the plugin uses, kept in one place so the tab and card agree.
 */
import {
  ClusterRole,
  OPERATOR_CONVENTIONS,
  ReplicationLink,
  TopologyPod,
} from '@multicluster/backstage-plugin-statefulsets-common';

/** Visual status of a pod. */
export type PodHealth = 'ready' | 'starting' | 'failed';

/** Ready, still starting, or failed. */
export function podHealth(pod: TopologyPod): PodHealth {
  if (pod.ready) return 'ready';
  if (pod.phase === 'Failed' || pod.phase === 'Unknown') return 'failed';
  return 'starting';
}

/** One-line description of a pod for screen readers and tooltips. */
export function describePod(pod: TopologyPod): string {
  const parts = [
    pod.name,
    pod.phase,
    pod.ready ? 'ready' : 'not ready',
    pod.role !== 'unknown' ? pod.role : undefined,
    `${pod.restarts} restart${pod.restarts === 1 ? '' : 's'}`,
  ];
  return parts.filter(Boolean).join(', ');
}

/** Short access mode names as kubectl prints them. */
export function shortAccessMode(mode: string): string {
  const short: Record<string, string> = {
    ReadWriteOnce: 'RWO',
    ReadOnlyMany: 'ROX',
    ReadWriteMany: 'RWX',
    ReadWriteOncePod: 'RWOP',
  };
  return short[mode] ?? mode;
}

/** Human form of a cluster role. */
export function roleLabel(role: ClusterRole): string {
  return role === 'unknown' ? 'role unknown' : role;
}

/** The operators and charts a role or link may be read from, as the page names them. */
export const SIGNAL_SOURCE_TITLES: Readonly<Record<string, string>> = {
  'cloudnative-pg': 'CloudNativePG',
  ...Object.fromEntries(OPERATOR_CONVENTIONS.map(c => [c.id, c.title])),
  'chart-replication-env': "the chart's replication settings",
  'mysqld-exporter': 'the engine (mysqld_exporter)',
  'postgres-exporter': 'the engine (postgres_exporter)',
  'mongodb-exporter': 'the engine (mongodb_exporter)',
  'elasticsearch-ccr': "the engine (Elasticsearch CCR's follower indices)",
  mirrormaker2: "the engine (MirrorMaker 2's running flows)",
};

/**
 * Where a link and its lag were read, in words: `link from Strimzi · lag
 * from prometheus`; empty for the replication annotations measured in place.
 */
export function linkSourceLabel(
  link: Pick<ReplicationLink, 'provider' | 'lagSource'>,
): string {
  const parts: string[] = [];
  const title = SIGNAL_SOURCE_TITLES[link.provider];
  if (title) parts.push(`link from ${title}`);
  if (link.lagSource) parts.push(`lag from ${link.lagSource}`);
  return parts.join(' · ');
}

/** Lag in words: seconds with one decimal, or why it is unknown. */
export function lagLabel(link: Pick<ReplicationLink, 'lagSeconds'>): string {
  if (link.lagSeconds === null) return 'lag unknown';
  return `lag ${link.lagSeconds.toFixed(1)} s`;
}
