/*
 * Shared types, permissions, annotation keys and the pure topology, drift and
 * readiness logic of the multi-cluster StatefulSets plugins.
 */
export * from './annotations';
export * from './permissions';
export * from './policyDecision';
export * from './types';
export * from './kube';
export * from './entityPolicy';
export * from './buildWorkloads';
export * from './traffic';
export * from './replication';
export * from './lagOverlay';
export * from './federation';
export * from './drift';
export * from './chartConventions';
export * from './operators';
export * from './engineVersion';
export * from './versionSkew';
export * from './readiness';
export * from './buildTopology';
export * from './engineRoles';
export * from './engineLinks';
export * from './ownership';
export * from './failover';
export * from './discovery';
export {
  StatefulSetsRestClient,
  STATEFULSETS_PLUGIN_ID,
} from './schema/openapi/generated';
export type {
  RequestOptions,
  StatefulSetsRestClientOptions,
  TypedResponse,
  ApplyRequest,
  FailoverRequest,
  StartFailoverRequest,
} from './schema/openapi/generated';
/** The request and response types of the REST API, generated from its openapi.yaml. */
export type * as RestModels from './schema/openapi/generated/models';
