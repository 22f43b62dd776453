/*
 * Polling for tests: a probe is asked again until it gives a value; a probe
 * that throws counts as "not yet", and its last error is named if time runs
 * out.
 */

/** How long and how often `waitFor` asks, and what it waits for. */
export interface WaitOptions {
  /** Give up after this long (default 10 s). */
  timeoutMs?: number;
  /** Pause between two probes (default 50 ms). */
  intervalMs?: number;
  /** What is awaited, for the error. */
  what?: string;
}

/** Resolves with the first value `probe` gives other than undefined. */
export async function waitFor<T>(
  probe: () => Promise<T | undefined>,
  options: WaitOptions | number = {},
): Promise<T> {
  const {
    timeoutMs = 10_000,
    intervalMs = 50,
    what = 'condition',
  } = typeof options === 'number' ? { timeoutMs: options } : options;
  const end = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (e) {
      last = e;
    }
    if (Date.now() > end) {
      const cause = last
        ? ` (last error: ${(last as Error).message ?? last})`
        : '';
      throw new Error(`${what} not reached within ${timeoutMs} ms${cause}`);
    }
    await new Promise(r => setTimeout(r, intervalMs));
  }
}
