/*
 * MySQL Operator: not read yet.
 */
import { OperatorConvention } from './types';

/** MySQL Operator's resources, as the topology reads them. */
export const innodbClusterConvention: OperatorConvention = {
  id: 'mysql-operator',
  title: 'MySQL Operator',
  resources: objects => objects.innodbClusters,
  isRelated: () => false,
};
