/*
 * The built-in providers and routers, one class per engine or mechanism,
 * each serving both the topology (read) and the failover (write). Published
 * so modules can wrap or reorder them.
 */
export { CloudNativePgProvider } from './CloudNativePgProvider';
export {
  ANNOTATION_FENCED_REPLICAS,
  GenericStatefulSetProvider,
  requireStampedFor,
  waitForCatchUp,
} from './GenericStatefulSetProvider';
export { ElasticsearchCcrProvider } from './ElasticsearchCcrProvider';
export {
  ANNOTATION_ES_PROMOTED_AT,
  esPeerAddress,
} from './elasticsearchFollow';
export { describeElasticsearchSteps } from './elasticsearchSteps';
export type { EsNode } from './elasticsearchExec';
export { IstioTrafficRouter } from './IstioTrafficRouter';
export { KafkaMirrorMakerProvider } from './KafkaMirrorMakerProvider';
export { StrimziMirrorMakerProvider } from './StrimziMirrorMakerProvider';
export { MongoReplicaSetProvider } from './MongoReplicaSetProvider';
export { describeMongoSteps, raiseTarget } from './mongoSteps';
export { mongoshCommand } from './mongoExec';
export type { MongoSide } from './mongoExec';
export { MySqlGtidProvider, mysqlPeerAddress } from './MySqlGtidProvider';
export type { KnownAddress, MysqlAddress } from './MySqlGtidProvider';
export type { MysqlServer } from './mysqlExec';
export { NoneTrafficRouter } from './NoneTrafficRouter';
export { PerconaXtraDbProvider } from './PerconaXtraDbProvider';
export { describePerconaXtraDbSteps } from './perconaSteps';
export {
  describePostgresStreamingSteps,
  PostgresStreamingProvider,
} from './PostgresStreamingProvider';
export type {
  PostgresLagReading,
  PostgresStreamingProviderOptions,
} from './PostgresStreamingProvider';
export { mcsConninfo, postgresPodOf } from './postgresPod';
export type { PostgresPod } from './postgresPod';
export { ServiceExportTrafficRouter } from './ServiceExportTrafficRouter';
