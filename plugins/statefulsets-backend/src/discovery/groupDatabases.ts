/*
 * The rule of discovery: which objects found across the clusters are one
 * database running in several of them, and the catalog entity suggested for
 * it. Pure: the objects come in, the candidates go out.
 *
 * Objects are grouped by, in this order of precedence:
 * (a) the same `backstage.io/kubernetes-id` label in the same namespace —
 *     the explicit signal, and the one that joins Helm releases named
 *     differently per cluster;
 * (b) the same Helm release (`app.kubernetes.io/instance`) of the same chart
 *     in the same namespace, for StatefulSets;
 * (c) the same operator resource kind and name in the same namespace.
 * An object joins the first group its labels put it in. Objects stamped for
 * an entity by the portal belong to that entity and are skipped (unless that
 * entity is one discovery registered: the stamp then confirms discovery's
 * own grouping, and skipping would take the entity away), and so are
 * StatefulSets and parts (node pools) an operator's resource runs: they are
 * that resource's. A group found in one cluster only is not a candidate.
 */
import {
  parseEntityRef,
  stringifyEntityRef,
  Entity,
} from '@backstage/catalog-model';
import {
  annotationOf,
  ANNOTATION_ENGINE,
  ANNOTATION_KUBERNETES_ID,
  ANNOTATION_KUBERNETES_LABEL_SELECTOR,
  ANNOTATION_KUBERNETES_NAMESPACE,
  ANNOTATION_OWNER_ENTITY,
  ClusterObjects,
  DiscoveryGrouping,
  engineOfObject,
  KubeObject,
  LABEL_APP_NAME,
  labelOf,
  OperatorConvention,
  RestModels,
} from '@multicluster/backstage-plugin-statefulsets-common';

/** A discovered database, as the REST API serves it. */
export type DiscoveredDatabase = RestModels.DiscoveredDatabase;

/** Well-known label naming a Helm release. */
export const LABEL_APP_INSTANCE = 'app.kubernetes.io/instance';
/** The label Helm charts carry with `<chart>-<version>`. */
export const LABEL_HELM_CHART = 'helm.sh/chart';

/** What one cluster holds for discovery: its StatefulSets and operators' resources. */
export interface DiscoveryClusterInput {
  cluster: string;
  objects: ClusterObjects;
}

/** How candidates get their owner and entity. */
export interface GroupingOptions {
  /** The conventions whose resources are read (OPERATOR_CONVENTIONS in the product). */
  conventions: readonly OperatorConvention[];
  /** Label (or annotation) on the resources naming the owner. */
  ownerLabel: string;
  /** Owner of candidates whose resources name none; without it they get no entity. */
  defaultOwner?: string;
  /** `spec.lifecycle` of suggested entities. */
  lifecycle: string;
  /**
   * Refs of entities discovery registered (see {@link entityRefKey}):
   * objects stamped for one of them stay in discovery's groups.
   */
  discoveredEntityRefs?: ReadonlySet<string>;
}

/** An entity ref as a set key: Component and `default` when left out, lower case. */
export function entityRefKey(ref: string): string | undefined {
  try {
    return stringifyEntityRef(
      parseEntityRef(ref.trim(), {
        defaultKind: 'component',
        defaultNamespace: 'default',
      }),
    ).toLocaleLowerCase('en-US');
  } catch {
    return undefined;
  }
}

/** The entity refs the portal stamped on the objects discovery reads. */
export function ownerStampsOf(
  clusters: DiscoveryClusterInput[],
  conventions: readonly OperatorConvention[],
): string[] {
  const stamps = new Set<string>();
  for (const { objects } of clusters)
    for (const o of [
      ...conventions.flatMap(c => c.resources(objects)),
      ...objects.statefulSets,
    ]) {
      const stamp = annotationOf(o, ANNOTATION_OWNER_ENTITY);
      if (stamp) stamps.add(stamp.trim());
    }
  return [...stamps];
}

