/*
 * Strimzi: not read yet.
 */
import { OperatorConvention } from './types';

/** Strimzi's resources, as the topology reads them. */
export const strimziConvention: OperatorConvention = {
  id: 'strimzi',
  title: 'Strimzi',
  resources: objects => objects.strimziKafkas,
  isRelated: () => false,
};
