/*
 * The catalog entity provider for databases the portal did not create: it
 * reads the candidates of the backend plugin's discovery and hands the
 * entities of those that have an owner, and that the catalog does not
 * already hold under another location, to the catalog as one full
 * mutation. Each entity names where it came from in its
 * `managed-by-location` (`multicluster-statefulsets-discovery:<candidate>`),
 * and its location key is the same string, so an entity of the same name
 * registered from another location keeps winning under the catalog's
 * conflict rules.
 */
import {
  AuthService,
  DiscoveryService,
  LoggerService,
  SchedulerServiceTaskRunner,
} from '@backstage/backend-plugin-api';
import { Entity } from '@backstage/catalog-model';
import {
  EntityProvider,
  EntityProviderConnection,
} from '@backstage/plugin-catalog-node';
import {
  discoveryLocationOf,
  RestModels,
  STATEFULSETS_PLUGIN_ID,
  StatefulSetsRestClient,
} from '@multicluster/backstage-plugin-statefulsets-common';

/** The provider name; entities it emitted are tied to it, so it never changes. */
export const DISCOVERY_PROVIDER_NAME = 'multicluster-statefulsets-discovery';

const TIMEOUT_MS = 15_000;

/** The entities a discovery answer registers, with their location annotations. */
export function discoveredEntities(
  answer: RestModels.DiscoveredDatabases,
): Array<{ entity: Entity; locationKey: string }> {
  if (!answer.enabled) return [];
  return answer.items.flatMap(item => {
    if (!item.entity || item.catalogMatch) return [];
    const location = discoveryLocationOf(item.id);
    const entity = item.entity as Entity;
    return [
      {
        locationKey: location,
        entity: {
          ...entity,
          metadata: {
            ...entity.metadata,
            annotations: {
              ...entity.metadata.annotations,
              'backstage.io/managed-by-location': location,
              'backstage.io/managed-by-origin-location': location,
            },
          },
        },
      },
    ];
  });
}

/** Emits the entities of discovered databases. */
export class DiscoveredEntityProvider implements EntityProvider {
  readonly #client: StatefulSetsRestClient;
  readonly #auth: AuthService;
  readonly #logger: LoggerService;
  readonly #schedule?: SchedulerServiceTaskRunner;
  #connection?: EntityProviderConnection;

  private constructor(options: {
    discovery: DiscoveryService;
    auth: AuthService;
    logger: LoggerService;
    fetch: typeof fetch;
    schedule?: SchedulerServiceTaskRunner;
  }) {
    this.#client = new StatefulSetsRestClient({
      discoveryApi: options.discovery,
      fetchApi: { fetch: options.fetch },
    });
    this.#auth = options.auth;
    this.#logger = options.logger;
    this.#schedule = options.schedule;
  }

  /**
   * Creates the provider. With a `schedule` it refreshes itself once
   * connected; without one the caller runs `refresh()`. `fetch` is
   * replaceable for tests.
   */
  static create(options: {
    discovery: DiscoveryService;
    auth: AuthService;
    logger: LoggerService;
    schedule?: SchedulerServiceTaskRunner;
    fetch?: typeof fetch;
  }): DiscoveredEntityProvider {
    return new DiscoveredEntityProvider({
      ...options,
      fetch: options.fetch ?? globalThis.fetch,
    });
  }

  getProviderName(): string {
    return DISCOVERY_PROVIDER_NAME;
  }

  async connect(connection: EntityProviderConnection): Promise<void> {
    this.#connection = connection;
    await this.#schedule?.run({
      id: `${DISCOVERY_PROVIDER_NAME}:refresh`,
      fn: async () => {
        try {
          await this.refresh();
        } catch (err) {
          // The backend plugin may start later than the catalog; the next run retries.
          this.#logger.warn(
            `${DISCOVERY_PROVIDER_NAME}: could not read discovered databases: ${
              (err as Error).message
            }`,
          );
        }
      },
    });
  }

  /** Reads the candidates and replaces everything this provider emitted with their entities. */
  async refresh(): Promise<void> {
    if (!this.#connection) {
      throw new Error(
        `${DISCOVERY_PROVIDER_NAME} is not connected to the catalog yet`,
      );
    }
    const answer = await this.#read();
    if (answer.enabled && answer.catalogError) {
      // Without the catalog's view the candidates may double entities
      // registered elsewhere: keep what was emitted until the next run.
      this.#logger.warn(
        `${DISCOVERY_PROVIDER_NAME}: not refreshed, ${answer.catalogError}`,
      );
      return;
    }
    if (answer.enabled && !answer.refreshedAt) return; // no run yet
    const entities = discoveredEntities(answer);
    await this.#connection.applyMutation({ type: 'full', entities });
    this.#logger.debug(
      `${DISCOVERY_PROVIDER_NAME}: ${entities.length} entities`,
    );
  }

  async #read(): Promise<RestModels.DiscoveredDatabases> {
    // Made as this plugin itself: the route is open to service principals.
    const { token } = await this.#auth.getPluginRequestToken({
      onBehalfOf: await this.#auth.getOwnServiceCredentials(),
      targetPluginId: STATEFULSETS_PLUGIN_ID,
    });
    const response = await this.#client.listDiscoveredDatabases({
      token,
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
    const body = (await response.json()) as RestModels.DiscoveredDatabases;
    if (typeof body?.enabled !== 'boolean' || !Array.isArray(body.items)) {
      throw new Error(
        '/discovery/databases answered without enabled and items',
      );
    }
    return body;
  }
}
