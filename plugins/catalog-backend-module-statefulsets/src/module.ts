/*
 * The catalog backend module: registers the provider of generated database
 * entities, refreshed by the scheduler right at start and then every few
 * seconds, so an applied database appears in the catalog within seconds;
 * and, when configured on, the provider of discovered databases.
 */
import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { catalogProcessingExtensionPoint } from '@backstage/plugin-catalog-node';
import { DiscoveredEntityProvider } from './DiscoveredEntityProvider';
import { GeneratedEntityProvider } from './GeneratedEntityProvider';

/**
 * Adds the `multicluster-statefulsets-generated` entity provider to the
 * catalog, and `multicluster-statefulsets-discovery` when
 * `catalog.providers.multiclusterStatefulsets.discovery.enabled` is true.
 */
export const catalogModuleMulticlusterStatefulsets = createBackendModule({
  pluginId: 'catalog',
  moduleId: 'multicluster-statefulsets',
  register(reg) {
    reg.registerInit({
      deps: {
        catalog: catalogProcessingExtensionPoint,
        config: coreServices.rootConfig,
        discovery: coreServices.discovery,
        auth: coreServices.auth,
        logger: coreServices.logger,
        scheduler: coreServices.scheduler,
      },
      async init({ catalog, config, discovery, auth, logger, scheduler }) {
        const seconds =
          config.getOptionalNumber(
            'catalog.providers.multiclusterStatefulsets.frequencySeconds',
          ) ?? 5;
        catalog.addEntityProvider(
          GeneratedEntityProvider.create({
            discovery,
            auth,
            logger,
            schedule: scheduler.createScheduledTaskRunner({
              frequency: { seconds },
              timeout: { seconds: 30 },
              initialDelay: { seconds: 0 },
              // Every replica may refresh: a full mutation is idempotent.
              scope: 'local',
            }),
          }),
        );
        const discovered = config.getOptionalConfig(
          'catalog.providers.multiclusterStatefulsets.discovery',
        );
        if (discovered?.getOptionalBoolean('enabled')) {
          const every = discovered.getOptionalNumber('frequencySeconds') ?? 60;
          catalog.addEntityProvider(
            DiscoveredEntityProvider.create({
              discovery,
              auth,
              logger,
              schedule: scheduler.createScheduledTaskRunner({
                frequency: { seconds: every },
                timeout: { seconds: 60 },
                initialDelay: { seconds: 0 },
                scope: 'local',
              }),
            }),
          );
        }
      },
    });
  },
});
