/*
 * The one timestamp format the API server writes into objects and
 * managedFields: RFC 3339 in UTC, to the second.
 */

/** RFC 3339 to the second, as the API server writes timestamps (no millis). */
export function isoSeconds(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z');
}
