/*
 * Reads `multiclusterStatefulsets.prometheus`, the lag source's settings.
 * Absent means lag comes from the replication providers alone.
 */
import { Config } from '@backstage/config';
import { PrometheusLagSourceOptions } from './PrometheusLagSource';

/** The configured Prometheus lag source, or undefined when none is configured. */
export function readPrometheusConfig(config: Config):
  | (Omit<PrometheusLagSourceOptions, 'logger' | 'fetch' | 'now'> & {
      /** How often open topologies are computed again, in seconds. */
      refreshSeconds?: number;
    })
  | undefined {
  const c = config.getOptionalConfig('multiclusterStatefulsets.prometheus');
  if (!c) return undefined;
  const queries = c.getOptionalConfig('queries');
  const headers = c.getOptionalConfig('headers');
  const positive = (key: string): number | undefined => {
    const value = c.getOptionalNumber(key);
    if (value !== undefined && !(value > 0)) {
      throw new Error(
        `multiclusterStatefulsets.prometheus.${key} must be a positive number`,
      );
    }
    return value;
  };
  return {
    url: c.getString('url'),
    queries: queries
      ? Object.fromEntries(
          queries.keys().map(engine => {
            // An empty query (which getString refuses) turns a default off.
            const query = queries.getOptional(engine);
            if (typeof query !== 'string') {
              throw new Error(
                `multiclusterStatefulsets.prometheus.queries.${engine} must be a PromQL string`,
              );
            }
            return [engine, query];
          }),
        )
      : undefined,
    timeoutMs: positive('timeoutMs'),
    maxAgeSeconds: positive('maxAgeSeconds'),
    refreshSeconds: positive('refreshSeconds'),
    bearerToken: c.getOptionalString('bearerToken'),
    headers: headers
      ? Object.fromEntries(
          headers.keys().map(name => [name, headers.getString(name)]),
        )
      : undefined,
  };
}
