/*
 * Retry delays for failing informers: exponential with full jitter, so many
 * informers failing together do not retry in lockstep.
 */

/** Delay before retry number `attempt` (0-based). */
export function backoffDelay(
  attempt: number,
  options: { initialMs: number; maxMs: number },
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(
    options.maxMs,
    options.initialMs * 2 ** Math.min(attempt, 30),
  );
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}
