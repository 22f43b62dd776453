/*
 * MongoDB Community Operator: not read yet.
 */
import { OperatorConvention } from './types';

/** MongoDB Community Operator's resources, as the topology reads them. */
export const mongodbCommunityConvention: OperatorConvention = {
  id: 'mongodb-community',
  title: 'MongoDB Community Operator',
  resources: objects => objects.mongodbCommunities,
  isRelated: () => false,
};
