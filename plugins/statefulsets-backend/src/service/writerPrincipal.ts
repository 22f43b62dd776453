/*
 * Who may write: the product's writes (failover, apply, deploy) act for a
 * signed-in user. A service principal (an external-access token, another
 * plugin without `onBehalfOf`) acts with nobody's ownership, so it is refused
 * unless the platform names it in `multiclusterStatefulsets.writers.allowedServices`.
 */
import { BackstageCredentials } from '@backstage/backend-plugin-api';
import { Config } from '@backstage/config';
import { NotAllowedError } from '@backstage/errors';

/** The service subjects (e.g. `external:ci-bot`) allowed to write; none by default. */
export function readAllowedWriterServices(config: Config): string[] {
  return (
    config.getOptionalStringArray(
      'multiclusterStatefulsets.writers.allowedServices',
    ) ?? []
  );
}

/** The fields of a user or service principal this plugin reads. */
function principalOf(credentials: BackstageCredentials): {
  type?: string;
  userEntityRef?: string;
  subject?: string;
} {
  return credentials.principal as {
    type?: string;
    userEntityRef?: string;
    subject?: string;
  };
}

/** The caller's identity as audit events and refusals name it. */
export function callerOf(credentials: BackstageCredentials): string {
  const p = principalOf(credentials);
  return p.userEntityRef ?? p.subject ?? p.type ?? 'unknown';
}

/**
 * Returns the actor to record for a write, or throws 403 when the caller is a
 * service that the configuration does not allow to write.
 */
export function requireWriter(
  credentials: BackstageCredentials,
  allowedServices: readonly string[],
): string {
  const principal = principalOf(credentials);
  if (principal.type === 'user' && principal.userEntityRef) {
    return principal.userEntityRef;
  }
  if (
    principal.type === 'service' &&
    principal.subject &&
    allowedServices.includes(principal.subject)
  ) {
    return principal.subject;
  }
  const who =
    principal.type === 'service'
      ? `the service "${principal.subject ?? 'unknown'}"`
      : 'this caller';
  throw new NotAllowedError(
    `Writes act for a signed-in user; ${who} is not allowed to write. ` +
      'Call on behalf of a user, or name the service in ' +
      'multiclusterStatefulsets.writers.allowedServices.',
  );
}
