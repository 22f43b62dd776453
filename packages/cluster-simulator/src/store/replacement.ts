/*
 * What a replace keeps of the stored object: identity and creation fields
 * always, status or everything but status depending on the subresource
 * written, and a generation that only moves when the spec does.
 */
import type { KubeObject } from '../controllers/types';
import { cloneJson } from '../api/plainJson';
import type { ResourceType } from '../api/resources';

/** Which part of an object a replace may change. */
export type ReplaceMode = 'main' | 'status' | 'all';

function specPart(o: KubeObject): string {
  const { metadata: _m, status: _s, ...rest } = o;
  return JSON.stringify(rest);
}

/**
 * The object a replace of `old` with `obj` stores, before it gets a
 * resourceVersion. `ns` is the namespace the object is stored under.
 */
export function replacementOf(
  old: KubeObject,
  obj: KubeObject,
  mode: ReplaceMode,
  t: ResourceType,
  ns: string | undefined,
): KubeObject {
  let o = cloneJson(obj);
  if (mode === 'status') {
    o = { ...cloneJson(old), status: o.status };
  } else {
    if (mode === 'main' && t.statusSubresource) {
      if (old.status === undefined) delete o.status;
      else o.status = cloneJson(old.status);
    }
    o.metadata = {
      ...o.metadata,
      uid: old.metadata.uid,
      creationTimestamp: old.metadata.creationTimestamp,
      namespace: ns,
    };
    if (!t.namespaced) delete o.metadata.namespace;
    if (t.hasGeneration) {
      o.metadata.generation =
        (old.metadata.generation ?? 1) +
        (specPart(o) !== specPart(old) ? 1 : 0);
    } else delete o.metadata.generation;
  }
  o.apiVersion = old.apiVersion;
  return o;
}

/** Whether a replace changes nothing but bookkeeping (no new version then). */
export function sameIgnoringRv(a: KubeObject, b: KubeObject): boolean {
  const strip = (o: KubeObject) => ({
    ...o,
    metadata: {
      ...o.metadata,
      resourceVersion: undefined,
      managedFields: undefined,
    },
  });
  return JSON.stringify(strip(a)) === JSON.stringify(strip(b));
}
