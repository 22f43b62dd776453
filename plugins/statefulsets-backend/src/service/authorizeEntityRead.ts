/*
 * The check every read route of an entity starts with: the caller's
 * credentials (a user or a service) and the topology read permission on the
 * entity named by the path.
 */
import {
  BackstageCredentials,
  HttpAuthService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { stringifyEntityRef } from '@backstage/catalog-model';
import { NotAllowedError } from '@backstage/errors';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { topologyReadPermission } from '@multicluster/backstage-plugin-statefulsets-common';
import { Request } from 'express';

/**
 * The caller's credentials and the entity's ref, once the caller may read
 * the entity's topology; NotAllowedError naming `what` otherwise.
 */
export async function authorizeEntityRead(
  req: Request<{ kind: string; namespace: string; name: string }>,
  services: { httpAuth: HttpAuthService; permissions: PermissionsService },
  what: string,
): Promise<{ credentials: BackstageCredentials; entityRef: string }> {
  const credentials = await services.httpAuth.credentials(req, {
    allow: ['user', 'service'],
  });
  const entityRef = stringifyEntityRef({
    kind: req.params.kind,
    namespace: req.params.namespace,
    name: req.params.name,
  });
  const [decision] = await services.permissions.authorize(
    [{ permission: topologyReadPermission, resourceRef: entityRef }],
    { credentials },
  );
  if (decision.result !== AuthorizeResult.ALLOW) {
    throw new NotAllowedError(
      `Not allowed to read the ${what} of ${entityRef}`,
    );
  }
  return { credentials, entityRef };
}
