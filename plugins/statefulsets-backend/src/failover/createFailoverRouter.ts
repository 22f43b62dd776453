/*
 * The failover REST API, mounted by the plugin router: plan (dry run),
 * start a run, list an entity's runs, read one run with its journal. Every
 * route authenticates, checks the entity-scoped permission and, for plan and
 * execute, writes an audit event; the work itself is the engine's.
 */
import {
  AuditorService,
  BackstageCredentials,
  HttpAuthService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { stringifyEntityRef } from '@backstage/catalog-model';
import { InputError, NotAllowedError, NotFoundError } from '@backstage/errors';
import {
  AuthorizeResult,
  BasicPermission,
  ResourcePermission,
} from '@backstage/plugin-permission-common';
import {
  EntityTopology,
  FAILOVER_MODES,
  failoverExecutePermission,
  FailoverMode,
  topologyReadPermission,
} from '@multicluster/backstage-plugin-statefulsets-common';
import express from 'express';
import Router from 'express-promise-router';
import { DatabaseFailoverStore } from './DatabaseFailoverStore';
import { FailoverEngine } from './FailoverEngine';

/** What the failover router needs. */
export interface FailoverRouterOptions {
  engine: Pick<FailoverEngine, 'plan' | 'start'>;
  store: Pick<DatabaseFailoverStore, 'listRuns' | 'getRunDetails'>;
  /** Reads the entity's current topology (the TopologyService). */
  topology: {
    getTopology(
      entityRef: string,
      credentials: BackstageCredentials,
    ): Promise<{ topology: EntityTopology }>;
  };
  httpAuth: HttpAuthService;
  permissions: PermissionsService;
  auditor: AuditorService;
}

const BASE = '/entities/:kind/:namespace/:name/failover';

function entityRefOf(req: express.Request): string {
  return stringifyEntityRef({
    kind: req.params.kind,
    namespace: req.params.namespace,
    name: req.params.name,
  });
}

function actorOf(credentials: BackstageCredentials): string {
  const p = credentials.principal as {
    userEntityRef?: string;
    subject?: string;
  };
  return p.userEntityRef ?? p.subject ?? 'unknown';
}

function readBody(body: unknown): {
  targetCluster: string;
  mode: FailoverMode;
  raw: Record<string, unknown>;
} {
  if (!body || typeof body !== 'object' || Array.isArray(body)) {
    throw new InputError('body: expected a JSON object');
  }
  const raw = body as Record<string, unknown>;
  if (typeof raw.targetCluster !== 'string' || !raw.targetCluster.trim()) {
    throw new InputError('targetCluster: required, the cluster to move to');
  }
  if (!FAILOVER_MODES.includes(raw.mode as FailoverMode)) {
    throw new InputError(`mode: must be one of ${FAILOVER_MODES.join(', ')}`);
  }
  return {
    targetCluster: raw.targetCluster.trim(),
    mode: raw.mode as FailoverMode,
    raw,
  };
}

/** Creates the failover routes, relative to the plugin's base path. */
export async function createFailoverRouter(
  options: FailoverRouterOptions,
): Promise<express.Router> {
  const { engine, store, topology, httpAuth, permissions, auditor } = options;
  const router = Router();
  router.use(express.json());

  const authorize = async (
    credentials: BackstageCredentials,
    permission: BasicPermission | ResourcePermission,
    entityRef: string,
  ) => {
    const [decision] = await permissions.authorize(
      [{ permission, resourceRef: entityRef } as any],
      { credentials },
    );
    if (decision.result !== AuthorizeResult.ALLOW) {
      throw new NotAllowedError(
        `Not allowed: ${permission.name} on ${entityRef}`,
      );
    }
  };

  const loadTopology = async (
    entityRef: string,
    credentials: BackstageCredentials,
    targetCluster: string,
  ) => {
    const { topology: t } = await topology.getTopology(entityRef, credentials);
    if (!t.clusters.some(c => c.name === targetCluster)) {
      throw new InputError(
        `targetCluster: unknown cluster "${targetCluster}" (known: ${t.clusters
          .map(c => c.name)
          .join(', ')})`,
      );
    }
    return t;
  };

  router.post(`${BASE}/plan`, async (req, res) => {
    const credentials = await httpAuth.credentials(req, {
      allow: ['user', 'service'],
    });
    const entityRef = entityRefOf(req);
    const event = await auditor.createEvent({
      eventId: 'failover-plan',
      severityLevel: 'medium',
      request: req,
      meta: { entityRef },
    });
    try {
      await authorize(credentials, failoverExecutePermission, entityRef);
      const { targetCluster, mode } = readBody(req.body);
      const t = await loadTopology(entityRef, credentials, targetCluster);
      const plan = await engine.plan({ topology: t, targetCluster, mode });
      await event.success({
        meta: { targetCluster, mode, allowed: plan.allowed },
      });
      res.json(plan);
    } catch (error) {
      await event.fail({ error: error as Error });
      throw error;
    }
  });

  router.post(`${BASE}/runs`, async (req, res) => {
    const credentials = await httpAuth.credentials(req, {
      allow: ['user', 'service'],
    });
    const entityRef = entityRefOf(req);
    const event = await auditor.createEvent({
      eventId: 'failover-execute',
      severityLevel: 'high',
      request: req,
      meta: { entityRef },
    });
    try {
      await authorize(credentials, failoverExecutePermission, entityRef);
      const { targetCluster, mode, raw } = readBody(req.body);
      if (raw.confirm !== req.params.name) {
        throw new InputError(
          `confirm: type the entity name "${req.params.name}" to confirm`,
        );
      }
      if (raw.force !== undefined && typeof raw.force !== 'boolean') {
        throw new InputError('force: must be a boolean');
      }
      if (mode === 'failover' && raw.force !== true) {
        throw new InputError(
          'force: an emergency failover may lose data and needs force: true',
        );
      }
      const t = await loadTopology(entityRef, credentials, targetCluster);
      const run = await engine.start({
        topology: t,
        targetCluster,
        mode,
        force: raw.force === true,
        actor: actorOf(credentials),
      });
      await event.success({
        meta: { runId: run.id, targetCluster, mode, force: raw.force === true },
      });
      res.status(202).json({ id: run.id });
    } catch (error) {
      await event.fail({ error: error as Error });
      throw error;
    }
  });

  router.get(`${BASE}/runs`, async (req, res) => {
    const credentials = await httpAuth.credentials(req, {
      allow: ['user', 'service'],
    });
    const entityRef = entityRefOf(req);
    await authorize(credentials, topologyReadPermission, entityRef);
    res.json({ items: await store.listRuns(entityRef) });
  });

  router.get(`${BASE}/runs/:id`, async (req, res) => {
    const credentials = await httpAuth.credentials(req, {
      allow: ['user', 'service'],
    });
    const entityRef = entityRefOf(req);
    await authorize(credentials, topologyReadPermission, entityRef);
    const run = await store.getRunDetails(req.params.id);
    if (run.entityRef !== entityRef) {
      throw new NotFoundError(
        `No failover run ${req.params.id} for ${entityRef}`,
      );
    }
    res.json(run);
  });

  return router;
}
