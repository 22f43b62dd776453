/*
 * The one way this module talks to the multi-cluster StatefulSets backend
 * plugin: the generated StatefulSetsRestClient (from the backend's
 * openapi.yaml) with discovery for the URL, a plugin request token minted on
 * behalf of the caller (so the plugin applies that user's permissions) and a
 * timeout; the generated client throws ResponseError for any failed answer.
 */
import {
  AuthService,
  BackstageCredentials,
  DiscoveryService,
} from '@backstage/backend-plugin-api';
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

/** Calls the backend plugin's REST API. */
export class StatefulsetsBackendClient {
  /** The typed operations of the REST API; pass them {@link StatefulsetsBackendClient.callOptions}. */
  readonly rest: StatefulSetsRestClient;
  readonly #auth: AuthService;

  private constructor(options: {
    discovery: DiscoveryService;
    auth: AuthService;
    fetch: typeof fetch;
  }) {
    this.#auth = options.auth;
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
}
