/*
 * Percona's operators: not read yet.
 */
import { OperatorConvention } from './types';

/** Percona XtraDB Cluster's resources, as the topology reads them. */
export const perconaXtraDbClusterConvention: OperatorConvention = {
  id: 'percona-xtradb-cluster',
  title: 'Percona XtraDB Cluster',
  resources: objects => objects.perconaXtraDbClusters,
  isRelated: () => false,
};

/** Percona Server for MongoDB's resources, as the topology reads them. */
export const perconaServerMongodbConvention: OperatorConvention = {
  id: 'percona-server-mongodb',
  title: 'Percona Server for MongoDB',
  resources: objects => objects.perconaServerMongodbs,
  isRelated: () => false,
};
