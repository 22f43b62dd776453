// The one timestamp format controllers write into objects.

/** RFC 3339 to the second, as the API server writes timestamps (no millis). */
export function isoSeconds(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z');
}
