/*
 * ECK: not read yet.
 */
import { OperatorConvention } from './types';

/** ECK's resources, as the topology reads them. */
export const eckConvention: OperatorConvention = {
  id: 'eck',
  title: 'ECK',
  resources: objects => objects.elasticsearches,
  isRelated: () => false,
};
