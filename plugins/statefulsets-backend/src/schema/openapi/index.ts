/*
 * The plugin's OpenAPI document and its validated router factory.
 */
export { createOpenApiRouter, spec } from './generated/router';
export type { EndpointMap } from './endpoints';
