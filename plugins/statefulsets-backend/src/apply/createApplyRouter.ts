/*
 * HTTP routes of the apply flow: `POST /apply` (the scaffolder action's
 * server-side apply, guarded by the deploy permission, for a user or an
 * allowed writer service, audited object by object) and
 * `GET /generated-entities` (the catalog provider's feed, services only).
 * Request shapes are validated against openapi.yaml before a handler runs.
 */
import {
  AuditorService,
  HttpAuthService,
  PermissionsService,
  UserInfoService,
} from '@backstage/backend-plugin-api';
import { NotAllowedError } from '@backstage/errors';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { deployPermission } from '@multicluster/backstage-plugin-statefulsets-common';
import express from 'express';
import { createValidatedRouter } from '../schema/openapi';
import { requireWriter } from '../service/writerPrincipal';
import { ApplyService } from './ApplyService';
import { CallerOwnership } from './entityClaim';
import { ManifestsRefusedError } from './manifestRules';
import { ApplyResponse } from './types';
import { validateApplyRequest } from './validateApplyRequest';

/** Every object of a response, written or refused, as the audit record lists it. */
function auditedObjects(response: ApplyResponse) {
  return response.results.flatMap(r => [
    ...r.objects.map(o => ({
      cluster: r.cluster,
      kind: o.kind,
      namespace: o.namespace,
      name: o.name,
      action: o.action,
    })),
    ...(r.refused ?? []).map(o => ({
      cluster: r.cluster,
      kind: o.kind,
      namespace: o.namespace,
      name: o.name,
      action: 'refused',
      reason: o.reason,
    })),
  ]);
}

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
  /**
   * Resolves a user's ownership refs (their groups). Without it a user owns
   * only entities owned by the user itself, so group-owned entities fail closed.
   */
  userInfo?: UserInfoService;
  /** Services allowed to write without a user (`readAllowedWriterServices`). */
  allowedWriterServices?: readonly string[];
}): Promise<express.Router> {
  const { apply, httpAuth, permissions, auditor, userInfo } = options;
  const allowedWriterServices = options.allowedWriterServices ?? [];
  // Generated manifest sets of many clusters exceed express' 100 kB default;
  // an anonymous caller is refused before any of it is read.
  const router = await createValidatedRouter({ jsonLimit: '10mb', httpAuth });

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
      const actor = requireWriter(credentials, allowedWriterServices);
      const request = await validateApplyRequest(
        req.body,
        apply.clusterNames(),
      );
      // A service that reached here is one the platform named as a writer.
      const caller: CallerOwnership =
        credentials.principal.type === 'user'
          ? {
              refs: userInfo
                ? (await userInfo.getUserInfo(credentials)).ownershipEntityRefs
                : [credentials.principal.userEntityRef],
            }
          : 'trusted';
      const response = await apply.apply(request, {
        actor,
        caller,
        credentials,
      });
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
        objects: auditedObjects(response),
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
      const refused =
        error instanceof ManifestsRefusedError
          ? error.violations.map(v => ({ ...v, action: 'refused' }))
          : undefined;
      await event.fail({
        error: error as Error,
        ...(refused
          ? {
              meta: {
                entityRef: req.body.entityRef,
                dryRun: req.body.dryRun === true,
                objects: refused,
              },
            }
          : {}),
      });
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
