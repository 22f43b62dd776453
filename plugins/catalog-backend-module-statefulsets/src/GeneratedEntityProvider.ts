/*
 * The catalog entity provider for databases created through the Software
 * Template: it reads the entities the multi-cluster StatefulSets backend
 * stored at apply time and hands them to the catalog as one full mutation,
 * so a new database shows up without a Git host or a URL location.
 */
import { Entity } from '@backstage/catalog-model';
import { DeferredEntity } from '@backstage/plugin-catalog-node';
import { STATEFULSETS_PLUGIN_ID } from '@multicluster/backstage-plugin-statefulsets-common';
import {
  PluginFedEntityProvider,
  PluginFedEntityProviderOptions,
} from './PluginFedEntityProvider';

/** The backend plugin that stores generated entities. */
export { STATEFULSETS_PLUGIN_ID };

/** The provider name; entities it emitted are tied to it, so it never changes. */
export const PROVIDER_NAME = 'multicluster-statefulsets-generated';

const TIMEOUT_MS = 10_000;

/** Emits the entities the apply endpoint registered. */
export class GeneratedEntityProvider extends PluginFedEntityProvider {
  protected readonly feed = 'generated entities';

  /**
   * Creates the provider. With a `schedule` it refreshes itself once
   * connected; without one the caller runs `refresh()`. `fetch` is
   * replaceable for tests.
   */
  static create(
    options: PluginFedEntityProviderOptions,
  ): GeneratedEntityProvider {
    return new GeneratedEntityProvider(options);
  }

  getProviderName(): string {
    return PROVIDER_NAME;
  }

  protected async entities(): Promise<DeferredEntity[]> {
    const response = await this.client.listGeneratedEntities({
      token: await this.pluginToken(),
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
    const body = (await response.json()) as { items?: unknown };
    if (!Array.isArray(body.items)) {
      throw new Error('/generated-entities answered without an items array');
    }
    return body.items
      .map((item: { entity?: Entity }) => item.entity)
      .filter((e): e is Entity => isEntityLike(e))
      .map(entity => ({ entity, locationKey: `${PROVIDER_NAME}:` }));
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
