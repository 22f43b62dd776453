/*
 * What the user sees when there is no topology to show, with what to do:
 * which annotation to add, which permission is missing, or the error.
 */
import { EmptyState, ResponseErrorPanel } from '@backstage/core-components';
import { ResponseError } from '@backstage/errors';
import { TOPOLOGY_READ_PERMISSION_NAME } from './permissionNames';

/** The server's own message for a failed request, else the error's. */
export function serverMessage(error: Error): string {
  if (error instanceof ResponseError) {
    return error.body?.error?.message ?? error.message;
  }
  return error.message;
}

/** Turns a failed topology read into advice. */
export function ErrorState(props: { error: Error }) {
  const { error } = props;
  const status =
    error instanceof ResponseError ? error.response.status : undefined;
  if (status === 404) {
    return (
      <EmptyState
        missing="field"
        title="No multi-cluster topology for this entity"
        description={serverMessage(error)}
      />
    );
  }
  if (status === 403) {
    return (
      <EmptyState
        missing="info"
        title="You may not see this topology"
        description={`Reading it needs the permission ${TOPOLOGY_READ_PERMISSION_NAME} on this entity; ask the portal's administrators or the entity's owners.`}
      />
    );
  }
  return <ResponseErrorPanel error={error} />;
}
