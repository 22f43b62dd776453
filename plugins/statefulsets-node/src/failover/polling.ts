/*
 * Waiting inside a failover step: a sleep and a poll that honour the run's
 * abort signal, shared by the built-in providers and available to modules.
 */

/** Resolves after `ms`, or rejects with the signal's reason when aborted first. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason ?? new Error('aborted'));
      return;
    }
    let timer: NodeJS.Timeout | undefined = undefined;
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason ?? new Error('aborted'));
    };
    timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** `promise`, or a rejection with the signal's reason as soon as it aborts. */
export function untilAborted<T>(
  promise: Promise<T>,
  signal?: AbortSignal,
): Promise<T> {
  if (!signal) return promise;
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason ?? new Error('aborted'));
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      v => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      e => {
        signal.removeEventListener('abort', onAbort);
        reject(e);
      },
    );
  });
}

/**
 * Polls `probe` until it returns a value other than undefined, or throws
 * with `describe()` once `timeoutMs` passed. Probe errors count as "not yet"
 * until the deadline, so a cluster blip does not fail a wait.
 */
export async function pollUntil<T>(
  probe: () => Promise<T | undefined>,
  options: {
    timeoutMs: number;
    intervalMs?: number;
    signal?: AbortSignal;
    describe: () => string;
  },
): Promise<T> {
  const deadline = Date.now() + options.timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      // A probe hanging on a cluster that stopped answering must not hold
      // the wait past an abort.
      const value = await untilAborted(probe(), options.signal);
      if (value !== undefined) return value;
    } catch (err) {
      if (options.signal?.aborted) throw options.signal.reason;
      lastError = err;
    }
    if (Date.now() >= deadline) {
      throw new Error(
        `${options.describe()} (gave up after ${options.timeoutMs} ms)`,
        { cause: lastError },
      );
    }
    await sleep(options.intervalMs ?? 100, options.signal);
  }
}
