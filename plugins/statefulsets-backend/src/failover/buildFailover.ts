/*
 * Assembles the failover feature from core services: write clients for the
 * clusters configured under `kubernetes:`, the journal in the plugin's
 * database, the engine with the built-in and the modules' write-capable
 * providers and routers, and the REST routes. plugin.ts calls this once and
 * mounts the router; the engine resumes interrupted runs on start-up and
 * then on a task of the scheduler it is given.
 */
import {
  AuditorService,
  BackstageCredentials,
  DatabaseService,
  HttpAuthService,
  LoggerService,
  PermissionsService,
  RootConfigService,
  SchedulerService,
  UserInfoService,
} from '@backstage/backend-plugin-api';
import { EntityTopology } from '@multicluster/backstage-plugin-statefulsets-common';
import {
  CloudNativePgProvider,
  FailoverReplicationProvider,
  FailoverTrafficRouter,
  GenericStatefulSetProvider,
  IstioTrafficRouter,
  NoneTrafficRouter,
  ServiceExportTrafficRouter,
} from '@multicluster/backstage-plugin-statefulsets-node';
import express from 'express';
import { ClusterConnection } from '../cluster/ClusterConnection';
import { createAuthStrategy } from '../cluster/createAuthStrategy';
import {
  ConfiguredCluster,
  readClusterConfig,
  readPluginOptions,
} from '../cluster/readClusterConfig';
import {
  createWriteIdentityResolver,
  readImpersonationOptions,
} from '../cluster/writeIdentity';
import { createFailoverRouter } from './createFailoverRouter';
import { FailoverRequests, FailoverRequestsOptions } from './FailoverRequests';
import type { StatefulsetsMetrics } from '../service/metrics';
import { DatabaseFailoverStore } from './DatabaseFailoverStore';
import { FailoverEngine, FailoverEngineOptions } from './FailoverEngine';
import { HttpClusterWriteClient } from './HttpClusterWriteClient';
import { LagSource, LagSourceFailoverProvider, withLagSources } from '../lag';
import { readAllowedWriterServices } from '../service/writerPrincipal';

/** Tunables under `multiclusterStatefulsets.failover`, with defaults. */
export interface FailoverOptions {
  /** Timeout of one write to a cluster (default: the plugin's requestTimeoutMs). */
  writeTimeoutMs: number;
  /** Bound of the catch-up wait of a switchover (default 60 s). */
  catchUpTimeoutMs: number;
  /** Lease of a running run without heartbeat (default 10 s). */
  leaseMs: number;
  /** Interval of the health checks of waits (default 500 ms). */
  healthIntervalMs: number;
  /** Timeout of one health probe (default 3 s). */
  healthProbeTimeoutMs: number;
}

/** Reads the failover tunables. */
export function readFailoverOptions(
  config: RootConfigService,
): FailoverOptions {
  const c = config.getOptionalConfig('multiclusterStatefulsets.failover');
  return {
    writeTimeoutMs:
      c?.getOptionalNumber('writeTimeoutMs') ??
      readPluginOptions(config).requestTimeoutMs,
    catchUpTimeoutMs: c?.getOptionalNumber('catchUpTimeoutMs') ?? 60_000,
    leaseMs: c?.getOptionalNumber('leaseMs') ?? 10_000,
    healthIntervalMs: c?.getOptionalNumber('healthIntervalMs') ?? 500,
    healthProbeTimeoutMs: c?.getOptionalNumber('healthProbeTimeoutMs') ?? 3000,
  };
}

/** The provider, reading its lag from the lag source when there is one. */
/**
 * Says at start-up how each cluster's writes authenticate, so a platform
 * engineer can check that the `kubernetes:` entries hold read-only tokens.
 */
export function logWriteCredentials(
  clusters: ConfiguredCluster[],
  config: RootConfigService,
  logger: LoggerService,
): void {
  const how = readImpersonationOptions(config)
    ? 'impersonate the user they act for'
    : 'act with their own rights';
  for (const c of clusters) {
    const name = c.details.name;
    logger.info(
      c.write
        ? `Writes to ${name} use separate credentials (multiclusterStatefulsets.clusters.${name}.write) and ${how}`
        : `Writes to ${name} use the kubernetes: entry's credentials, which the Kubernetes plugin's proxy shares (give writes their own under multiclusterStatefulsets.clusters.${name}.write), and ${how}`,
    );
  }
}

