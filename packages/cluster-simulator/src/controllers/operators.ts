/*
 * The operator and federation controllers the simulator runs beside its
 * built-in StatefulSet controller: CloudNativePG, the databases' other
 * operators (Strimzi, ECK, Percona, Zalando, MongoDB Community, the MySQL
 * Operator), Karmada and KubeFed.
 */
import { cnpgController } from './cnpg';
import { karmadaController, kubefedController } from './federation';
import { eckController } from './operators/eck';
import { innodbClusterController } from './operators/innodbCluster';
import { mongodbCommunityController } from './operators/mongodbCommunity';
import { perconaController } from './operators/percona';
import { strimziController } from './operators/strimzi';
import { zalandoController } from './operators/zalando';
import type { Controller } from './types';

/**
 * The operators' resources whose simulator lag record `/metrics` exports
 * (beside StatefulSets).
 */
export const OPERATOR_WORKLOAD_KINDS: ReadonlyArray<{
  group: string;
  kind: string;
}> = [
  { group: 'kafka.strimzi.io', kind: 'Kafka' },
  { group: 'kafka.strimzi.io', kind: 'KafkaMirrorMaker2' },
  { group: 'elasticsearch.k8s.elastic.co', kind: 'Elasticsearch' },
  { group: 'pxc.percona.com', kind: 'PerconaXtraDBCluster' },
  { group: 'psmdb.percona.com', kind: 'PerconaServerMongoDB' },
  { group: 'acid.zalan.do', kind: 'postgresql' },
  { group: 'mongodbcommunity.mongodb.com', kind: 'MongoDBCommunity' },
  { group: 'mysql.oracle.com', kind: 'InnoDBCluster' },
];

/**
 * An operator acts in member clusters only: the Karmada API server runs no
 * workload controllers, so a resource template there (a CloudNativePG
 * Cluster, a Kafka…) starts nothing; the members run Karmada's copies.
 */
function inMembersOnly(controller: Controller): Controller {
  return {
    name: controller.name,
    reconcile(ctx) {
      if (ctx.cluster.federationHost !== 'karmada') controller.reconcile(ctx);
    },
  };
}

/** Controllers that play operators and federation control planes. */
export function operatorControllers(): Controller[] {
  return [
    ...[
      cnpgController(),
      strimziController(),
      eckController(),
      perconaController(),
      zalandoController(),
      mongodbCommunityController(),
      innodbClusterController(),
    ].map(inMembersOnly),
    karmadaController(),
    kubefedController(),
  ];
}
