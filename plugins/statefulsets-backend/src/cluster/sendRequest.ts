/*
 * The one request loop towards cluster API servers: send, collect the body,
 * and end with a typed timeout or the caller's abort. Both HTTP edges (the
 * watch cache's reads and the writes) map statuses and bodies on top of it.
 */
import http from 'node:http';
import https from 'node:https';
import { ClusterRequestError } from './ClusterRequestError';

/** A status and the raw body, whatever the status. */
export interface RawResponse {
  status: number;
  body: Buffer;
}

/** How one request is sent and bounded. */
export interface SendOptions {
  /** TLS and auth options from the cluster's credentials, plus method and headers. */
  request: https.RequestOptions;
  payload?: Buffer;
  timeoutMs: number;
  /** The message of the `timeout` error. */
  timeoutMessage: string;
  signal?: AbortSignal;
}

/**
 * Sends one request. Rejects with a `timeout` ClusterRequestError after
 * `timeoutMs`, with the signal's reason when aborted, and with the socket's
 * own error when the connection fails (callers classify it).
 */
export function sendRequest(
  url: URL,
  options: SendOptions,
): Promise<RawResponse> {
  const transport = url.protocol === 'http:' ? http : https;
  return new Promise<RawResponse>((resolve, reject) => {
    let settled = false;
    let timer: NodeJS.Timeout | undefined = undefined;
    let onAbort: (() => void) | undefined = undefined;
    const finish = (err: unknown, value?: RawResponse) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (onAbort) options.signal?.removeEventListener('abort', onAbort);
      if (err) reject(err);
      else resolve(value!);
    };
    const req = transport.request(url, options.request, res => {
      const chunks: Buffer[] = [];
      res.on('data', c => chunks.push(c));
      res.on('error', err => finish(err));
      res.on('end', () =>
        finish(undefined, {
          status: res.statusCode ?? 0,
          body: Buffer.concat(chunks),
        }),
      );
    });
    timer = setTimeout(() => {
      req.destroy();
      finish(new ClusterRequestError('timeout', options.timeoutMessage));
    }, options.timeoutMs);
    if (options.signal) {
      onAbort = () => {
        req.destroy();
        finish(options.signal!.reason ?? new Error('aborted'));
      };
      if (options.signal.aborted) onAbort();
      else options.signal.addEventListener('abort', onAbort);
    }
    req.on('error', err => finish(err));
    if (options.payload) req.write(options.payload);
    req.end();
  });
}
