/*
 * The error every patch format throws for a patch the API server would
 * refuse, so the REST layer can answer it with the right status code.
 */

/** A patch the API server would refuse; `status` is the HTTP code to answer. */
export class PatchError extends Error {
  constructor(message: string, readonly status: number = 422) {
    super(message);
  }
}
