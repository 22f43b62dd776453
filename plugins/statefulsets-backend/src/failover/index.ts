/*
 * The failover feature of the backend: engine, journal and REST routes,
 * assembled by `buildFailover` (the built-in providers and routers are
 * -node's).
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
export { HttpClusterWriteClient } from './HttpClusterWriteClient';
