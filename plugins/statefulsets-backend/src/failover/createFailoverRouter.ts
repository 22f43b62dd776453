/*
 * The failover REST API, mounted by the plugin router: plan (dry run),
 * start a run, list an entity's runs, read one run with its journal. The
 * shape of every request is validated against openapi.yaml before a handler
 * runs; every route authenticates and hands the request to FailoverRequests,
 * which holds the rules (writer, entity-scoped permission, confirmation,
 * force, audit event) that the actions registry's actions obey as well.
 * Plan and execute act for a signed-in user: a service principal is refused
 * unless `multiclusterStatefulsets.writers.allowedServices` names it.
 */
import { HttpAuthService } from '@backstage/backend-plugin-api';
import { stringifyEntityRef } from '@backstage/catalog-model';
import express from 'express';
import { createValidatedRouter, EntityPathParams } from '../schema/openapi';
import { FailoverRequests, FailoverRequestsOptions } from './FailoverRequests';

/** What the failover router needs: the request rules' options and HTTP authentication. */
export interface FailoverRouterOptions extends FailoverRequestsOptions {
  httpAuth: HttpAuthService;
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

/** Creates the failover routes, relative to the plugin's base path. */
export async function createFailoverRouter(
  options: FailoverRouterOptions,
): Promise<express.Router> {
  const { httpAuth } = options;
  const requests = FailoverRequests.create(options);
  const router = await createValidatedRouter({
    jsonLimit: FAILOVER_JSON_LIMIT,
    httpAuth,
  });
  const callerOf = async (req: express.Request) => ({
    credentials: await httpAuth.credentials(req, {
      allow: ['user', 'service'],
    }),
    request: req,
  });

  router.post(
    '/entities/:kind/:namespace/:name/failover/plan',
    async (req, res) => {
      const caller = await callerOf(req);
      res.json(await requests.plan(entityRefOf(req.params), req.body, caller));
    },
  );

  router.post(
    '/entities/:kind/:namespace/:name/failover/runs',
    async (req, res) => {
      const caller = await callerOf(req);
      const run = await requests.start(
        entityRefOf(req.params),
        req.body,
        caller,
      );
      res.status(202).json({ id: run.id });
    },
  );

  router.get(
    '/entities/:kind/:namespace/:name/failover/runs',
    async (req, res) => {
      const caller = await callerOf(req);
      res.json({
        items: await requests.listRuns(entityRefOf(req.params), caller),
      });
    },
  );

  router.get(
    '/entities/:kind/:namespace/:name/failover/runs/:id',
    async (req, res) => {
      const caller = await callerOf(req);
      res.json(
        await requests.getRun(entityRefOf(req.params), req.params.id, caller),
      );
    },
  );

  return router;
}
