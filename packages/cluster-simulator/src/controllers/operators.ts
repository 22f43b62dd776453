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

/** Controllers that play operators and federation control planes. */
export function operatorControllers(): Controller[] {
  return [
    cnpgController(),
    strimziController(),
    eckController(),
    perconaController(),
    zalandoController(),
    mongodbCommunityController(),
    innodbClusterController(),
    karmadaController(),
    kubefedController(),
  ];
}
