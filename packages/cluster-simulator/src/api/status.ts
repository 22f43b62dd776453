/*
 * Kubernetes `Status` objects: the body of every error the API server
 * answers, built from one error class so handlers just throw.
 */

/** A cause of an Invalid (422) error, as in `details.causes`. */
export interface StatusCause {
  field?: string;
  message: string;
  reason: string;
}

/** An API error that becomes a `Status` response. */
export class ApiError extends Error {
  constructor(
    readonly code: number,
    readonly reason: string,
    message: string,
    readonly details?: {
      name?: string;
      group?: string;
      kind?: string;
      causes?: StatusCause[];
      retryAfterSeconds?: number;
    },
  ) {
    super(message);
  }

  /** The Status object this error is answered with. */
  toStatus(): Record<string, unknown> {
    return statusBody(this.code, this.reason, this.message, this.details);
  }
}

/** Builds a failure Status body. */
export function statusBody(
  code: number,
  reason: string,
  message: string,
  details?: ApiError['details'],
): Record<string, unknown> {
  return {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message,
    reason,
    ...(details ? { details } : {}),
    code,
  };
}

/** The plural resource name with group, as upstream prints it (`statefulsets.apps`). */
export function qualified(plural: string, group: string): string {
  return group ? `${plural}.${group}` : plural;
}

/** 404 for an object. */
export function notFound(
  plural: string,
  group: string,
  name: string,
  kind?: string,
): ApiError {
  return new ApiError(
    404,
    'NotFound',
    `${qualified(plural, group)} "${name}" not found`,
    {
      name,
      group: group || undefined,
      kind: kind ?? plural,
    },
  );
}

/** 409 for a create over an existing object. */
export function alreadyExists(
  plural: string,
  group: string,
  name: string,
): ApiError {
  return new ApiError(
    409,
    'AlreadyExists',
    `${qualified(plural, group)} "${name}" already exists`,
    { name, group: group || undefined, kind: plural },
  );
}

/** 409 for a write with a stale resourceVersion. */
export function conflict(
  plural: string,
  group: string,
  name: string,
): ApiError {
  return new ApiError(
    409,
    'Conflict',
    `Operation cannot be fulfilled on ${qualified(
      plural,
      group,
    )} "${name}": the object has been modified; please apply your changes to the latest version and try again`,
    { name, group: group || undefined, kind: plural },
  );
}

/** 422 with field causes. */
export function invalid(
  kind: string,
  group: string,
  name: string,
  causes: StatusCause[],
): ApiError {
  const detail = causes
    .map(c => `${c.field ? `${c.field}: ` : ''}${c.message}`)
    .join(', ');
  return new ApiError(
    422,
    'Invalid',
    `${kind}${group ? `.${group}` : ''} "${name}" is invalid: ${detail}`,
    { name, group: group || undefined, kind, causes },
  );
}

/** 400. */
export function badRequest(message: string): ApiError {
  return new ApiError(400, 'BadRequest', message);
}
