/*
 * Helm charts' replication settings: not read yet.
 */
import { OperatorConvention } from './types';

/** Links from the charts' replication environment variables. */
export const chartReplicationConvention: OperatorConvention = {
  id: 'chart-replication-env',
  title: 'Helm chart',
  resources: () => [],
  isRelated: () => true,
};