interface Found {
  cluster: string;
  object: KubeObject;
  convention?: OperatorConvention;
}

interface Group {
  id: string;
  grouping: DiscoveryGrouping;
  groupedBy: string;
  name: string;
  namespace: string;
  found: Found[];
}

const ENTITY_NAME = /^[A-Za-z0-9]+([-_.][A-Za-z0-9]+)*$/;
const ENTITY_NAME_MAX = 63;

function namespaceOf(o: KubeObject): string {
  return o.metadata.namespace ?? 'default';
}

/** The chart of a StatefulSet: `helm.sh/chart` without its version, else the name label. */
export function chartNameOf(o: KubeObject): string | undefined {
  const chart = labelOf(o, LABEL_HELM_CHART);
  if (chart) return chart.replace(/-v?\d+(\.\d+)*([-+].*)?$/, '');
  return labelOf(o, LABEL_APP_NAME);
}

/**
 * Whether an operator's resource runs this object (a StatefulSet, or a part
 * such as Strimzi's node pools): it names the resource as its owner, or
 * carries the labels the resource's pods carry.
 */
function runByOperator(
  object: KubeObject,
  operated: Array<{ resource: KubeObject; selector?: Map<string, string> }>,
): boolean {
  const labels = object.metadata.labels ?? {};
  return operated.some(({ resource, selector }) => {
    if (resource === object) return false;
    if (namespaceOf(resource) !== namespaceOf(object)) return false;
    const owned = (object.metadata.ownerReferences ?? []).some(
      ref => ref.kind === resource.kind && ref.name === resource.metadata.name,
    );
    if (owned) return true;
    if (!selector || selector.size === 0) return false;
    return [...selector].every(([k, v]) => labels[k] === v);
  });
}

/** The equality terms of a `k=v,k2=v2` selector; set-based terms are ignored. */
function equalities(selector: string | undefined): Map<string, string> {
  const out = new Map<string, string>();
  for (const term of (selector ?? '').split(',')) {
    const m = /^\s*([^=!\s]+)\s*==?\s*([^\s]*)\s*$/.exec(term);
    if (m) out.set(m[1], m[2]);
  }
  return out;
}

function describe(found: Found): string {
  const o = found.object;
  return `${o.kind ?? 'object'} ${namespaceOf(o)}/${o.metadata.name} in ${
    found.cluster
  }`;
}

/** Sorts the objects of every cluster into groups by the rules above. */
function collectGroups(
  clusters: DiscoveryClusterInput[],
  conventions: readonly OperatorConvention[],
  discovered: ReadonlySet<string> = new Set(),
): Group[] {
  const groups = new Map<string, Group>();
  // Stamped for an entity other than one discovery registered.
  const ownedElsewhere = (o: KubeObject) => {
    const stamp = annotationOf(o, ANNOTATION_OWNER_ENTITY);
    return !!stamp && !discovered.has(entityRefKey(stamp) ?? '');
  };
  const add = (key: Omit<Group, 'found'>, found: Found) => {
    const group = groups.get(key.id) ?? { ...key, found: [] };
    group.found.push(found);
    groups.set(key.id, group);
  };
  for (const { cluster, objects } of clusters) {
    const operated = conventions.flatMap(convention =>
      convention.resources(objects).map(resource => ({
        resource,
        convention,
        selector: equalities(convention.selectorOf?.(resource)),
      })),
    );
    for (const { resource, convention } of operated) {
      if (ownedElsewhere(resource)) continue;
      // A part of another resource (a node pool of its Kafka) is that one's.
      if (runByOperator(resource, operated)) continue;
      const namespace = namespaceOf(resource);
      const found = { cluster, object: resource, convention };
      const id = labelOf(resource, ANNOTATION_KUBERNETES_ID);
      if (id) {
        add(kubernetesIdKey(namespace, id), found);
        continue;
      }
      const kind = resource.kind ?? 'resource';
      add(
        {
          id: `operator/${namespace}/${convention.id}/${kind}/${resource.metadata.name}`,
          grouping: 'operator',
          groupedBy: `same ${convention.title} ${kind} name`,
          name: resource.metadata.name,
          namespace,
        },
        found,
      );
    }
    for (const statefulSet of objects.statefulSets) {
      if (ownedElsewhere(statefulSet)) continue;
      if (runByOperator(statefulSet, operated)) continue;
      const namespace = namespaceOf(statefulSet);
      const found = { cluster, object: statefulSet };
      const id = labelOf(statefulSet, ANNOTATION_KUBERNETES_ID);
      if (id) {
        add(kubernetesIdKey(namespace, id), found);
        continue;
      }
      const release = labelOf(statefulSet, LABEL_APP_INSTANCE);
      if (!release) continue;
      const chart = chartNameOf(statefulSet) ?? '';
      add(
        {
          id: `helm-release/${namespace}/${chart || '-'}/${release}`,
          grouping: 'helm-release',
          groupedBy: 'same Helm release',
          name: release,
          namespace,
        },
        found,
      );
    }
  }
  return [...groups.values()];
}

