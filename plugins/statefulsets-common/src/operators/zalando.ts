/*
 * Zalando Postgres Operator: not read yet.
 */
import { OperatorConvention } from './types';

/** Zalando Postgres Operator's resources, as the topology reads them. */
export const zalandoConvention: OperatorConvention = {
  id: 'zalando-postgres-operator',
  title: 'Zalando Postgres Operator',
  resources: objects => objects.zalandoPostgresqls,
  isRelated: () => false,
};
