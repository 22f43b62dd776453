/*
 * Generated from plugins/statefulsets-backend/src/schema/openapi.yaml by
 * plugins/statefulsets-backend/scripts/generate-openapi.js.
 * Do not edit by hand; edit the YAML and regenerate.
 */
export * from './models';
export * from './StatefulSetsRestClient';
export type {
  RequestOptions,
  StatefulSetsRestClientOptions,
  TypedResponse,
} from '../sendRequest';
