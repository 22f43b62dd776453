/*
 * One JSON request to one cluster's API server, with the credentials and TLS
 * material of a KubeConfig, a timeout, and typed errors whose messages never
 * carry credentials. The write edges (failover, apply) share it; reads go
 * through the watch cache instead.
 */
import http from 'node:http';
import https from 'node:https';
import { KubeConfig } from '@kubernetes/client-node';
import { ClusterRequestError, reasonForStatus } from './ClusterRequestError';

/** Sends JSON requests to the current cluster of a KubeConfig. */
export class ClusterHttp {
  readonly cluster: string;
  readonly #kc: KubeConfig;
  readonly #server: URL;
  readonly #timeoutMs: number;
  #options?: Promise<https.RequestOptions>;

  constructor(cluster: string, kc: KubeConfig, options: { timeoutMs: number }) {
    this.cluster = cluster;
    this.#kc = kc;
    this.#server = new URL(kc.getCurrentCluster()!.server);
    this.#timeoutMs = options.timeoutMs;
  }

  /** GETs a path; undefined when the API server answers 404. */
  async get<T = any>(path: string): Promise<T | undefined> {
    try {
      return await this.request<T>('GET', path);
    } catch (err) {
      if (err instanceof ClusterRequestError && err.statusCode === 404) {
        return undefined;
      }
      throw err;
    }
  }

  /** Sends `body` as JSON (any JSON-compatible content type) and parses the answer. */
  async request<T>(
    method: string,
    path: string,
    body?: unknown,
    contentType?: string,
  ): Promise<T> {
    const base = await this.#baseOptions();
    const url = new URL(
      this.#server.pathname.replace(/\/$/, '') + path,
      this.#server,
    );
    const transport = url.protocol === 'http:' ? http : https;
    const payload =
      body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    const where = `${method} ${url.pathname} in ${this.cluster}`;
    return new Promise<T>((resolve, reject) => {
      let settled = false;
      let timer: NodeJS.Timeout | undefined = undefined;
      const finish = (err: Error | undefined, value?: T) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        if (err) reject(err);
        else resolve(value as T);
      };
      const req = transport.request(
        url,
        {
          ...base,
          method,
          headers: {
            ...(base.headers ?? {}),
            Accept: 'application/json',
            ...(payload
              ? {
                  'Content-Type': contentType ?? 'application/json',
                  'Content-Length': payload.length,
                }
              : {}),
          },
        },
        res => {
          const chunks: Buffer[] = [];
          res.on('data', c => chunks.push(c));
          res.on('error', err => finish(err));
          res.on('end', () => {
            const status = res.statusCode ?? 0;
            const text = Buffer.concat(chunks).toString('utf8');
            if (status < 200 || status >= 300) {
              let detail = '';
              try {
                // A Kubernetes Status says why; it never echoes credentials.
                detail = JSON.parse(text)?.message ?? '';
              } catch {
                detail = '';
              }
              finish(
                new ClusterRequestError(
                  reasonForStatus(status),
                  `${where}: HTTP ${status}${detail ? ` (${detail})` : ''}`,
                  { statusCode: status },
                ),
              );
              return;
            }
            try {
              finish(undefined, text ? JSON.parse(text) : undefined);
            } catch (cause) {
              finish(
                new ClusterRequestError(
                  'malformed',
                  `${where}: the answer is not JSON`,
                  { cause },
                ),
              );
            }
          });
        },
      );
      timer = setTimeout(() => {
        req.destroy();
        finish(
          new ClusterRequestError(
            'timeout',
            `${where}: no answer within ${this.#timeoutMs} ms`,
          ),
        );
      }, this.#timeoutMs);
      req.on('error', err =>
        finish(
          new ClusterRequestError('unreachable', `${where}: ${err.message}`, {
            cause: err,
          }),
        ),
      );
      if (payload) req.write(payload);
      req.end();
    });
  }

  #baseOptions(): Promise<https.RequestOptions> {
    // TLS material is resolved once per client, not per call.
    if (!this.#options) {
      this.#options = (async () => {
        const opts: https.RequestOptions = {};
        await this.#kc.applyToHTTPSOptions(opts);
        return opts;
      })();
      this.#options.catch(() => {
        this.#options = undefined;
      });
    }
    return this.#options;
  }
}
