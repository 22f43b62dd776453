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
export { IstioTrafficRouter } from './IstioTrafficRouter';
export { MySqlGtidProvider, mysqlPeerAddress } from './MySqlGtidProvider';
export type { KnownAddress, MysqlAddress } from './MySqlGtidProvider';
export type { MysqlServer } from './mysqlExec';
export { NoneTrafficRouter } from './NoneTrafficRouter';
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
