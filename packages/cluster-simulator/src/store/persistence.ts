/*
 * `--state-dir`: each cluster's objects saved as JSON (debounced) and loaded
 * back at start instead of the world's objects.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { KubeObject } from '../controllers/types';
import type { ClusterStore } from './ClusterStore';

interface Saved {
  cluster: string;
  resourceVersion: number;
  objects: KubeObject[];
}

function fileOf(dir: string, cluster: string): string {
  return path.join(dir, `${cluster}.json`);
}

/** The saved objects of a cluster, or undefined when there is no state yet. */
export function loadState(
  dir: string,
  cluster: string,
): KubeObject[] | undefined {
  const f = fileOf(dir, cluster);
  if (!fs.existsSync(f)) return undefined;
  const saved = JSON.parse(fs.readFileSync(f, 'utf8')) as Saved;
  if (!Array.isArray(saved.objects))
    throw new Error(`${f}: not a saved cluster state`);
  return saved.objects;
}

/** Writes a cluster's objects atomically (temp file + rename). */
export function saveState(dir: string, store: ClusterStore): void {
  fs.mkdirSync(dir, { recursive: true });
  const f = fileOf(dir, store.name);
  const body: Saved = {
    cluster: store.name,
    resourceVersion: store.resourceVersion,
    objects: store.dump(),
  };
  const tmp = `${f}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify(body));
  fs.renameSync(tmp, f);
}

/** Saves a store some time after each change; `flush` writes pending state now. */
export function persistDebounced(
  dir: string,
  store: ClusterStore,
  delayMs = 500,
): { flush(): void; stop(): void } {
  let timer: NodeJS.Timeout | undefined;
  const flush = () => {
    if (timer) clearTimeout(timer);
    timer = undefined;
    saveState(dir, store);
  };
  const unsubscribe = store.subscribe(() => {
    if (!timer) timer = setTimeout(flush, delayMs);
  });
  return {
    flush: () => {
      if (timer) flush();
    },
    stop: () => {
      if (timer) flush();
      unsubscribe();
    },
  };
}
