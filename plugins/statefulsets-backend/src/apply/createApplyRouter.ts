/*
 * HTTP routes of the apply flow: `POST /apply` (the scaffolder action's
 * server-side apply, guarded by the deploy permission and audited) and
 * `GET /generated-entities` (the catalog provider's feed, services only).
 * Request shapes are validated against openapi.yaml before a handler runs.
 */
import {
  AuditorService,
  HttpAuthService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { NotAllowedError } from '@backstage/errors';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { deployPermission } from '@multicluster/backstage-plugin-statefulsets-common';
import express from 'express';
import { createValidatedRouter } from '../schema/openapi';
import { ApplyService } from './ApplyService';
import { validateApplyRequest } from './validateApplyRequest';

/** What the routes need of the apply service. */
export type ApplyRouterService = Pick<
  ApplyService,
  'apply' | 'clusterNames' | 'listGeneratedEntities'
>;

/** Mounts the apply routes; the plugin adds the returned router to its httpRouter. */
export async function createApplyRouter(options: {
  apply: ApplyRouterService;
  httpAuth: HttpAuthService;
  permissions: PermissionsService;
  auditor: AuditorService;
}): Promise<express.Router> {
  const { apply, httpAuth, permissions, auditor } = options;
  // Generated manifest sets of many clusters exceed express' 100 kB default.
  // The plugin mounts this router first, so its parser reads every body.
  const router = await createValidatedRouter({ jsonLimit: '10mb' });

  router.post('/apply', async (req, res) => {
    const credentials = await httpAuth.credentials(req, {
      allow: ['user', 'service'],
    });
    const event = await auditor.createEvent({
      eventId: 'deploy',
      severityLevel: 'high',
      request: req,
      meta: {
        entityRef: req.body.entityRef,
        dryRun: req.body.dryRun === true,
      },
    });
    try {
      const [decision] = await permissions.authorize(
        [{ permission: deployPermission }],
        { credentials },
      );
      if (decision.result !== AuthorizeResult.ALLOW) {
        throw new NotAllowedError(
          `not allowed to deploy (${deployPermission.name})`,
        );
      }
      const request = await validateApplyRequest(
        req.body,
        apply.clusterNames(),
      );
      const actor =
        credentials.principal.type === 'user'
          ? credentials.principal.userEntityRef
          : credentials.principal.subject;
      const response = await apply.apply(request, { actor });
      const failed = response.results
        .filter(r => r.status === 'failed')
        .map(r => r.cluster);
      const meta = {
        entityRef: response.entityRef,
        dryRun: response.dryRun,
        clusters: response.results.map(r => ({
          cluster: r.cluster,
          status: r.status,
          objects: r.objects.length,
        })),
        registered: response.registered,
      };
      if (failed.length > 0) {
        await event.fail({
          meta,
          error: new Error(`apply failed in ${failed.join(', ')}`),
        });
      } else {
        await event.success({ meta });
      }
      // Per-cluster outcomes are the payload: a partial failure is a result, not an HTTP error.
      res.status(200).json(response);
    } catch (error) {
      await event.fail({ error: error as Error });
      throw error;
    }
  });

  router.get('/generated-entities', async (req, res) => {
    // Only the catalog (a service) reads this feed; users go through the catalog.
    await httpAuth.credentials(req, { allow: ['service'] });
    res.json({ items: await apply.listGeneratedEntities() });
  });

  return router;
}
