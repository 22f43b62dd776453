/*
 * `GET /entities/{kind}/{namespace}/{name}/lag-history`: the lag history of
 * an entity's replication links, guarded by the topology read permission
 * like the topology itself. Reading the topology first also keeps the
 * entity watched, so this replica goes on sampling its lag.
 */
import {
  BackstageCredentials,
  HttpAuthService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import {
  EntityTopology,
  FailoverRun,
  RestModels,
} from '@multicluster/backstage-plugin-statefulsets-common';
import express from 'express';
import { createValidatedRouter } from '../schema/openapi';
import { authorizeEntityRead } from '../service/authorizeEntityRead';
import { buildLagHistory, LagRangeSource } from './buildLagHistory';
import { LagHistory } from './LagHistory';

/** What the lag history route needs. */
export interface LagHistoryRouterOptions {
  /** Reads the entity's current topology (the TopologyService). */
  topology: {
    getTopology(
      entityRef: string,
      credentials: BackstageCredentials,
    ): Promise<{ topology: EntityTopology }>;
  };
  /** The entity's failover runs (the failover store). */
  runs: { listRuns(entityRef: string): Promise<FailoverRun[]> };
  history: Pick<LagHistory, 'read'>;
  /** Seconds between two memory samples of a link. */
  sampleIntervalSeconds: number;
  /** Sources answering range queries (the configured Prometheus). */
  rangeSources: LagRangeSource[];
  httpAuth: HttpAuthService;
  permissions: PermissionsService;
  /** Milliseconds since the epoch (default Date.now). */
  now?: () => number;
}

/** Creates the lag history route, relative to the plugin's base path. */
export async function createLagHistoryRouter(
  options: LagHistoryRouterOptions,
): Promise<express.Router> {
  const { httpAuth, permissions } = options;
  const now = options.now ?? Date.now;
  const router = await createValidatedRouter({ jsonLimit: '1kb' });

  router.get(
    '/entities/:kind/:namespace/:name/lag-history',
    async (req, res) => {
      const { credentials, entityRef } = await authorizeEntityRead(
        req,
        { httpAuth, permissions },
        'lag history',
      );
      const window: RestModels.LagHistoryWindow = req.query.window ?? '1h';
      const { topology } = await options.topology.getTopology(
        entityRef,
        credentials,
      );
      const history = await buildLagHistory({
        topology,
        window,
        now: now(),
        history: options.history,
        sampleIntervalSeconds: options.sampleIntervalSeconds,
        rangeSources: options.rangeSources,
        runs: await options.runs.listRuns(topology.entityRef),
      });
      res.setHeader('Cache-Control', 'private, no-cache');
      res.json(history);
    },
  );

  return router;
}
