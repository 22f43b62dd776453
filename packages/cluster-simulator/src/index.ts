/*
 * @multicluster/cluster-simulator: simulated Kubernetes clusters on loopback
 * that kubectl and @kubernetes/client-node use as real ones, for the demo and
 * the tests of the multi-cluster StatefulSets product.
 */
export { startSimulator, DEFAULT_CRD_DIR } from './simulator';
export { CONTROLLER_MADE_KINDS } from './controllers/types';
export type {
  SimulatorOptions,
  SimulatedCluster,
  SimulatorAdmin,
  RunningSimulator,
} from './simulator';
export { loadWorld, validateWorld, WorldError } from './world';
export type { World, WorldCluster, WorldObject } from './world';
export type { Faults } from './server/faults';
export { kubeconfigFor, appConfigFor, appConfigYaml } from './output';
export type { ClusterEndpoint } from './output';
export type { ReplicationSettings } from './controllers/lagModel';
export type {
  Controller,
  ControllerContext,
  ClusterApi,
  KubeObject,
} from './controllers/types';
