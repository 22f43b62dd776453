/*
 * The catalog entity provider for databases created through the Software
 * Template: it reads the entities the multi-cluster StatefulSets backend
 * stored at apply time and hands them to the catalog as one full mutation,
 * so a new database shows up without a Git host or a URL location.
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
  STATEFULSETS_PLUGIN_ID,
  StatefulSetsRestClient,
} from '@multicluster/backstage-plugin-statefulsets-common';

/** The backend plugin that stores generated entities. */
export { STATEFULSETS_PLUGIN_ID };

/** The provider name; entities it emitted are tied to it, so it never changes. */
export const PROVIDER_NAME = 'multicluster-statefulsets-generated';

const TIMEOUT_MS = 10_000;

/** Emits the entities the apply endpoint registered. */
export class GeneratedEntityProvider implements EntityProvider {
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
  }): GeneratedEntityProvider {
    return new GeneratedEntityProvider({
      ...options,
      fetch: options.fetch ?? globalThis.fetch,
    });
  }

  getProviderName(): string {
    return PROVIDER_NAME;
  }

  async connect(connection: EntityProviderConnection): Promise<void> {
    this.#connection = connection;
    // Scheduled only now: a run before the catalog connects has nowhere to go.
    await this.#schedule?.run({
      id: `${PROVIDER_NAME}:refresh`,
      fn: async () => {
        try {
          await this.refresh();
        } catch (err) {
          // The backend plugin may start later than the catalog; the next run retries.
          this.#logger.warn(
            `${PROVIDER_NAME}: could not read generated entities: ${
              (err as Error).message
            }`,
          );
        }
      },
    });
  }

  /** Reads the stored entities and replaces everything this provider emitted with them. */
  async refresh(): Promise<void> {
    if (!this.#connection) {
      throw new Error(`${PROVIDER_NAME} is not connected to the catalog yet`);
    }
    const entities = await this.#read();
    // A full mutation also removes entities whose rows were deleted.
    await this.#connection.applyMutation({
      type: 'full',
      entities: entities.map(entity => ({
        entity,
        locationKey: `${PROVIDER_NAME}:`,
      })),
    });
    this.#logger.debug(`${PROVIDER_NAME}: ${entities.length} entities`);
  }

  async #read(): Promise<Entity[]> {
    // The feed is for services only: the call is made as this plugin itself.
    const { token } = await this.#auth.getPluginRequestToken({
      onBehalfOf: await this.#auth.getOwnServiceCredentials(),
      targetPluginId: STATEFULSETS_PLUGIN_ID,
    });
    const response = await this.#client.listGeneratedEntities({
      token,
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
    const body = (await response.json()) as { items?: unknown };
    if (!Array.isArray(body.items)) {
      throw new Error('/generated-entities answered without an items array');
    }
    return body.items
      .map((item: { entity?: Entity }) => item.entity)
      .filter((e): e is Entity => isEntityLike(e));
  }
}

function isEntityLike(value: unknown): value is Entity {
  const v = value as Entity | undefined;
  return (
    typeof v?.apiVersion === 'string' &&
    typeof v?.kind === 'string' &&
    typeof v?.metadata?.name === 'string'
  );
}
