/*
 * Replication lag measured outside the clusters: the Prometheus lag source
 * and the wrappers that put its lag onto the providers' links and into the
 * failover's lag readings; the lag's history for the charts.
 */
export type {
  LagSource,
  LagTarget,
} from '@multicluster/backstage-plugin-statefulsets-node';
export { PrometheusLagSource } from './PrometheusLagSource';
export type { PrometheusLagSourceOptions } from './PrometheusLagSource';
export { readPrometheusConfig } from './readPrometheusConfig';
export {
  ENGINE_ROLE_SERIES,
  PrometheusEngineRoles,
} from './PrometheusEngineRoles';
export type { EngineRoleSource } from './PrometheusEngineRoles';
export {
  DEFAULT_LAG_QUERIES,
  LAG_QUERY_PLACEHOLDERS,
  renderLagQuery,
  resolveLagQueries,
} from './lagQueries';
export { LagSourceReplicationProvider } from './LagSourceReplicationProvider';
export { LagSourceFailoverProvider } from './LagSourceFailoverProvider';
export { withLagSources } from './withLagSources';
export {
  EngineLinksReplicationProvider,
  OncePerContextEngineRoles,
} from './EngineLinksReplicationProvider';
export {
  DEFAULT_LAG_HISTORY_MAX_LINKS,
  LagHistory,
  readLagHistoryOptions,
} from './LagHistory';
export type { LagHistoryOptions, LagSample } from './LagHistory';
export { buildLagHistory, LAG_HISTORY_WINDOWS } from './buildLagHistory';
export type { LagRangeSource } from './buildLagHistory';
export { createLagHistoryRouter } from './createLagHistoryRouter';
export type { LagHistoryRouterOptions } from './createLagHistoryRouter';
