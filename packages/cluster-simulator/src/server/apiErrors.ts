/*
 * How failures reach a client: whatever a REST handler throws becomes the
 * Kubernetes Status kube-apiserver would answer with, so clients take the
 * same recovery paths (retry, relist, give up) as against a real cluster.
 */
import type { ServerResponse } from 'node:http';
import { PatchError } from '../api/patchError';
import { SelectorError } from '../api/selectors';
import { ApiError, badRequest, statusBody } from '../api/status';
import { sendJson } from './http';

/** The 404 for a URL that names nothing this server serves. */
export function resourceNotFound(): ApiError {
  return new ApiError(
    404,
    'NotFound',
    'the server could not find the requested resource',
  );
}

/** The 405 for a verb the resource does not take. */
export function methodNotAllowed(): ApiError {
  return new ApiError(
    405,
    'MethodNotAllowed',
    'the server does not allow this method on the requested resource',
  );
}

/**
 * Answers a handler's error as a Status; once a response has started (a
 * watch stream) the connection is cut instead, as a status line can no
 * longer be sent.
 */
export function sendError(res: ServerResponse, e: unknown): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  if (e instanceof ApiError) sendJson(res, e.code, e.toStatus());
  else if (e instanceof PatchError) {
    sendJson(
      res,
      e.status,
      statusBody(
        e.status,
        e.status === 400 ? 'BadRequest' : 'Invalid',
        e.message,
      ),
    );
  } else if (e instanceof SelectorError)
    sendJson(res, 400, badRequest(e.message).toStatus());
  else
    sendJson(
      res,
      500,
      statusBody(
        500,
        'InternalError',
        `Internal error occurred: ${String((e as Error)?.message ?? e)}`,
      ),
    );
}
