/*
 * The HTTP surface: the generated, validated OpenAPI router with one thin
 * handler per operation. Authentication, authorisation and conditional
 * requests are handled here; everything else is the TopologyService's.
 */
import {
  HttpAuthService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { NotAllowedError } from '@backstage/errors';
import { kubernetesClustersReadPermission } from '@backstage/plugin-kubernetes-common';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import express from 'express';
import { createValidatedRouter } from '../schema/openapi';
import { authorizeEntityRead } from './authorizeEntityRead';
import { etagMatches } from './etag';
import { TopologyService } from './TopologyService';

/** Creates the plugin's router. */
export async function createRouter(options: {
  topology: TopologyService;
  httpAuth: HttpAuthService;
  permissions: PermissionsService;
}): Promise<express.Router> {
  const { topology, httpAuth, permissions } = options;
  // Topology routes take no body; a small limit refuses anything else cheaply.
  const router = await createValidatedRouter({ jsonLimit: '16kb' });

  router.get('/entities/:kind/:namespace/:name/topology', async (req, res) => {
    const startedAt = Date.now();
    const { credentials, entityRef } = await authorizeEntityRead(
      req,
      { httpAuth, permissions },
      'topology',
    );
    const result = await topology.getTopology(entityRef, credentials, {
      startedAt,
    });
    res.setHeader('ETag', result.etag);
    res.setHeader('Cache-Control', 'private, no-cache');
    if (etagMatches(req.header('if-none-match'), result.etag)) {
      res.status(304).end();
      return;
    }
    res.json(result.topology);
  });

  router.get('/clusters', async (req, res) => {
    const credentials = await httpAuth.credentials(req, {
      allow: ['user', 'service'],
    });
    // The same permission guards the official plugin's cluster list.
    const [decision] = await permissions.authorize(
      [{ permission: kubernetesClustersReadPermission }],
      { credentials },
    );
    if (decision.result !== AuthorizeResult.ALLOW) {
      throw new NotAllowedError('Not allowed to list Kubernetes clusters');
    }
    res.json({ items: topology.listClusters() });
  });

  return router;
}
