/*
 * The domain rules of the watch cache, without I/O: which informers an
 * entity's read needs and how their objects are filtered into its answer,
 * and which informer changes can alter an entity's topology.
 */
import {
  ClusterObjects,
  KubeObject,
} from '@multicluster/backstage-plugin-statefulsets-common';
import { InformerChange } from './Informer';
import { KindSpec, KINDS } from './kinds';
import { LabelSelector, matchesLabels } from './labelSelector';

/** The namespace and label selector of one entity's objects. */
export interface WatchScope {
  /** Undefined for all namespaces. */
  namespace?: string;
  labelSelector: string;
  /** Namespace of the VirtualService the entity's traffic annotation names, if any. */
  routeNamespace?: string;
}

/** One part of an entity's read: a kind's objects in a namespace, filtered. */
export interface ScopeSource {
  kind: KindSpec;
  /** The namespace whose objects are wanted; undefined for all (or a cluster-scoped kind). */
  namespace?: string;
  /** Only the objects the entity's selector matches; otherwise all the namespace holds. */
  bySelector: boolean;
  /** Claims of an entity without a namespace: only those where its workloads run. */
  inWorkloadNamespaces: boolean;
  /** A failure of this source fails the cluster's read; others only make it stale. */
  required: boolean;
}

/**
 * The sources of an entity's read among the kinds a cluster serves.
 * Claims are read without the selector (claims made from
 * volumeClaimTemplates carry the template's labels, not the StatefulSet's),
 * and the route namespace's VirtualServices and DestinationRules whole (a
 * route need not carry the entity's labels).
 */
export function planScope(
  scope: WatchScope,
  served: KindSpec[],
): ScopeSource[] {
  const sources: ScopeSource[] = [];
  for (const kind of served) {
    const namespace = kind.clusterScoped ? undefined : scope.namespace;
    sources.push({
      kind,
      namespace,
      bySelector: !kind.clusterScoped && !kind.namespaceWide,
      inWorkloadNamespaces: !!kind.namespaceWide && namespace === undefined,
      required: !kind.namespaceWide,
    });
    if (kind.routeWide && scope.routeNamespace) {
      sources.push({
        kind,
        namespace: scope.routeNamespace,
        bySelector: false,
        inWorkloadNamespaces: false,
        required: false,
      });
    }
  }
  return sources;
}

/**
 * The namespaces the workloads and their pods run in, sorted: where their
 * claims and operators' resources live.
 */
export function workloadNamespaces(objects: ClusterObjects): string[] {
  return [
    ...new Set(
      [...objects.statefulSets, ...objects.cnpgClusters, ...objects.pods]
        .map(o => o.metadata.namespace)
        .filter((ns): ns is string => !!ns),
    ),
  ].sort();
}

/** Drops routes listed twice (labelled for the entity and in its route namespace). */
export function dedupeRoutes(objects: ClusterObjects): void {
  for (const kind of KINDS.filter(k => k.routeWide)) {
    const seen = new Set<string>();
    objects[kind.key] = objects[kind.key].filter((o: KubeObject) => {
      const id = `${o.metadata.namespace}/${o.metadata.name}`;
      if (seen.has(id)) return false;
      seen.add(id);
      return true;
    });
  }
}

/** Whether a change in an informer can alter the topology of an entity with this scope. */
export function changeAffects(
  change: InformerChange,
  scope: WatchScope,
  selector: LabelSelector,
): boolean {
  const { kind, object } = change;
  if (kind.clusterScoped) return true;
  const inRoute = (ns?: string) =>
    !!kind.routeWide && ns !== undefined && ns === scope.routeNamespace;
  if (!object) {
    // The informer failed or recovered: every reader of its namespace.
    return (
      change.namespace === undefined ||
      scope.namespace === undefined ||
      change.namespace === scope.namespace ||
      inRoute(change.namespace)
    );
  }
  if (inRoute(object.namespace)) return true;
  if (scope.namespace !== undefined && object.namespace !== scope.namespace) {
    return false;
  }
  if (kind.namespaceWide) return true;
  return object.labels.some(
    labels => labels !== undefined && matchesLabels(selector, labels),
  );
}
