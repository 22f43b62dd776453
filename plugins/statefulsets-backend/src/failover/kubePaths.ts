/*
 * API paths of the objects the failover engine reads and writes, and the
 * small polling helper its waits share (one place for the abort handling).
 */
import { InputError } from '@backstage/errors';
import { WorkloadRef } from '@multicluster/backstage-plugin-statefulsets-node';
import { kindSpecOf } from '../cluster/kinds';
import { resourcePath } from '../cluster/resourcePaths';

/**
 * The path of a namespaced object the topology knows the kind of; the
 * plural comes from the kinds table, never from guessing at English.
 */
export function objectPath(ref: WorkloadRef): string {
  const spec = kindSpecOf(ref.apiVersion, ref.kind);
  if (!spec || spec.clusterScoped) {
    throw new InputError(
      `No API path is known for ${ref.apiVersion} ${ref.kind}: the failover acts on StatefulSets and CloudNativePG Clusters`,
    );
  }
  return resourcePath({
    apiVersion: ref.apiVersion,
    plural: spec.plural,
    namespace: ref.namespace,
    name: ref.name,
  });
}

/** The collection path of a namespaced resource. */
export function collectionPath(
  apiVersion: string,
  namespace: string,
  plural: string,
): string {
  return resourcePath({ apiVersion, plural, namespace });
}

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
