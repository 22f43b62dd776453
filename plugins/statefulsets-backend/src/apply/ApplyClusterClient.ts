/*
 * The HTTP edge the apply service uses towards one cluster: GET (discovery
 * and current objects) and server-side apply, each with a timeout and typed
 * errors. Credentials come from the KubeConfig the cluster module builds and
 * never appear in messages.
 */
import http from 'node:http';
import https from 'node:https';
import { KubeConfig } from '@kubernetes/client-node';
import {
  ClusterRequestError,
  reasonForStatus,
} from '../cluster/ClusterRequestError';

/** The field manager every apply of this plugin uses. */
export const FIELD_MANAGER = 'multicluster-statefulsets';

/** Reads and server-side-applies objects in one cluster. */
export class ApplyClusterClient {
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

  /** A client on a KubeConfig's current cluster and user. */
  static fromKubeConfig(
    cluster: string,
    kc: KubeConfig,
    options: { timeoutMs: number },
  ): ApplyClusterClient {
    return new ApplyClusterClient(cluster, kc, options.timeoutMs);
  }

  /** GETs a path; undefined when the API server answers 404. */
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

  /** Server-side apply of one object at its path, forcing our ownership of conflicting fields. */
  apply<T = any>(
    path: string,
    object: unknown,
    options: { dryRun: boolean },
  ): Promise<T> {
    const query = new URLSearchParams({
      fieldManager: FIELD_MANAGER,
      force: 'true',
    });
    if (options.dryRun) query.set('dryRun', 'All');
    // JSON is valid YAML, so the apply-patch+yaml body needs no YAML writer.
    return this.#request<T>(
      'PATCH',
      `${path}?${query}`,
      object,
      'application/apply-patch+yaml',
    );
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
                // A Kubernetes Status explains the refusal without echoing credentials.
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
}
