/*
 * The `multicluster-statefulsets` backend plugin: wires core services, the
 * extension point and the signals service to the services in ./service and
 * ./cluster. No logic lives here.
 */
import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import {
  actionsRegistryServiceRef,
  metricsServiceRef,
} from '@backstage/backend-plugin-api/alpha';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { AuthenticationStrategy } from '@backstage/plugin-kubernetes-node';
import { notificationService } from '@backstage/plugin-notifications-node';
import { signalsServiceRef } from '@backstage/plugin-signals-node';
import {
  multiclusterStatefulsetsPermissions,
  OPERATOR_CONVENTIONS,
} from '@multicluster/backstage-plugin-statefulsets-common';
import {
  CloudNativePgProvider,
  ElasticsearchCcrProvider,
  GenericStatefulSetProvider,
  isFailoverReplicationProvider,
  isFailoverTrafficRouter,
  IstioTrafficRouter,
  multiclusterStatefulsetsAuthStrategyExtensionPoint,
  multiclusterStatefulsetsExtensionPoint,
  KafkaMirrorMakerProvider,
  StrimziMirrorMakerProvider,
  MongoReplicaSetProvider,
  MySqlGtidProvider,
  PerconaXtraDbProvider,
  NoneTrafficRouter,
  PostgresStreamingProvider,
  ReplicationProvider,
  ServiceExportTrafficRouter,
  TrafficRouter,
} from '@multicluster/backstage-plugin-statefulsets-node';
import {
  clusterAuthProblems,
  createAuthStrategy,
} from './cluster/createAuthStrategy';
import { ClusterConnection } from './cluster/ClusterConnection';
import { ClusterWatchCache } from './cluster/ClusterWatchCache';
import {
  readClusterConfig,
  readPluginOptions,
} from './cluster/readClusterConfig';
import {
  ApplyService,
  createApplyRouter,
  DatabaseGeneratedEntityStore,
} from './apply';
import {
  ClusterDiscoveryReader,
  createDiscoveryRouter,
  DatabaseDiscovery,
  readDiscoveryConfig,
} from './discovery';
import { buildFailover } from './failover';
import { registerDatabaseActions } from './actions/registerDatabaseActions';
import {
  createLagHistoryRouter,
  LagHistory,
  LagSource,
  EngineLinksReplicationProvider,
  LagSourceReplicationProvider,
  OncePerContextEngineRoles,
  PrometheusEngineRoles,
  PrometheusLagSource,
  readLagHistoryOptions,
  readPrometheusConfig,
  withLagSources,
} from './lag';
import { OwnerNotifier } from './notifications';
import { createRouter } from './service/createRouter';
import { TopologyService } from './service/TopologyService';
import { StatefulsetsMetrics } from './service/metrics';
import { readAllowedWriterServices } from './service/writerPrincipal';
import { createWriteIdentityResolver } from './cluster/writeIdentity';

