/*
 * `GET /discovery/databases`: the candidates of the last discovery run, for
 * the catalog provider (a service principal) and the "Not in the catalog
 * yet" page (a user holding the discovery read permission). Never
 * unauthenticated, and nothing of the clusters' credentials is in it.
 */
import {
  HttpAuthService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { NotAllowedError } from '@backstage/errors';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { discoveryReadPermission } from '@multicluster/backstage-plugin-statefulsets-common';
import express from 'express';
import { createValidatedRouter } from '../schema/openapi';
import { DatabaseDiscovery } from './DatabaseDiscovery';

/** Mounts the discovery route; the plugin adds the router to its httpRouter. */
export async function createDiscoveryRouter(options: {
  discovery: Pick<DatabaseDiscovery, 'current'>;
  httpAuth: HttpAuthService;
  permissions: PermissionsService;
}): Promise<express.Router> {
  const { discovery, httpAuth, permissions } = options;
  const router = await createValidatedRouter({ jsonLimit: '1kb' });
  router.get('/discovery/databases', async (req, res) => {
    const credentials = await httpAuth.credentials(req, {
      allow: ['user', 'service'],
    });
    const [decision] = await permissions.authorize(
      [{ permission: discoveryReadPermission }],
      { credentials },
    );
    if (decision.result !== AuthorizeResult.ALLOW) {
      throw new NotAllowedError('Not allowed to read discovered databases');
    }
    res.setHeader('Cache-Control', 'private, no-cache');
    res.json(discovery.current());
  });
  return router;
}
