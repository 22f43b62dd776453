/*
 * The one way this module talks to the multi-cluster StatefulSets backend
 * plugin: discovery for the URL, a plugin request token minted on behalf of
 * the caller (so the plugin applies that user's permissions), a timeout, and
 * ResponseError for any non-2xx answer.
 */
import {
  AuthService,
  BackstageCredentials,
  DiscoveryService,
} from '@backstage/backend-plugin-api';
import { ResponseError } from '@backstage/errors';

/** The plugin id of the multi-cluster StatefulSets backend plugin. */
export const STATEFULSETS_PLUGIN_ID = 'multicluster-statefulsets';

const DEFAULT_TIMEOUT_MS = 10_000;

/** Options of one request to the backend plugin. */
export interface BackendRequestOptions {
  method?: 'GET' | 'POST';
  body?: unknown;
  /** Whom the call is made for; the module's own service identity when absent. */
  credentials?: BackstageCredentials;
  timeoutMs?: number;
}

/** Calls the backend plugin's REST API. */
export class StatefulsetsBackendClient {
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

  /** Sends a request to `<plugin base URL><path>` and parses the JSON answer. */
  async request<T>(
    path: string,
    options: BackendRequestOptions = {},
  ): Promise<T> {
    const onBehalfOf =
      options.credentials ?? (await this.#auth.getOwnServiceCredentials());
    const { token } = await this.#auth.getPluginRequestToken({
      onBehalfOf,
      targetPluginId: STATEFULSETS_PLUGIN_ID,
    });
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
      signal: AbortSignal.timeout(options.timeoutMs ?? DEFAULT_TIMEOUT_MS),
    });
    if (!response.ok) {
      throw await ResponseError.fromResponse(response);
    }
    return (await response.json()) as T;
  }
}
