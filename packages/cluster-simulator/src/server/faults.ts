/*
 * Injected faults of a simulated cluster, as the admin API sets them, and the
 * pure decisions made from them per request.
 */

/** The faults one cluster currently suffers (all optional). */
export interface Faults {
  /** Added delay before every answer. */
  latencyMs?: number;
  /** Random extra delay, uniformly 0..jitterMs. */
  jitterMs?: number;
  /** Share (0..1) of requests answered with `errorStatus`. */
  errorRate?: number;
  /** HTTP status of injected errors (default 500). */
  errorStatus?: number;
  /** Refuse connections (the listening socket is closed). */
  down?: boolean;
  /** Accept requests and never answer. */
  hang?: boolean;
  /** Answer 200 with a body that is not valid JSON. */
  malformed?: boolean;
  /** Answer 401 to every request. */
  rejectTokens?: boolean;
}

const FIELDS: Record<keyof Faults, 'number' | 'boolean'> = {
  latencyMs: 'number',
  jitterMs: 'number',
  errorRate: 'number',
  errorStatus: 'number',
  down: 'boolean',
  hang: 'boolean',
  malformed: 'boolean',
  rejectTokens: 'boolean',
};

/** Checks a faults object from the admin API or a world file; throws with the reason. */
export function parseFaults(input: unknown): Faults {
  if (input === undefined || input === null) return {};
  if (typeof input !== 'object' || Array.isArray(input))
    throw new Error('faults must be an object');
  const out: Faults = {};
  for (const [k, v] of Object.entries(input)) {
    const type = FIELDS[k as keyof Faults];
    if (!type) throw new Error(`unknown fault "${k}"`);
    if (typeof v !== type) throw new Error(`fault "${k}" must be a ${type}`);
    (out as any)[k] = v;
  }
  if (out.errorRate !== undefined && (out.errorRate < 0 || out.errorRate > 1)) {
    throw new Error('errorRate must be between 0 and 1');
  }
  if (
    out.errorStatus !== undefined &&
    (out.errorStatus < 400 || out.errorStatus > 599)
  ) {
    throw new Error('errorStatus must be an HTTP error status (400-599)');
  }
  return out;
}

/** The delay to add to one request. */
export function delayFor(
  f: Faults,
  random: () => number = Math.random,
): number {
  return Math.max(
    0,
    (f.latencyMs ?? 0) + (f.jitterMs ? random() * f.jitterMs : 0),
  );
}

/** Whether this request gets an injected error. */
export function injectError(
  f: Faults,
  random: () => number = Math.random,
): boolean {
  return (f.errorRate ?? 0) > 0 && random() < f.errorRate!;
}

/** The Status reason upstream uses for an HTTP code. */
export function reasonFor(code: number): string {
  const reasons: Record<number, string> = {
    400: 'BadRequest',
    401: 'Unauthorized',
    403: 'Forbidden',
    404: 'NotFound',
    409: 'Conflict',
    410: 'Expired',
    422: 'Invalid',
    429: 'TooManyRequests',
    500: 'InternalError',
    503: 'ServiceUnavailable',
    504: 'Timeout',
  };
  return reasons[code] ?? 'Unknown';
}
