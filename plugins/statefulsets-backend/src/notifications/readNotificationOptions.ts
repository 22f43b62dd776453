/*
 * The settings of owner notifications under
 * `multiclusterStatefulsets.notifications`, with their defaults.
 */
import { Config, readDurationFromConfig } from '@backstage/config';
import { durationToMilliseconds } from '@backstage/types';

/** Owner notification settings, in milliseconds. */
export interface NotificationOptions {
  /** Whether owners are notified at all (default true). */
  enabled: boolean;
  /** How long a cluster must stay unreachable before its databases' owners hear of it (default 5 min). */
  clusterUnreachableAfterMs: number;
  /** How long a readiness drop must last before it is told (default 60 s). */
  readinessDebounceMs: number;
}

const KEY = 'multiclusterStatefulsets.notifications';

function duration(config: Config | undefined, key: string, fallback: number) {
  if (!config?.has(key)) return fallback;
  try {
    return durationToMilliseconds(readDurationFromConfig(config, { key }));
  } catch (err) {
    throw new Error(
      `${KEY}.${key} is not a duration: give one like '5m', '90s' or { minutes: 5 } (${err})`,
      { cause: err },
    );
  }
}

/** Reads `multiclusterStatefulsets.notifications`. */
export function readNotificationOptions(config: Config): NotificationOptions {
  const c = config.getOptionalConfig(KEY);
  return {
    enabled: c?.getOptionalBoolean('enabled') ?? true,
    clusterUnreachableAfterMs: duration(c, 'clusterUnreachableAfter', 300_000),
    readinessDebounceMs: duration(c, 'readinessDebounce', 60_000),
  };
}
