/*
 * The HTTP edge towards one cluster: GET with a timeout and typed errors, and
 * the client-node `KubeConfig` the informers' watches use. Credentials come
 * from the official authentication strategies and stay inside this object.
 */
import https from 'node:https';
import { KubeConfig } from '@kubernetes/client-node';
import {
  AuthenticationStrategy,
  ClusterDetails,
} from '@backstage/plugin-kubernetes-node';
import { ClusterRequestError, reasonForStatus } from './ClusterRequestError';
import { sendRequest } from './sendRequest';

/** Builds a KubeConfig for a cluster and a credential from an authentication strategy. */
export async function buildKubeConfig(
  details: ClusterDetails,
  strategy: AuthenticationStrategy,
): Promise<KubeConfig> {
  const credential = await strategy.getCredential(details, {});
  const user: Record<string, string> = { name: 'backstage' };
  if (credential.type === 'bearer token') user.token = credential.token;
  if (credential.type === 'x509 client certificate') {
    user.certData = Buffer.from(credential.cert).toString('base64');
    user.keyData = Buffer.from(credential.key).toString('base64');
  }
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [
      {
        name: details.name,
        server: details.url.replace(/\/+$/, ''),
        skipTLSVerify: details.skipTLSVerify ?? false,
        caData: details.caData,
        caFile: details.caFile,
      },
    ],
    users: [user],
    contexts: [{ name: 'default', cluster: details.name, user: 'backstage' }],
    currentContext: 'default',
  });
  return kc;
}

/** Options of one GET. */
export interface GetOptions {
  timeoutMs: number;
  signal?: AbortSignal;
}

/** Reads JSON from one cluster's API server. */
export class KubeHttpClient {
  readonly #kc: KubeConfig;
  readonly #server: URL;
  #requestOptions?: Promise<https.RequestOptions>;

  private constructor(kc: KubeConfig) {
    this.#kc = kc;
    this.#server = new URL(kc.getCurrentCluster()!.server);
  }

  /** Creates a client for a cluster, resolving its credential. */
  static async create(
    details: ClusterDetails,
    strategy: AuthenticationStrategy,
  ): Promise<KubeHttpClient> {
    return new KubeHttpClient(await buildKubeConfig(details, strategy));
  }

  /** The KubeConfig for client-node's watch. */
  get kubeConfig(): KubeConfig {
    return this.#kc;
  }

  #options(): Promise<https.RequestOptions> {
    // TLS material and the agent are computed once: a new agent per call
    // would throw away keep-alive connections.
    if (!this.#requestOptions) {
      this.#requestOptions = (async () => {
        const opts: https.RequestOptions = {};
        await this.#kc.applyToHTTPSOptions(opts);
        return opts;
      })();
      this.#requestOptions.catch(() => {
        this.#requestOptions = undefined;
      });
    }
    return this.#requestOptions;
  }

  /** GETs a path (with query) and parses the JSON body. */
  async getJson<T = any>(path: string, options: GetOptions): Promise<T> {
    const base = await this.#options();
    const url = new URL(
      this.#server.pathname.replace(/\/$/, '') + path,
      this.#server,
    );
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