/** The assembled failover feature. */
export interface FailoverFeature {
  engine: FailoverEngine;
  store: DatabaseFailoverStore;
  router: express.Router;
  /** The rules of plan, start and list, for the actions. */
  requests: FailoverRequests;
}

/** Builds the failover engine, journal and routes; does not start resuming runs. */
export async function buildFailover(options: {
  config: RootConfigService;
  /** The clusters' connections (plugin.ts shares its own); built from config when absent. */
  connections?: ClusterConnection[];
  database: DatabaseService;
  logger: LoggerService;
  auditor: AuditorService;
  httpAuth: HttpAuthService;
  permissions: PermissionsService;
  topology: {
    getTopology(
      entityRef: string,
      credentials: BackstageCredentials,
    ): Promise<{ topology: EntityTopology }>;
  };
  /**
   * The write-capable providers and routers, in the order they are tried
   * (plugin.ts passes the modules' ones, then the built-in ones, the same
   * instances the topology reads with); the built-in ones when absent.
   */
  providers?: FailoverReplicationProvider[];
  routers?: FailoverTrafficRouter[];
  /** Where lag is measured, when not by the providers themselves (modules' sources, then Prometheus); first match wins. */
  lagSources?: LagSource[];
  metrics?: StatefulsetsMetrics;
  /** Runs the engine's look for runs whose lease ran out (see FailoverEngine). */
  scheduler?: SchedulerService;
  /** Resolves users' groups for impersonation (`writes.impersonation`). */
  userInfo?: UserInfoService;
  /** Told each run that ended (see FailoverEngineOptions.onRunEnded). */
  onRunEnded?: FailoverEngineOptions['onRunEnded'];
}): Promise<FailoverFeature> {
  const settings = readFailoverOptions(options.config);
  const connections =
    options.connections ??
    ClusterConnection.createAll(
      readClusterConfig(options.config),
      createAuthStrategy({ config: options.config, logger: options.logger }),
    );
  logWriteCredentials(
    connections.map(c => c.cluster),
    options.config,
    options.logger,
  );
  const clients = connections.map(c =>
    HttpClusterWriteClient.on(c.writer({ timeoutMs: settings.writeTimeoutMs })),
  );
  const store = await DatabaseFailoverStore.create({
    database: options.database,
  });
  const engine = FailoverEngine.create({
    store,
    clients,
    logger: options.logger,
    auditor: options.auditor,
    leaseMs: settings.leaseMs,
    catchUpTimeoutMs: settings.catchUpTimeoutMs,
    healthIntervalMs: settings.healthIntervalMs,
    healthProbeTimeoutMs: settings.healthProbeTimeoutMs,
    metrics: options.metrics,
    scheduler: options.scheduler,
    onRunEnded: options.onRunEnded,
    providers: (
      options.providers ?? [
        new CloudNativePgProvider(),
        new GenericStatefulSetProvider(),
      ]
    ).map(p =>
      withLagSources(
        p,
        options.lagSources ?? [],
        (inner, source) => new LagSourceFailoverProvider(inner, source),
      ),
    ),
    routers: options.routers ?? [
      new IstioTrafficRouter(),
      new ServiceExportTrafficRouter(),
      new NoneTrafficRouter(),
    ],
  });
  // One set of request rules for the REST routes and the actions.
  const rules: FailoverRequestsOptions = {
    engine,
    store,
    topology: options.topology,
    permissions: options.permissions,
    auditor: options.auditor,
    allowedWriterServices: readAllowedWriterServices(options.config),
    writeIdentity: options.userInfo
      ? createWriteIdentityResolver({
          config: options.config,
          userInfo: options.userInfo,
        })
      : undefined,
  };
  const router = await createFailoverRouter({
    ...rules,
    httpAuth: options.httpAuth,
  });
  const requests = FailoverRequests.create(rules);
  return { engine, store, router, requests };
}
