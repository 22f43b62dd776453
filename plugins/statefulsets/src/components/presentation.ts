/*
 * How topology values are shown: the words, colours and short forms every
 * view of the plugin uses, kept in one place so the tab and card agree.
 */
import {
  ClusterRole,
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

/** Lag in words: seconds with one decimal, or why it is unknown. */
export function lagLabel(link: Pick<ReplicationLink, 'lagSeconds'>): string {
  if (link.lagSeconds === null) return 'lag unknown';
  return `lag ${link.lagSeconds.toFixed(1)} s`;
}
