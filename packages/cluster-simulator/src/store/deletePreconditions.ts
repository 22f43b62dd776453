/*
 * DeleteOptions preconditions: a delete that names the uid or
 * resourceVersion it expects fails with 409 when the object has moved on,
 * so a client never deletes a successor it has not seen.
 */
import type { KubeObject } from '../controllers/types';
import { ApiError } from '../api/status';

/** What a delete may require of the object it removes. */
export interface DeletePreconditions {
  preconditionRv?: string;
  preconditionUid?: string;
}

/** Throws the 409 kube-apiserver answers when a precondition fails. */
export function checkDeletePreconditions(
  old: KubeObject,
  opts: DeletePreconditions,
): void {
  if (opts.preconditionUid && opts.preconditionUid !== old.metadata.uid) {
    throw new ApiError(
      409,
      'Conflict',
      `Precondition failed: UID in precondition: ${opts.preconditionUid}, UID in object meta: ${old.metadata.uid}`,
    );
  }
  if (
    opts.preconditionRv &&
    opts.preconditionRv !== old.metadata.resourceVersion
  ) {
    throw new ApiError(
      409,
      'Conflict',
      `Precondition failed: ResourceVersion in precondition: ${opts.preconditionRv}, ResourceVersion in object meta: ${old.metadata.resourceVersion}`,
    );
  }
}
