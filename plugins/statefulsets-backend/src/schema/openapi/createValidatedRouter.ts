/*
 * The router every route module of the plugin starts from: the generated
 * router, which parses JSON and validates each request against openapi.yaml
 * before any handler runs, with validation errors naming the bad field.
 */
import express from 'express';
import { namedFieldErrors } from './fieldErrors';
import { createOpenApiRouter } from './generated/router';

/** Creates a validated, typed router; `jsonLimit` raises express' 100 kB body limit. */
export async function createValidatedRouter(options?: { jsonLimit?: string }) {
  const router = await createOpenApiRouter(
    options?.jsonLimit
      ? { middleware: [express.json({ limit: options.jsonLimit })] }
      : undefined,
  );
  router.use(namedFieldErrors());
  return router;
}
