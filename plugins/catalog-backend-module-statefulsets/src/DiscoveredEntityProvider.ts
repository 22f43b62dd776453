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
import { Entity } from '@backstage/catalog-model';
import { DeferredEntity } from '@backstage/plugin-catalog-node';
import {
  discoveryLocationOf,
  RestModels,
} from '@multicluster/backstage-plugin-statefulsets-common';
import {
  PluginFedEntityProvider,
  PluginFedEntityProviderOptions,
} from './PluginFedEntityProvider';

/** The provider name; entities it emitted are tied to it, so it never changes. */
export const DISCOVERY_PROVIDER_NAME = 'multicluster-statefulsets-discovery';

const TIMEOUT_MS = 15_000;

/** The entities a discovery answer registers, with their location annotations. */
export function discoveredEntities(
  answer: RestModels.DiscoveredDatabases,
): DeferredEntity[] {
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
export class DiscoveredEntityProvider extends PluginFedEntityProvider {
  protected readonly feed = 'discovered databases';

  /**
   * Creates the provider. With a `schedule` it refreshes itself once
   * connected; without one the caller runs `refresh()`. `fetch` is
   * replaceable for tests.
   */
  static create(
    options: PluginFedEntityProviderOptions,
  ): DiscoveredEntityProvider {
    return new DiscoveredEntityProvider(options);
  }

  getProviderName(): string {
    return DISCOVERY_PROVIDER_NAME;
  }

  protected async entities(): Promise<DeferredEntity[] | undefined> {
    const answer = await this.#read();
    if (answer.enabled && answer.catalogError) {
      // Without the catalog's view the candidates may double entities
      // registered elsewhere: keep what was emitted until the next run.
      this.logger.warn(
        `${DISCOVERY_PROVIDER_NAME}: not refreshed, ${answer.catalogError}`,
      );
      return undefined;
    }
    if (answer.enabled && !answer.refreshedAt) return undefined; // no run yet
    return discoveredEntities(answer);
  }

  async #read(): Promise<RestModels.DiscoveredDatabases> {
    // The route is open to service principals.
    const response = await this.client.listDiscoveredDatabases({
      token: await this.pluginToken(),
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
