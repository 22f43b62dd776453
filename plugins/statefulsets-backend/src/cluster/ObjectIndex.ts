/*
 * The objects an informer holds, indexed by namespace and by label so that
 * an entity's selector is answered without scanning every object, and
 * fingerprinted so that a write that changes nothing but the
 * resourceVersion is no change.
 */
import { KubeObject } from '@multicluster/backstage-plugin-statefulsets-common';
import { LabelSelector, matchesLabels } from './labelSelector';

function fingerprint(obj: KubeObject): string {
  return JSON.stringify({
    ...obj,
    metadata: { ...obj.metadata, resourceVersion: undefined },
  });
}

function idOf(obj: KubeObject): string {
  return `${obj.metadata?.namespace ?? ''}/${obj.metadata?.name}`;
}

function addTo(index: Map<string, Set<string>>, key: string, id: string) {
  let set = index.get(key);
  if (!set) index.set(key, (set = new Set()));
  set.add(id);
}

function removeFrom(index: Map<string, Set<string>>, key: string, id: string) {
  const set = index.get(key);
  set?.delete(id);
  if (set && !set.size) index.delete(key);
}

/** One kind's objects, indexed. */
export class ObjectIndex {
  readonly #objects = new Map<string, KubeObject>();
  readonly #prints = new Map<string, string>();
  readonly #byNamespace = new Map<string, Set<string>>();
  readonly #byLabel = new Map<string, Set<string>>();

  get size(): number {
    return this.#objects.size;
  }

  /** Stores an object; `changed` is false when only its resourceVersion moved. */
  put(obj: KubeObject): { changed: boolean; before?: KubeObject } {
    const id = idOf(obj);
    const print = fingerprint(obj);
    if (this.#prints.get(id) === print) return { changed: false };
    const before = this.#objects.get(id);
    if (before) this.#unindex(id, before);
    this.#objects.set(id, obj);
    this.#prints.set(id, print);
    addTo(this.#byNamespace, obj.metadata.namespace ?? '', id);
    for (const [k, v] of Object.entries(obj.metadata.labels ?? {})) {
      addTo(this.#byLabel, `${k}=${v}`, id);
    }
    return { changed: true, before };
  }

  /** Removes an object; returns what was held, if anything. */
  remove(obj: KubeObject): KubeObject | undefined {
    const id = idOf(obj);
    const before = this.#objects.get(id);
    if (!before) return undefined;
    this.#unindex(id, before);
    this.#objects.delete(id);
    this.#prints.delete(id);
    return before;
  }

  /** Holds exactly `items` afterwards (a fresh LIST). */
  replace(items: KubeObject[]): void {
    const keep = new Set(items.map(idOf));
    for (const obj of [...this.#objects.values()]) {
      if (!keep.has(idOf(obj))) this.remove(obj);
    }
    for (const obj of items) this.put(obj);
  }

  /**
   * The objects in `namespace` (all when undefined) that match `selector`
   * (all when undefined), sorted by namespace and name.
   */
  select(namespace?: string, selector?: LabelSelector): KubeObject[] {
    let candidates: Iterable<string> | undefined;
    for (const [key, value] of selector?.equalities ?? []) {
      const ids = this.#byLabel.get(`${key}=${value}`);
      if (!ids) return [];
      if (!candidates || ids.size < (candidates as Set<string>).size) {
        candidates = ids;
      }
    }
    if (!candidates && namespace !== undefined) {
      candidates = this.#byNamespace.get(namespace) ?? [];
    }
    const found: Array<[string, KubeObject]> = [];
    for (const id of candidates ?? this.#objects.keys()) {
      const obj = this.#objects.get(id);
      if (!obj) continue;
      if (namespace !== undefined && obj.metadata.namespace !== namespace) {
        continue;
      }
      if (selector && !matchesLabels(selector, obj.metadata.labels)) continue;
      found.push([id, obj]);
    }
    // A stable order keeps the topology's ETag stable.
    found.sort((a, b) => (a[0] < b[0] ? -1 : 1));
    return found.map(([, obj]) => obj);
  }

  #unindex(id: string, obj: KubeObject): void {
    removeFrom(this.#byNamespace, obj.metadata.namespace ?? '', id);
    for (const [k, v] of Object.entries(obj.metadata.labels ?? {})) {
      removeFrom(this.#byLabel, `${k}=${v}`, id);
    }
  }
}