function kubernetesIdKey(namespace: string, id: string): Omit<Group, 'found'> {
  return {
    id: `kubernetes-id/${namespace}/${id}`,
    grouping: 'kubernetes-id',
    groupedBy: `same ${ANNOTATION_KUBERNETES_ID}`,
    name: id,
    namespace,
  };
}

/** The annotations that point the plugin (and the Kubernetes plugin) at the group's objects. */
function selectionOf(group: Group): {
  annotations: Record<string, string>;
  problem?: string;
} {
  const annotations: Record<string, string> = {
    [ANNOTATION_KUBERNETES_NAMESPACE]: group.namespace,
  };
  if (group.grouping === 'kubernetes-id') {
    annotations[ANNOTATION_KUBERNETES_ID] = group.name;
    return { annotations };
  }
  if (group.grouping === 'helm-release') {
    const names = new Set(
      group.found.map(f => labelOf(f.object, LABEL_APP_NAME)),
    );
    const [name] = [...names];
    annotations[ANNOTATION_KUBERNETES_LABEL_SELECTOR] =
      names.size === 1 && name
        ? `${LABEL_APP_INSTANCE}=${group.name},${LABEL_APP_NAME}=${name}`
        : `${LABEL_APP_INSTANCE}=${group.name}`;
    return { annotations };
  }
  const first = group.found[0];
  const selector = first.convention?.selectorOf?.(first.object);
  if (!selector) {
    return {
      annotations,
      problem: `the ${
        first.convention?.title ?? 'operator'
      } convention gives no label selector of its pods; register the entity by hand with ${ANNOTATION_KUBERNETES_ID} or ${ANNOTATION_KUBERNETES_LABEL_SELECTOR}`,
    };
  }
  annotations[ANNOTATION_KUBERNETES_LABEL_SELECTOR] = selector;
  return { annotations };
}

function engineOf(group: Group): string {
  for (const f of group.found) {
    if (f.convention?.engine) return f.convention.engine;
  }
  for (const f of group.found) {
    const engine = engineOfObject(f.object);
    if (engine) return engine;
  }
  return 'generic';
}

/** The one owner the group's objects name, the default, or why there is none. */
function ownerOf(
  group: Group,
  options: GroupingOptions,
): { owner?: string; problem?: string; named: Map<Found, string> } {
  const named = new Map<Found, string>();
  for (const f of group.found) {
    const value =
      labelOf(f.object, options.ownerLabel) ??
      annotationOf(f.object, options.ownerLabel);
    if (value) named.set(f, value.trim());
  }
  const distinct = new Set(named.values());
  if (distinct.size > 1) {
    return {
      named,
      problem: `the resources name different owners (${[...distinct]
        .sort()
        .join(', ')}): give them one ${options.ownerLabel}`,
    };
  }
  const raw = [...distinct][0] ?? options.defaultOwner;
  if (!raw) {
    return {
      named,
      problem: `no owner: label the resources with ${options.ownerLabel}=<ref> or set multiclusterStatefulsets.discovery.defaultOwner`,
    };
  }
  try {
    const ref = parseEntityRef(raw, {
      defaultKind: 'group',
      defaultNamespace: 'default',
    });
    return { named, owner: stringifyEntityRef(ref) };
  } catch {
    return {
      named,
      problem: `the owner "${raw}" is not an entity ref (kind:namespace/name)`,
    };
  }
}

