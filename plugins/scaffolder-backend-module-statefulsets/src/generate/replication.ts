/*
 * The engine-specific replication wiring of one cluster: the ConfigMap that
 * tells each side where its data comes from, and the container settings
 * that make a pod join. Each engine's rules live in replication/; PostgreSQL
 * is absent because its CloudNativePG Cluster carries its own wiring
 * (replication/cnpgCluster.ts).
 */
import { NormalizedRequest, ResolvedPlacement } from './validateRequest';
import { elasticsearchReplication } from './replication/elasticsearch';
import { kafkaReplication } from './replication/kafka';
import { mongodbReplication } from './replication/mongodb';
import { mysqlReplication } from './replication/mysql';
import { ReplicationWiring } from './replication/wiring';

/** The replication ConfigMap (if the engine needs one) and container wiring of a cluster. */
export function replicationFor(
  r: NormalizedRequest,
  c: ResolvedPlacement,
  labels: Record<string, string>,
): ReplicationWiring {
  switch (r.engine) {
    case 'mysql':
      return mysqlReplication(r, c, labels);
    case 'mongodb':
      return mongodbReplication(r, labels);
    case 'kafka':
      return kafkaReplication(r, c, labels);
    case 'elasticsearch':
      return elasticsearchReplication(r, c, labels);
    default:
      return { wiring: { env: [], volumes: [], volumeMounts: [] } };
  }
}
