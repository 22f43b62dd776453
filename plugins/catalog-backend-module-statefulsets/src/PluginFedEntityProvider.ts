/*
 * What the module's entity providers share: each reads a feed of the
 * multi-cluster StatefulSets backend plugin, called as this plugin itself,
 * and hands the catalog a full mutation; with a schedule it refreshes itself
 * once the catalog connects, and a failed run is logged and retried by the
 * next one (the backend plugin may start later than the catalog).
 */
import {
  AuthService,
  DiscoveryService,
  LoggerService,
  SchedulerServiceTaskRunner,
} from '@backstage/backend-plugin-api';
import {
  DeferredEntity,
  EntityProvider,
  EntityProviderConnection,
} from '@backstage/plugin-catalog-node';
import {
  STATEFULSETS_PLUGIN_ID,
  StatefulSetsRestClient,
} from '@multicluster/backstage-plugin-statefulsets-common';

/** What a provider is created with; `fetch` is replaceable for tests. */
export interface PluginFedEntityProviderOptions {
  discovery: DiscoveryService;
  auth: AuthService;
  logger: LoggerService;
  /** Without one the caller runs `refresh()`. */
  schedule?: SchedulerServiceTaskRunner;
  fetch?: typeof fetch;
}

/** A provider fed by the backend plugin; subclasses say what they read and emit. */
export abstract class PluginFedEntityProvider implements EntityProvider {
  protected readonly client: StatefulSetsRestClient;
  protected readonly logger: LoggerService;
  readonly #auth: AuthService;
  readonly #schedule?: SchedulerServiceTaskRunner;
  #connection?: EntityProviderConnection;

  protected constructor(options: PluginFedEntityProviderOptions) {
    this.client = new StatefulSetsRestClient({
      discoveryApi: options.discovery,
      fetchApi: { fetch: options.fetch ?? globalThis.fetch },
    });
    this.#auth = options.auth;
    this.logger = options.logger;
    this.#schedule = options.schedule;
  }

  abstract getProviderName(): string;

  /** What a failed run could not read, for its warning ("generated entities"). */
  protected abstract readonly feed: string;

  /** The entities to emit, or undefined to keep what was emitted until the next run. */
  protected abstract entities(): Promise<DeferredEntity[] | undefined>;

  async connect(connection: EntityProviderConnection): Promise<void> {
    this.#connection = connection;
    // Scheduled only now: a run before the catalog connects has nowhere to go.
    await this.#schedule?.run({
      id: `${this.getProviderName()}:refresh`,
      fn: async () => {
        try {
          await this.refresh();
        } catch (err) {
          this.logger.warn(
            `${this.getProviderName()}: could not read ${this.feed}: ${
              (err as Error).message
            }`,
          );
        }
      },
    });
  }

  /** Reads the feed and replaces everything this provider emitted with its entities. */
  async refresh(): Promise<void> {
    const connection = this.#connection;
    if (!connection) {
      throw new Error(
        `${this.getProviderName()} is not connected to the catalog yet`,
      );
    }
    const entities = await this.entities();
    if (!entities) return;
    // A full mutation also removes the entities that left the feed.
    await connection.applyMutation({ type: 'full', entities });
    this.logger.debug(`${this.getProviderName()}: ${entities.length} entities`);
  }

  /** A token for the backend plugin's service-only feeds, as this plugin itself. */
  protected async pluginToken(): Promise<string> {
    const { token } = await this.#auth.getPluginRequestToken({
      onBehalfOf: await this.#auth.getOwnServiceCredentials(),
      targetPluginId: STATEFULSETS_PLUGIN_ID,
    });
    return token;
  }
}
