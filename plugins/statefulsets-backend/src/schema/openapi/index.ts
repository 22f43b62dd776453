/*
 * The plugin's OpenAPI document and its validated router factory.
 */
export { createOpenApiRouter, spec } from './generated/router';
export { createValidatedRouter } from './createValidatedRouter';
export type {
  ApplyRequestBody,
  EndpointMap,
  EntityPathParams,
  FailoverRequestBody,
  StartFailoverRequestBody,
} from './endpoints';
