/*
 * The router every route module of the plugin starts from: the generated
 * router, which parses JSON and validates each request against openapi.yaml
 * before any handler runs, with validation errors naming the bad field.
 *
 * The plugin's routers share one mount point, so anything the generated
 * router installs with `use()` would run for every request of the plugin:
 * the first router mounted would parse (with its limit) and validate every
 * body. Each router here therefore steps aside (`next('router')`) for any
 * request none of its own routes answers, and parses the bodies of its own
 * routes only, with its own limit, after authenticating writes.
 */
import { HttpAuthService } from '@backstage/backend-plugin-api';
import { serializeError } from '@backstage/errors';
import express, { Request, RequestHandler, Response, Router } from 'express';
import { namedFieldErrors } from './fieldErrors';
import { createOpenApiRouter } from './generated/router';

/** Answers in Backstage's error shape, bypassing the validator's 400 mapping. */
function sendError(req: Request, res: Response, status: number, error: Error) {
  res.status(status).json({
    error: serializeError(error),
    request: { method: req.method, url: req.originalUrl },
    response: { statusCode: status },
  });
}

const UNITS: Record<string, number> = { b: 1, kb: 1024, mb: 1024 * 1024 };

/** Bytes of an express-style limit such as `16kb` or `10mb`. */
function limitBytes(limit: string): number {
  const m = limit
    .trim()
    .toLowerCase()
    .match(/^(\d+)\s*(b|kb|mb)?$/);
  if (!m) {
    throw new Error(
      `Invalid JSON body limit "${limit}": use a number of bytes, kb or mb, e.g. 16kb`,
    );
  }
  return Number(m[1]) * UNITS[m[2] ?? 'b'];
}

function tooLarge(limit: string): Error {
  const error = new Error(`request body larger than ${limit}`);
  error.name = 'PayloadTooLargeError';
  return error;
}

/**
 * express.json, except that a body it refuses is answered with its own status
 * (413 too large, 415 unsupported charset) in Backstage's error shape: the
 * validated router would turn any error raised before it into a 400. A body
 * whose Content-Length is over the limit is answered before a byte of it is
 * read: express.json would read (and discard) all of it before answering.
 */
function jsonBody(limit: string): RequestHandler {
  const parse = express.json({ limit });
  const max = limitBytes(limit);
  return (req, res, next) => {
    if (Number(req.headers['content-length']) > max) {
      // The rest of the body is never read; the connection goes with it.
      res.setHeader('connection', 'close');
      sendError(req, res, 413, tooLarge(limit));
      return;
    }
    parse(req, res, (err?: any) => {
      const status = Number(err?.status);
      if (!err || !(status === 413 || status === 415)) {
        next(err);
        return;
      }
      if (status === 413) {
        sendError(req, res, status, tooLarge(limit));
        return;
      }
      const error = new Error(String(err.message));
      error.name = 'UnsupportedMediaTypeError';
      sendError(req, res, status, error);
    });
  };
}

const AUTH_STATUS: Record<string, number> = {
  AuthenticationError: 401,
  NotAllowedError: 403,
};

/** Whether one of the router's own routes answers this method and path. */
function ownsRequest(router: Router, req: Request): boolean {
  return router.stack.some(
    (layer: any) =>
      layer.route &&
      layer.match(req.path) &&
      layer.route._handles_method(req.method),
  );
}

/** Options of {@link createValidatedRouter}. */
export interface ValidatedRouterOptions {
  /** The JSON body limit of this router's routes (express syntax, e.g. `16kb`); default `100kb`. */
  jsonLimit?: string;
  /**
   * When given, a request that may carry a body (anything but GET, HEAD and
   * OPTIONS) is authenticated before its body is read: an anonymous caller
   * is answered 401 without the plugin reading a byte of what it sent.
   */
  httpAuth?: HttpAuthService;
}

/** Creates a validated, typed router that parses and validates only the requests of its own routes. */
export async function createValidatedRouter(options?: ValidatedRouterOptions) {
  const httpAuth = options?.httpAuth;
  const body = jsonBody(options?.jsonLimit ?? '100kb');
  // Filled in once the router exists; the middleware only runs on requests.
  const own: { router?: Router } = {};
  const ownRoutesOnly: RequestHandler = (req, res, next) => {
    if (!own.router || !ownsRequest(own.router, req)) {
      next('router');
      return;
    }
    const readsBody = !['GET', 'HEAD', 'OPTIONS'].includes(req.method);
    if (!httpAuth || !readsBody) {
      body(req, res, next);
      return;
    }
    httpAuth.credentials(req, { allow: ['user', 'service'] }).then(
      () => body(req, res, next),
      (error: Error) => {
        const status = AUTH_STATUS[error?.name];
        if (status) sendError(req, res, status, error);
        else next(error);
      },
    );
  };
  const router = await createOpenApiRouter({ middleware: [ownRoutesOnly] });
  own.router = router;
  router.use(namedFieldErrors());
  return router;
}
