/*
 * The one way this module talks to the multi-cluster StatefulSets backend
 * plugin: the generated StatefulSetsRestClient (from the backend's
 * openapi.yaml) with discovery for the URL, a plugin request token minted on
 * behalf of the caller (so the plugin applies that user's permissions), a
 * timeout, and ResponseError for any non-2xx answer.
 */
import {
  AuthService,
  BackstageCredentials,
  DiscoveryService,
} from '@backstage/backend-plugin-api';
import { ResponseError } from '@backstage/errors';
import {
  RequestOptions,
  STATEFULSETS_PLUGIN_ID,
  StatefulSetsRestClient,
} from '@multicluster/backstage-plugin-statefulsets-common';

export { STATEFULSETS_PLUGIN_ID };

const DEFAULT_TIMEOUT_MS = 10_000;

/** Whom a call is made for and how long it may take. */
export interface BackendCallOptions {
  /** Whom the call is made for; the module's own service identity when absent. */
  credentials?: BackstageCredentials;
  timeoutMs?: number;
}

/** Options of one request to the backend plugin. */
export interface BackendRequestOptions extends BackendCallOptions {
  method?: 'GET' | 'POST';
  body?: unknown;
}

/** Calls the backend plugin's REST API. */
export class StatefulsetsBackendClient {
  /** The typed operations of the REST API; pass them {@link StatefulsetsBackendClient.callOptions}. */
  readonly rest: StatefulSetsRestClient;
  readonly #discovery: DiscoveryService;
  readonly #auth: AuthService;
  readonly #fetch: typeof fetch;

  private constructor(options: {
    discovery: DiscoveryService;
    auth: AuthService;
    fetch: typeof fetch;
  }) {
    this.#discovery = options.discovery;
    this.#auth = options.auth;
    this.#fetch = options.fetch;
    this.rest = new StatefulSetsRestClient({
      discoveryApi: options.discovery,
      fetchApi: { fetch: options.fetch },
    });
  }

  /** Creates the client; `fetch` is replaceable for tests. */
  static create(options: {
    discovery: DiscoveryService;
    auth: AuthService;
    fetch?: typeof fetch;
  }): StatefulsetsBackendClient {
    return new StatefulsetsBackendClient({
      discovery: options.discovery,
      auth: options.auth,
      fetch: options.fetch ?? globalThis.fetch,
    });
  }

  /** The token and timeout of one call to {@link StatefulsetsBackendClient.rest}. */
  async callOptions(options: BackendCallOptions = {}): Promise<RequestOptions> {
    const onBehalfOf =
      options.credentials ?? (await this.#auth.getOwnServiceCredentials());
    const { token } = await this.#auth.getPluginRequestToken({
      onBehalfOf,
      targetPluginId: STATEFULSETS_PLUGIN_ID,
    });
    return {
      token,
      signal: AbortSignal.timeout(options.timeoutMs ?? DEFAULT_TIMEOUT_MS),
    };
  }

  /**
   * Sends a request to `<plugin base URL><path>` and parses the JSON answer.
   * @deprecated Use the typed operations of {@link StatefulsetsBackendClient.rest}.
   */
  async request<T>(
    path: string,
    options: BackendRequestOptions = {},
  ): Promise<T> {
    const { token, signal } = await this.callOptions(options);
    const baseUrl = await this.#discovery.getBaseUrl(STATEFULSETS_PLUGIN_ID);
    const response = await this.#fetch(`${baseUrl}${path}`, {
      method: options.method ?? 'GET',
      headers: {
        Authorization: `Bearer ${token}`,
        Accept: 'application/json',
        ...(options.body !== undefined
          ? { 'Content-Type': 'application/json' }
          : {}),
      },
      ...(options.body !== undefined
        ? { body: JSON.stringify(options.body) }
        : {}),
      signal,
    });
    if (!response.ok) {
      throw await ResponseError.fromResponse(response);
    }
    return (await response.json()) as T;
  }
}