/** Multi-cluster StatefulSets backend plugin. */
export const multiclusterStatefulsetsPlugin = createBackendPlugin({
  pluginId: 'multicluster-statefulsets',
  register(env) {
    const replicationProviders: ReplicationProvider[] = [];
    const trafficRouters: TrafficRouter[] = [];
    const authStrategies = new Map<string, AuthenticationStrategy>();
    const addedLagSources: LagSource[] = [];
    env.registerExtensionPoint(multiclusterStatefulsetsExtensionPoint, {
      addReplicationProvider(...providers) {
        replicationProviders.push(...providers);
      },
      addTrafficRouter(...routers) {
        trafficRouters.push(...routers);
      },
      addLagSource(...sources) {
        addedLagSources.push(...sources);
      },
    });
    env.registerExtensionPoint(
      multiclusterStatefulsetsAuthStrategyExtensionPoint,
      {
        addAuthStrategy(key, strategy) {
          if (!/^[A-Za-z][\w-]*$/.test(key)) {
            throw new Error(
              `Auth strategy key '${key}' is not a valid authProvider name: use letters, digits, '-' and '_', starting with a letter`,
            );
          }
          authStrategies.set(key, strategy);
        },
      },
    );

    env.registerInit({
      deps: {
        config: coreServices.rootConfig,
        logger: coreServices.logger,
        httpRouter: coreServices.httpRouter,
        httpAuth: coreServices.httpAuth,
        permissions: coreServices.permissions,
        permissionsRegistry: coreServices.permissionsRegistry,
        cache: coreServices.cache,
        scheduler: coreServices.scheduler,
        lifecycle: coreServices.lifecycle,
        database: coreServices.database,
        auditor: coreServices.auditor,
        userInfo: coreServices.userInfo,
        auth: coreServices.auth,
        catalog: catalogServiceRef,
        signals: signalsServiceRef,
        metrics: metricsServiceRef,
        actionsRegistry: actionsRegistryServiceRef,
        // Has a default factory: without the notifications backend the
        // plugin still starts, and sends fail with a logged warning.
        notifications: notificationService,
      },
      async init(deps) {
        const options = readPluginOptions(deps.config);
        const strategy = createAuthStrategy({
          config: deps.config,
          logger: deps.logger,
          added: authStrategies,
        });
        const clusterConfigs = readClusterConfig(deps.config);
        for (const problem of clusterAuthProblems(
          clusterConfigs.flatMap(c => [
            c.details,
            ...(c.write ? [c.write] : []),
          ]),
          strategy,
        )) {
          deps.logger.error(`Cluster auth: ${problem}`);
        }
        const connections = ClusterConnection.createAll(
          clusterConfigs,
          strategy,
        );
        const clusters = connections.map(connection =>
          ClusterWatchCache.create({
            connection,
            options,
            logger: deps.logger,
          }),
        );
        deps.logger.info(
          `Serving the topology of ${clusters.length} configured cluster(s)`,
        );
        const prometheus = readPrometheusConfig(deps.config);
        const prometheusLag =
          prometheus &&
          PrometheusLagSource.create({ ...prometheus, logger: deps.logger });
        if (prometheusLag) {
          deps.logger.info(
            `Replication lag from Prometheus for ${prometheusLag
              .engines()
              .join(', ')}`,
          );
        }
        // Modules' sources first, in the order added, then Prometheus.
        const lagSources = [
          ...addedLagSources,
          ...(prometheusLag ? [prometheusLag] : []),
        ];
        // The engine's roles, read once per topology for the clusters'
        // roles and the links' direction.
        const engineRoles = prometheusLag
          ? new OncePerContextEngineRoles(
              new PrometheusEngineRoles(prometheusLag),
            )
          : undefined;
        const withLagSource = (p: ReplicationProvider) =>
          withLagSources(
            engineRoles
              ? new EngineLinksReplicationProvider(p, engineRoles)
              : p,
            lagSources,
            (inner, source) => new LagSourceReplicationProvider(inner, source),
          );

        // One instance per provider and router serves the topology and the
        // failover: the modules' first, in the order added, then the
        // built-in ones.
        const providers = [
          ...replicationProviders,
          new CloudNativePgProvider(),
          // Ahead of the MySQL one: a PXC site's StatefulSets are mysql too.
          new PerconaXtraDbProvider(),
          new MySqlGtidProvider(),
          new MongoReplicaSetProvider(),
          new KafkaMirrorMakerProvider(),
          new StrimziMirrorMakerProvider(),
          new ElasticsearchCcrProvider(),
          new PostgresStreamingProvider(),
          new GenericStatefulSetProvider(),
        ];
        const routers = [
          ...trafficRouters,
          new IstioTrafficRouter(),
          new ServiceExportTrafficRouter(),
          new NoneTrafficRouter(),
        ];
        const metrics = StatefulsetsMetrics.create(deps.metrics);
        // Every link's recent lag, for the lag charts where Prometheus has
        // no history of the link or fails.
        const lagHistory = LagHistory.create(
          readLagHistoryOptions(deps.config),
        );
        const notifier = OwnerNotifier.fromConfig(deps.config, {
          notifications: deps.notifications,
          logger: deps.logger,
          clusters: () => clusters.map(c => c.health()),
        });
        const topology = TopologyService.create({
          onTopology: t => {
            lagHistory.record(t.entityRef, t.replication);
            return notifier?.topologyComputed(t);
          },
          metrics,
          clusters,
          catalog: deps.catalog,
          cache: deps.cache,
          signals: deps.signals,
          logger: deps.logger,
          options,
          replicationProviders: providers.map(withLagSource),
          trafficRouters: routers,
          engineRoles,
        });

        deps.permissionsRegistry.addPermissions(
          multiclusterStatefulsetsPermissions,
        );

        // Discovery runs once as the backend starts, off the request path and
        // without holding the start-up, then again on a slow timer.
        deps.lifecycle.addStartupHook(() => {
          topology
            .discoverAll()
            .catch(err => deps.logger.warn(`Discovery failed: ${err}`));
        });
        await deps.scheduler.scheduleTask({
          id: 'multicluster-statefulsets-discovery',
          frequency: { minutes: 5 },
          timeout: { minutes: 1 },
          initialDelay: { minutes: 5 },
          scope: 'local',
          fn: () => topology.discoverAll(),
        });
        await deps.scheduler.scheduleTask({
          id: 'multicluster-statefulsets-idle-sweep',
          frequency: { minutes: 1 },
          timeout: { seconds: 30 },
          initialDelay: { minutes: 1 },
          scope: 'local',
          fn: async () => topology.sweepIdle(),
        });
        deps.lifecycle.addShutdownHook(() => topology.close());
        if (notifier) {
          // Every replica looks: each tells what it observed, and the
          // notification's scope folds a repeat into one notification.
          await deps.scheduler.scheduleTask({
            id: 'multicluster-statefulsets-owner-notifications',
            frequency: { milliseconds: notifier.checkIntervalMs },
            timeout: { seconds: 30 },
            initialDelay: { milliseconds: notifier.checkIntervalMs },
            scope: 'local',
            fn: () => notifier.check(),
          });
        }
        if (lagSources.length > 0) {
          // Lag and engine roles read from outside the clusters change
          // without any object changing in the clusters: look again on a
          // timer so open pages follow them.
          const refresh = { seconds: prometheus?.refreshSeconds ?? 10 };
          await deps.scheduler.scheduleTask({
            id: 'multicluster-statefulsets-lag-refresh',
            frequency: refresh,
            timeout: { seconds: 30 },
            initialDelay: refresh,
            scope: 'local',
            fn: () => topology.refreshWatched(),
          });
        }

        // Applying generated manifests and feeding their entities to the
        // catalog. Mounted before the topology router, whose JSON body limit
        // is too small for a large manifest set.
        const generatedEntities = await DatabaseGeneratedEntityStore.create({
          database: deps.database,
        });
        const apply = ApplyService.create({
          connections,
          store: generatedEntities,
          logger: deps.logger,
          timeoutMs: 15_000,
          catalog: deps.catalog,
          writeIdentity: createWriteIdentityResolver({
            config: deps.config,
            userInfo: deps.userInfo,
          }),
        });
        deps.httpRouter.use(
          await createApplyRouter({
            apply,
            httpAuth: deps.httpAuth,
            permissions: deps.permissions,
            auditor: deps.auditor,
            userInfo: deps.userInfo,
            allowedWriterServices: readAllowedWriterServices(deps.config),
          }),
        );

        deps.httpRouter.use(
          await createRouter({
            topology,
            httpAuth: deps.httpAuth,
            permissions: deps.permissions,
          }),
        );

        // Databases in several clusters that no entity owns yet, for the
        // catalog provider and the "Not in the catalog yet" page.
        const discoveryOptions = readDiscoveryConfig(deps.config);
        const databaseDiscovery = DatabaseDiscovery.create({
          readers: discoveryOptions.enabled
            ? connections.map(
                connection =>
                  new ClusterDiscoveryReader({
                    connection,
                    options,
                    logger: deps.logger,
                  }),
              )
            : [],
          options: discoveryOptions,
          conventions: OPERATOR_CONVENTIONS,
          catalog: deps.catalog,
          auth: deps.auth,
          logger: deps.logger,
        });
        deps.httpRouter.use(
          await createDiscoveryRouter({
            discovery: databaseDiscovery,
            httpAuth: deps.httpAuth,
            permissions: deps.permissions,
          }),
        );
        if (databaseDiscovery.enabled) {
          deps.logger.info(
            `Discovering databases every ${discoveryOptions.frequencySeconds} s`,
          );
          await deps.scheduler.scheduleTask({
            id: 'multicluster-statefulsets-database-discovery',
            frequency: { seconds: discoveryOptions.frequencySeconds },
            timeout: {
              seconds: Math.max(30, discoveryOptions.frequencySeconds),
            },
            // No initial delay: the first run starts with the backend.
            // Each replica answers the route from its own last run.
            scope: 'local',
            fn: () => databaseDiscovery.run(),
          });
          deps.lifecycle.addShutdownHook(() => databaseDiscovery.close());
        }

        const failover = await buildFailover({
          config: deps.config,
          connections,
          database: deps.database,
          logger: deps.logger,
          auditor: deps.auditor,
          httpAuth: deps.httpAuth,
          permissions: deps.permissions,
          topology,
          providers: providers.filter(isFailoverReplicationProvider),
          routers: routers.filter(isFailoverTrafficRouter),
          lagSources,
          userInfo: deps.userInfo,
          metrics,
          scheduler: deps.scheduler,
          onRunEnded: notifier && (run => notifier.runEnded(run)),
        });
        deps.httpRouter.use(failover.router);
        // The same reads and failover rules as actions, for agents (MCP).
        registerDatabaseActions({
          actionsRegistry: deps.actionsRegistry,
          requests: failover.requests,
          topology,
          permissions: deps.permissions,
        });
        deps.httpRouter.use(
          await createLagHistoryRouter({
            topology,
            runs: failover.store,
            history: lagHistory,
            sampleIntervalSeconds: lagHistory.sampleIntervalSeconds,
            rangeSources: prometheusLag ? [prometheusLag] : [],
            httpAuth: deps.httpAuth,
            permissions: deps.permissions,
          }),
        );
        // A backend killed mid-run picks its runs up again when it starts;
        // from then on the engine's scheduled task looks again.
        deps.lifecycle.addStartupHook(async () => {
          await failover.engine.resumeInterrupted();
        });
        deps.lifecycle.addShutdownHook(() => failover.engine.stop());
        await deps.scheduler.scheduleTask({
          id: 'multicluster-statefulsets-failover-deferred-fences',
          frequency: { seconds: 30 },
          timeout: { seconds: 25 },
          initialDelay: { seconds: 30 },
          // On one replica at a time. Each fence is also claimed in the
          // database, since every replica retries them once at start-up.
          scope: 'global',
          fn: () => failover.engine.retryDeferred(),
        });
      },
    });
  },
});
