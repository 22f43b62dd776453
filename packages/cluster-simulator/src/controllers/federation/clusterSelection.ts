// Which objects and which member clusters a federation policy selects:
// Kubernetes label selectors, Karmada cluster affinities and resource selectors.
import type { LabelSelectorObject } from '../../api/selectors';
import type { ClusterApi, KubeObject } from '../types';

const EXPRESSION_OPERATORS: Record<
  string,
  (has: boolean, values: string[], value: string | undefined) => boolean
> = {
  In: (has, values, value) => has && values.includes(value!),
  NotIn: (has, values, value) => !has || !values.includes(value!),
  Exists: has => has,
  DoesNotExist: has => !has,
};

/** Whether labels satisfy a Kubernetes label selector (empty matches all). */
export function matchesLabelSelector(
  labels: Record<string, string> | undefined,
  selector: LabelSelectorObject | undefined,
): boolean {
  const l = labels ?? {};
  for (const [k, v] of Object.entries(selector?.matchLabels ?? {})) {
    if (l[k] !== v) {
      return false;
    }
  }
  for (const e of selector?.matchExpressions ?? []) {
    const has = Object.prototype.hasOwnProperty.call(l, e.key);
    const values = e.values ?? [];
    const ok =
      EXPRESSION_OPERATORS[e.operator]?.(has, values, l[e.key]) ?? false;
    if (!ok) {
      return false;
    }
  }
  return true;
}

/**
 * The labels a member cluster is selected by: its name and region, and the
 * labels the world joined it with (Karmada's `Cluster` and KubeFed's
 * `KubeFedCluster` objects carry those).
 */
export function clusterLabels(cluster: ClusterApi): Record<string, string> {
  return {
    name: cluster.name,
    region: cluster.region,
    'topology.kubernetes.io/region': cluster.region,
    ...cluster.labels,
  };
}

/** Karmada's cluster affinity: names, exclusions, label and field selectors. */
export interface ClusterAffinity {
  clusterNames?: string[];
  exclude?: string[];
  labelSelector?: LabelSelectorObject;
  fieldSelector?: {
    matchExpressions?: Array<{
      key: string;
      operator: string;
      values?: string[];
    }>;
  };
}

/** Whether a member cluster satisfies a Karmada cluster affinity (none: every one). */
export function matchesAffinity(
  cluster: ClusterApi,
  affinity: ClusterAffinity | undefined,
) {
  if (!affinity) {
    return true;
  }
  if (
    affinity.clusterNames?.length &&
    !affinity.clusterNames.includes(cluster.name)
  ) {
    return false;
  }
  if (affinity.exclude?.includes(cluster.name)) {
    return false;
  }
  if (!matchesLabelSelector(clusterLabels(cluster), affinity.labelSelector)) {
    return false;
  }
  for (const e of affinity.fieldSelector?.matchExpressions ?? []) {
    const fields: Record<string, string[]> = {
      region: [cluster.region],
      zone: cluster.zones,
      provider: ['simulator'],
    };
    const fieldValues = fields[e.key] ?? [];
    const hit = fieldValues.some(v => (e.values ?? []).includes(v));
    if ((e.operator === 'In' && !hit) || (e.operator === 'NotIn' && hit)) {
      return false;
    }
  }
  return true;
}

/** A Karmada resource selector, naming the templates a policy propagates. */
export interface ResourceSelector {
  apiVersion: string;
  kind: string;
  name?: string;
  namespace?: string;
  labelSelector?: LabelSelectorObject;
}

/** Whether a resource selector of a policy in `policyNamespace` picks this object. */
export function selects(
  selector: ResourceSelector,
  obj: KubeObject,
  policyNamespace: string,
): boolean {
  return (
    selector.apiVersion === obj.apiVersion &&
    selector.kind === obj.kind &&
    (selector.namespace ?? policyNamespace) === obj.metadata.namespace &&
    (!selector.name || selector.name === obj.metadata.name) &&
    (!selector.labelSelector ||
      matchesLabelSelector(obj.metadata.labels, selector.labelSelector))
  );
}
