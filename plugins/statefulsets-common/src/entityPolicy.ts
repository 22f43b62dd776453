/*
 * Reads the entity annotations that shape topology and readiness into one
 * policy object, with the documented defaults.
 */
import {
  ANNOTATION_ALLOWED_REGIONS,
  ANNOTATION_ENGINE,
  ANNOTATION_MAX_FAILOVER_LAG,
  ANNOTATION_STRATEGY,
  ANNOTATION_TRAFFIC,
  DEFAULT_MAX_FAILOVER_LAG_SECONDS,
} from './annotations';
import { EntityPolicy } from './types';

/** Builds the entity policy from its annotations. */
export function readEntityPolicy(
  annotations: Record<string, string> | undefined,
): EntityPolicy {
  const a = annotations ?? {};
  const lag = Number(a[ANNOTATION_MAX_FAILOVER_LAG]);
  const traffic = a[ANNOTATION_TRAFFIC]?.trim();
  let trafficRef: EntityPolicy['traffic'];
  if (traffic) {
    const [namespace, name] = traffic.includes('/')
      ? traffic.split('/', 2)
      : ['default', traffic];
    if (namespace && name) trafficRef = { namespace, name };
  }
  return {
    engine: a[ANNOTATION_ENGINE]?.trim() || 'generic',
    strategy:
      a[ANNOTATION_STRATEGY]?.trim() === 'active-active'
        ? 'active-active'
        : 'active-passive',
    traffic: trafficRef,
    maxFailoverLagSeconds:
      a[ANNOTATION_MAX_FAILOVER_LAG] !== undefined &&
      Number.isFinite(lag) &&
      lag >= 0
        ? lag
        : DEFAULT_MAX_FAILOVER_LAG_SECONDS,
    allowedRegions: (a[ANNOTATION_ALLOWED_REGIONS] ?? '')
      .split(',')
      .map(s => s.trim())
      .filter(Boolean),
  };
}

/** True when `region` matches one of the glob patterns (`*` wildcard); no patterns allow all. */
export function regionAllowed(region: string, patterns: string[]): boolean {
  if (patterns.length === 0) return true;
  return patterns.some(pattern => {
    const re = new RegExp(
      `^${pattern
        .split('*')
        .map(part => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
        .join('.*')}$`,
    );
    return re.test(region);
  });
}
