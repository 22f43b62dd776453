/*
 * The write edge towards one cluster for the failover engine: GET, JSON
 * merge patch, create and delete with a timeout, typed errors and the same
 * credentials the read side's KubeHttpClient resolved. Kept apart from the
 * read path so a slow write never holds up a topology read.
 */
import http from 'node:http';
import https from 'node:https';
import { KubeConfig } from '@kubernetes/client-node';
import { AuthenticationStrategy } from '@backstage/plugin-kubernetes-node';
import { ClusterWriteClient } from '@multicluster/backstage-plugin-statefulsets-node';
import {
  ClusterRequestError,
  reasonForStatus,
} from '../cluster/ClusterRequestError';
import { KubeHttpClient } from '../cluster/KubeHttpClient';
import { ConfiguredCluster } from '../cluster/readClusterConfig';

/** Writes to one cluster through its API server. */
export class HttpClusterWriteClient implements ClusterWriteClient {
  readonly cluster: string;
  readonly #kc: KubeConfig;
  readonly #server: URL;
  readonly #timeoutMs: number;
  #options?: Promise<https.RequestOptions>;

  private constructor(cluster: string, kc: KubeConfig, timeoutMs: number) {
    this.cluster = cluster;
    this.#kc = kc;
    this.#server = new URL(kc.getCurrentCluster()!.server);
    this.#timeoutMs = timeoutMs;
  }

  /** A client on a KubeConfig (its current cluster and user). */
  static fromKubeConfig(
    cluster: string,
    kc: KubeConfig,
    options: { timeoutMs: number },
  ): HttpClusterWriteClient {
    return new HttpClusterWriteClient(cluster, kc, options.timeoutMs);
  }

  /** Clients for every configured cluster, with credentials from the official strategies. */
  static async createAll(
    clusters: ConfiguredCluster[],
    strategy: AuthenticationStrategy,
    options: { timeoutMs: number },
  ): Promise<HttpClusterWriteClient[]> {
    return Promise.all(
      clusters.map(async c => {
        const read = await KubeHttpClient.create(c.details, strategy);
        return new HttpClusterWriteClient(
          c.details.name,
          read.kubeConfig,
          options.timeoutMs,
        );
      }),
    );
  }

  async get<T = any>(path: string): Promise<T | undefined> {
    try {
      return await this.#request<T>('GET', path);
    } catch (err) {
      if (err instanceof ClusterRequestError && err.statusCode === 404) {
        return undefined;
      }
      throw err;
    }
  }

  mergePatch<T = any>(path: string, patch: unknown): Promise<T> {
    return this.#request<T>(
      'PATCH',
      path,
      patch,
      'application/merge-patch+json',
    );
  }

  create<T = any>(path: string, body: unknown): Promise<T> {
    return this.#request<T>('POST', path, body, 'application/json');
  }

  async delete(path: string): Promise<void> {
    try {
      await this.#request('DELETE', path);
    } catch (err) {
      if (err instanceof ClusterRequestError && err.statusCode === 404) return;
      throw err;
    }
  }

  #baseOptions(): Promise<https.RequestOptions> {
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

  async #request<T>(
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
                  'Content-Type': contentType!,
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
                  `${method} ${url.pathname} in ${
                    this.cluster
                  }: HTTP ${status}${detail ? ` (${detail})` : ''}`,
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
                  `unparseable answer from ${url.pathname} in ${this.cluster}`,
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
            `${method} ${url.pathname} in ${this.cluster}: no answer within ${
              this.#timeoutMs
            } ms`,
          ),
        );
      }, this.#timeoutMs);
      req.on('error', err =>
        finish(
          new ClusterRequestError(
            'unreachable',
            `${method} ${url.pathname} in ${this.cluster}: ${err.message}`,
            { cause: err },
          ),
        ),
      );
      if (payload) req.write(payload);
      req.end();
    });
  }
}
