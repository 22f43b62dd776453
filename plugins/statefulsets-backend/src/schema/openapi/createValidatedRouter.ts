/*
 * The router every route module of the plugin starts from: the generated
 * router, which parses JSON and validates each request against openapi.yaml
 * before any handler runs, with validation errors naming the bad field.
 */
import { serializeError } from '@backstage/errors';
import express, { RequestHandler } from 'express';
import { namedFieldErrors } from './fieldErrors';
import { createOpenApiRouter } from './generated/router';

/**
 * express.json, except that a body it refuses is answered with its own status
 * (413 too large, 415 unsupported charset) in Backstage's error shape: the
 * validated router would turn any error raised before it into a 400.
 */
function jsonBody(limit?: string): RequestHandler {
  const parse = express.json(limit ? { limit } : undefined);
  return (req, res, next) =>
    parse(req, res, (err?: any) => {
      const status = Number(err?.status);
      if (!err || !(status === 413 || status === 415)) {
        next(err);
        return;
      }
      const error = new Error(
        status === 413
          ? `request body larger than ${limit ?? '100kb'}`
          : String(err.message),
      );
      error.name =
        status === 413 ? 'PayloadTooLargeError' : 'UnsupportedMediaTypeError';
      res.status(status).json({
        error: serializeError(error),
        request: { method: req.method, url: req.originalUrl },
        response: { statusCode: status },
      });
    });
}

/** Creates a validated, typed router; `jsonLimit` raises express' 100 kB body limit. */
export async function createValidatedRouter(options?: { jsonLimit?: string }) {
  const router = await createOpenApiRouter({
    middleware: [jsonBody(options?.jsonLimit)],
  });
  router.use(namedFieldErrors());
  return router;
}
