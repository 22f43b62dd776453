/*
 * The failover REST API, mounted by the plugin router: plan (dry run),
 * start a run, list an entity's runs, read one run with its journal. The
 * shape of every request is validated against openapi.yaml before a handler
 * runs; every route authenticates, checks the entity-scoped permission and,
 * for plan and execute, writes an audit event; the work itself is the engine's.
 * Plan and execute act for a signed-in user: a service principal is refused
 * unless `multiclusterStatefulsets.writers.allowedServices` names it.
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
  failoverExecutePermission,
  topologyReadPermission,
} from '@multicluster/backstage-plugin-statefulsets-common';
import express from 'express';
import {
  createValidatedRouter,
  EntityPathParams,
  FailoverRequestBody,
} from '../schema/openapi';
import { WriteIdentityResolver } from '../cluster/writeIdentity';
import { requireWriter } from '../service/writerPrincipal';
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
  /** The identity a run's writes act as (impersonation); none: the backend's own. */
  writeIdentity?: WriteIdentityResolver;
  /** Service subjects allowed to plan and run failovers (`readAllowedWriterServices`); none by default. */
  allowedWriterServices?: readonly string[];
}

/** Plan and run bodies are a few short fields; anything larger is refused unread. */
const FAILOVER_JSON_LIMIT = '16kb';

function entityRefOf(params: EntityPathParams): string {
  return stringifyEntityRef({
    kind: params.kind,
    namespace: params.namespace,
    name: params.name,
  });
}

/** The validated body, with the target cluster trimmed. */
function readBody<T extends FailoverRequestBody>(body: T): T {
  const targetCluster = body.targetCluster.trim();
  if (!targetCluster) {
    throw new InputError('targetCluster: required, the cluster to move to');
  }
  return { ...body, targetCluster };
}

/** Creates the failover routes, relative to the plugin's base path. */
export async function createFailoverRouter(
  options: FailoverRouterOptions,
): Promise<express.Router> {
  const { engine, store, topology, httpAuth, permissions, auditor } = options;
  const allowedServices = options.allowedWriterServices ?? [];
  const router = await createValidatedRouter({
    jsonLimit: FAILOVER_JSON_LIMIT,
    httpAuth,
  });

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

  router.post(
    '/entities/:kind/:namespace/:name/failover/plan',
    async (req, res) => {
      const credentials = await httpAuth.credentials(req, {
        allow: ['user', 'service'],
      });
      const entityRef = entityRefOf(req.params);
      const event = await auditor.createEvent({
        eventId: 'failover-plan',
        severityLevel: 'medium',
        request: req,
        meta: { entityRef },
      });
      try {
        requireWriter(credentials, allowedServices);
        await authorize(credentials, failoverExecutePermission, entityRef);
        const { targetCluster, mode } = readBody(req.body);
        const t = await loadTopology(entityRef, credentials, targetCluster);
        const plan = await engine.plan({
          topology: t,
          targetCluster,
          mode,
          writeIdentity: await options.writeIdentity?.(credentials),
        });
        await event.success({
          meta: { targetCluster, mode, allowed: plan.allowed },
        });
        res.json(plan);
      } catch (error) {
        await event.fail({ error: error as Error });
        throw error;
      }
    },
  );

  router.post(
    '/entities/:kind/:namespace/:name/failover/runs',
    async (req, res) => {
      const credentials = await httpAuth.credentials(req, {
        allow: ['user', 'service'],
      });
      const entityRef = entityRefOf(req.params);
      const event = await auditor.createEvent({
        eventId: 'failover-execute',
        severityLevel: 'high',
        request: req,
        meta: { entityRef },
      });
      try {
        const actor = requireWriter(credentials, allowedServices);
        await authorize(credentials, failoverExecutePermission, entityRef);
        const { targetCluster, mode, confirm, force, reason } = readBody(
          req.body,
        );
        if (confirm !== req.params.name) {
          throw new InputError(
            `confirm: type the entity name "${req.params.name}" to confirm`,
          );
        }
        if (mode === 'failover' && force !== true) {
          throw new InputError(
            'force: an emergency failover may lose data and needs force: true',
          );
        }
        const t = await loadTopology(entityRef, credentials, targetCluster);
        const run = await engine.start({
          topology: t,
          targetCluster,
          mode,
          force: force === true,
          reason,
          actor,
          writeIdentity: await options.writeIdentity?.(credentials),
        });
        await event.success({
          meta: {
            runId: run.id,
            targetCluster,
            mode,
            force: force === true,
            ...(run.reason ? { reason: run.reason } : {}),
          },
        });
        res.status(202).json({ id: run.id });
      } catch (error) {
        await event.fail({ error: error as Error });
        throw error;
      }
    },
  );

  router.get(
    '/entities/:kind/:namespace/:name/failover/runs',
    async (req, res) => {
      const credentials = await httpAuth.credentials(req, {
        allow: ['user', 'service'],
      });
      const entityRef = entityRefOf(req.params);
      await authorize(credentials, topologyReadPermission, entityRef);
      res.json({ items: await store.listRuns(entityRef) });
    },
  );

  router.get(
    '/entities/:kind/:namespace/:name/failover/runs/:id',
    async (req, res) => {
      const credentials = await httpAuth.credentials(req, {
        allow: ['user', 'service'],
      });
      const entityRef = entityRefOf(req.params);
      await authorize(credentials, topologyReadPermission, entityRef);
      const run = await store.getRunDetails(req.params.id);
      if (run.entityRef !== entityRef) {
        throw new NotFoundError(
          `No failover run ${req.params.id} for ${entityRef}`,
        );
      }
      res.json(run);
    },
  );

  return router;
}
