/*
 * Helpers for the plain JSON values patches work on: Kubernetes objects as
 * decoded from a request, without class instances, dates or cycles.
 */

/** A JSON object (not an array, not null). */
export const isJsonObject = (v: unknown): v is Record<string, any> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * A deep copy of a JSON value; undefined stays undefined. A JSON round trip
 * copies plain objects several times faster than structuredClone does.
 */
export const cloneJson = <T>(v: T): T =>
  v === undefined ? v : (JSON.parse(JSON.stringify(v)) as T);
