/*
 * The one place that turns whatever a cluster call failed with (socket
 * errors, HTTP statuses, timeouts, unparseable bodies) into the typed reason
 * the topology reports. Messages never carry request headers or bodies, so
 * credentials cannot leak through them.
 */
import {
  ClusterError,
  ClusterErrorReason,
} from '@multicluster/backstage-plugin-statefulsets-common';

/** A failed cluster call with its typed reason. */
export class ClusterRequestError extends Error {
  readonly reason: ClusterErrorReason;
  readonly statusCode?: number;

  constructor(
    reason: ClusterErrorReason,
    message: string,
    options?: { cause?: unknown; statusCode?: number },
  ) {
    super(message, { cause: options?.cause });
    this.name = 'ClusterRequestError';
    this.reason = reason;
    this.statusCode = options?.statusCode;
  }
}

const UNREACHABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
  'EPIPE',
  'ERR_SOCKET_CLOSED',
  'ERR_STREAM_PREMATURE_CLOSE',
  'UND_ERR_SOCKET',
]);

/** Maps an HTTP status to a reason. */
export function reasonForStatus(status: number): ClusterErrorReason {
  if (status === 401) return 'unauthorized';
  if (status === 403) return 'forbidden';
  if (status === 504 || status === 408) return 'timeout';
  if (status === 502 || status === 503) return 'unreachable';
  return 'error';
}

/** Classifies any error thrown by a cluster call. */
export function classifyClusterError(err: unknown): ClusterError {
  if (err instanceof ClusterRequestError) {
    return { reason: err.reason, message: err.message };
  }
  const e = err as {
    code?: string;
    statusCode?: number;
    name?: string;
    message?: string;
  };
  if (typeof e?.statusCode === 'number') {
    return {
      reason: reasonForStatus(e.statusCode),
      message: `HTTP ${e.statusCode}`,
    };
  }
  if (
    e?.name === 'TimeoutError' ||
    e?.code === 'ETIMEDOUT' ||
    e?.code === 'ESOCKETTIMEDOUT'
  ) {
    return { reason: 'timeout', message: 'the cluster did not answer in time' };
  }
  if (e?.code && UNREACHABLE_CODES.has(e.code)) {
    return { reason: 'unreachable', message: `connection failed (${e.code})` };
  }
  if (e?.name === 'SyntaxError') {
    return {
      reason: 'malformed',
      message: 'the cluster answered with something that is not JSON',
    };
  }
  return { reason: 'error', message: e?.message ?? String(err) };
}
