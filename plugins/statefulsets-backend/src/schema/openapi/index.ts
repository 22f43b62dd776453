/*
 * The plugin's OpenAPI document, its validated router factory and the
 * request types of its routes, all generated from openapi.yaml.
 */
import type { RestModels } from '@multicluster/backstage-plugin-statefulsets-common';
import type { EndpointMap } from './generated/router';

export { createOpenApiRouter, spec } from './generated/router';
export type { EndpointMap } from './generated/router';
export { createValidatedRouter } from './createValidatedRouter';

/** The path parameters naming an entity. */
export type EntityPathParams =
  EndpointMap['#get|/entities/{kind}/{namespace}/{name}/topology']['path'];

/** The body of a failover plan request. */
export type FailoverRequestBody = RestModels.FailoverRequest;

/** The body of a failover run request. */
export type StartFailoverRequestBody = RestModels.StartFailoverRequest;

/** The body of `POST /apply` as sent, before the checks against configuration. */
export type ApplyRequestBody = RestModels.ApplyRequest;
