/*
 * Which resource a REST URL names (type, namespace, name, subresource) and
 * what the handler of each verb is given to serve it.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ResourceRegistry, ResourceType } from '../api/resources';
import type { ClusterStore } from '../store/ClusterStore';
import { resourceNotFound } from './apiErrors';

/** The resource a URL below a group version names. */
export interface ResourceRoute {
  t: ResourceType;
  namespace?: string;
  name?: string;
  sub?: string;
  watchPath: boolean;
}

/** One request for a resource, as the handler of its verb takes it. */
export interface ResourceCall {
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  route: ResourceRoute;
}

/** What the handlers work on: one cluster's store and its clock. */
export interface ResourceContext {
  store: ClusterStore;
  now(): number;
}

/**
 * Reads `[watch/][namespaces/<ns>/]<plural>[/<name>[/<sub>]]`; anything the
 * registry does not serve there is a 404, as upstream.
 */
export function resolveResourceRoute(
  reg: ResourceRegistry,
  group: string,
  version: string,
  segs: string[],
): ResourceRoute {
  let rest = segs;
  const watchPath = rest[0] === 'watch';
  if (watchPath) rest = rest.slice(1);
  let namespace: string | undefined;
  if (rest[0] === 'namespaces' && rest.length >= 3) {
    const inner = reg.byPlural(group, version, rest[2]);
    if (inner && inner.namespaced) {
      namespace = rest[1];
      rest = rest.slice(2);
    }
  }
  const t = reg.byPlural(group, version, rest[0]);
  if (!t || rest.length > 3 || (namespace !== undefined && !t.namespaced)) {
    throw resourceNotFound();
  }
  const sub = rest[2];
  if (
    sub !== undefined &&
    !(
      (sub === 'status' && t.statusSubresource) ||
      (sub === 'scale' && t.scaleSubresource)
    )
  ) {
    throw resourceNotFound();
  }
  if (t.namespaced && namespace === undefined && rest[1] !== undefined) {
    throw resourceNotFound();
  }
  return { t, namespace, name: rest[1], sub, watchPath };
}

/** Where a kind's objects are stored (a view reads another kind's). */
export function storageOf(t: ResourceType): { group: string; kind: string } {
  return t.storedAs ?? t;
}
