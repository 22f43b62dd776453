#!/usr/bin/env node
/*
 * Regenerates src/schema/openapi/generated/router.ts from src/schema/openapi.yaml:
 * the spec as a typed constant and the validated router factory. Run it after
 * editing the YAML: `node scripts/generate-openapi.mjs`, then `yarn prettier --write plugins/statefulsets-backend/src/schema` at the repository root.
 */
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const spec = parse(readFileSync(join(root, 'src/schema/openapi.yaml'), 'utf8'));
const out = join(root, 'src/schema/openapi/generated');
mkdirSync(out, { recursive: true });
writeFileSync(
  join(out, 'router.ts'),
  `/*
 * Generated from src/schema/openapi.yaml by scripts/generate-openapi.mjs.
 * Do not edit by hand; edit the YAML and regenerate.
 */
import { createValidatedOpenApiRouterFromGeneratedEndpointMap } from '@backstage/backend-openapi-utils';
import { EndpointMap } from '../endpoints';

/** The OpenAPI document of the plugin. */
export const spec = ${JSON.stringify(spec, null, 2)} as const;

/** Creates an Express router that validates requests against the spec. */
export const createOpenApiRouter = async (
  options?: Parameters<
    typeof createValidatedOpenApiRouterFromGeneratedEndpointMap
  >['1'],
) =>
  createValidatedOpenApiRouterFromGeneratedEndpointMap<EndpointMap>(
    spec as any,
    options,
  );
`,
);