function describeGroup(group: Group, clusters: string[]): string {
  const where = group.found.map(describe).join('; ');
  return `Discovered in ${clusters.length} clusters (${clusters.join(
    ', ',
  )}), grouped by the ${group.groupedBy.replace(/^same /, '')}: ${where}.`;
}

/** Entity names for the groups: the group's own, prefixed by its namespace where two clash. */
function entityNames(groups: Group[]): Map<Group, string> {
  const byName = new Map<string, Group[]>();
  for (const g of groups) {
    byName.set(g.name, [...(byName.get(g.name) ?? []), g]);
  }
  const names = new Map<Group, string>();
  for (const [name, same] of byName) {
    for (const g of same) {
      names.set(g, same.length > 1 ? `${g.namespace}-${name}` : name);
    }
  }
  return names;
}

/** The candidates: databases found in two or more clusters, with their suggested entity. */
export function groupDatabases(
  clusters: DiscoveryClusterInput[],
  options: GroupingOptions,
): DiscoveredDatabase[] {
  const groups = collectGroups(
    clusters,
    options.conventions,
    options.discoveredEntityRefs,
  ).filter(g => new Set(g.found.map(f => f.cluster)).size >= 2);
  const names = entityNames(groups);
  const taken = new Set<string>();
  const candidates = groups.map(group => {
    const clusterNames = [...new Set(group.found.map(f => f.cluster))].sort();
    const name = names.get(group)!;
    const entityRef = stringifyEntityRef({
      kind: 'Component',
      namespace: 'default',
      name,
    });
    const engine = engineOf(group);
    const selection = selectionOf(group);
    const annotations = {
      ...selection.annotations,
      [ANNOTATION_ENGINE]: engine,
    };
    const owner = ownerOf(group, options);
    let reason = selection.problem ?? owner.problem;
    if (!reason && (name.length > ENTITY_NAME_MAX || !ENTITY_NAME.test(name))) {
      reason = `"${name}" is not a valid entity name; register the entity by hand under another name`;
    }
    if (!reason && taken.has(entityRef.toLocaleLowerCase('en-US'))) {
      reason = `another candidate already suggests ${entityRef}`;
    }
    const candidate: DiscoveredDatabase = {
      id: group.id,
      name,
      namespace: group.namespace,
      engine,
      grouping: group.grouping,
      groupedBy: group.groupedBy,
      clusters: clusterNames,
      objects: group.found.map(f => ({
        cluster: f.cluster,
        kind: f.object.kind ?? 'object',
        namespace: namespaceOf(f.object),
        name: f.object.metadata.name,
        ...(owner.named.has(f) ? { owner: owner.named.get(f) } : {}),
      })),
      ...(owner.owner ? { owner: owner.owner } : {}),
      entityRef,
      annotations,
    };
    if (reason) return { ...candidate, reason };
    taken.add(entityRef.toLocaleLowerCase('en-US'));
    const entity: Entity = {
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'Component',
      metadata: {
        name,
        namespace: 'default',
        description: describeGroup(group, clusterNames),
        annotations,
      },
      spec: {
        type: 'database',
        lifecycle: options.lifecycle,
        owner: owner.owner!,
      },
    };
    return { ...candidate, entity };
  });
  return candidates.sort(
    (a, b) => a.name.localeCompare(b.name) || a.id.localeCompare(b.id),
  );
}
