/*
 * The read edge towards one cluster: GET with a timeout and typed errors, and
 * the client-node `KubeConfig` the informers' watches use. Credentials come
 * from the authentication strategies, are resolved as they expire (a 401
 * drops them) and stay inside this object.
 */
import { KubeConfig } from '@kubernetes/client-node';
import { ClusterCredentials } from './ClusterCredentials';
import { ClusterRequestError, reasonForStatus } from './ClusterRequestError';
import { sendRequest } from './sendRequest';

/** Options of one GET. */
export interface GetOptions {
  timeoutMs: number;
  signal?: AbortSignal;
}

/** Reads JSON from one cluster's API server. */
export class KubeHttpClient {
  readonly #credentials: ClusterCredentials;

  constructor(credentials: ClusterCredentials) {
    this.#credentials = credentials;
  }

  /** The KubeConfig for client-node's watch, with the current credentials. */
  async kubeConfig(): Promise<KubeConfig> {
    return (await this.#credentials.resolve()).kubeConfig;
  }

  /** GETs a path (with query) and parses the JSON body. */
  async getJson<T = any>(path: string, options: GetOptions): Promise<T> {
    const { server, options: base } = await this.#credentials.resolve();
    const url = new URL(server.pathname.replace(/\/$/, '') + path, server);
    const { status, body } = await sendRequest(url, {
      request: {
        ...base,
        method: 'GET',
        headers: { ...(base.headers ?? {}), Accept: 'application/json' },
      },
      timeoutMs: options.timeoutMs,
      timeoutMessage: `no answer within ${options.timeoutMs} ms`,
      signal: options.signal,
    });
    if (status < 200 || status >= 300) {
      // A refused credential may have been rotated: resolve it anew next time.
      if (status === 401) this.#credentials.invalidate();
      throw new ClusterRequestError(
        reasonForStatus(status),
        `HTTP ${status} from ${url.pathname}`,
        { statusCode: status },
      );
    }
    try {
      return JSON.parse(body.toString('utf8'));
    } catch (cause) {
      throw new ClusterRequestError(
        'malformed',
        `unparseable answer from ${url.pathname}`,
        { cause },
      );
    }
  }
}
