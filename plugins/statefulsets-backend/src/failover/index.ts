/*
 * The failover feature of the backend: engine, journal, providers, routers
 * and REST routes, assembled by `buildFailover`.
 */
export { buildFailover, readFailoverOptions } from './buildFailover';
export type { FailoverFeature, FailoverOptions } from './buildFailover';
export { FailoverEngine } from './FailoverEngine';
export { redistribute } from './steps';
export type {
  FailoverEngineOptions,
  StartFailoverInput,
} from './FailoverEngine';
export { DatabaseFailoverStore } from './DatabaseFailoverStore';
export { createFailoverRouter } from './createFailoverRouter';
export type { FailoverRouterOptions } from './createFailoverRouter';
export { GenericFailoverProvider } from './GenericFailoverProvider';
export { CnpgFailoverProvider } from './CnpgFailoverProvider';
export { IstioFailoverRouter } from './IstioFailoverRouter';
export { McsFailoverRouter } from './McsFailoverRouter';
export { NoneTrafficRouter } from './NoneTrafficRouter';
export { HttpClusterWriteClient } from './HttpClusterWriteClient';
