/*
 * The scale subresource: the autoscaling/v1 Scale view of a workload, and
 * a Scale's replica count written back into the workload, for
 * `kubectl scale` and autoscalers.
 */
import type { KubeObject } from '../controllers/types';
import type { ResourceType } from '../api/resources';
import { LabelSelectorObject, labelSelectorString } from '../api/selectors';
import { invalid } from '../api/status';

/** The Scale of an object whose kind has a scale subresource. */
export function scaleOf(o: KubeObject, t: ResourceType): KubeObject {
  const s = t.scaleSubresource!;
  const get = (p: string | undefined) =>
    p
      ? p
          .split('.')
          .filter(Boolean)
          .reduce((c: any, k) => c?.[k], o)
      : undefined;
  return {
    kind: 'Scale',
    apiVersion: 'autoscaling/v1',
    metadata: {
      name: o.metadata.name,
      namespace: o.metadata.namespace,
      uid: o.metadata.uid,
      resourceVersion: o.metadata.resourceVersion,
      creationTimestamp: o.metadata.creationTimestamp,
    },
    spec: { replicas: get(s.specReplicasPath) ?? 0 },
    status: {
      replicas: get(s.statusReplicasPath) ?? 0,
      selector: scaleSelector(o, t, get(s.labelSelectorPath)),
    },
  };
}

/**
 * Built-in workloads derive the scale selector from spec.selector (their
 * status has none); custom resources name a field that holds the string.
 */
function scaleSelector(
  o: KubeObject,
  t: ResourceType,
  atPath: unknown,
): string {
  if (typeof atPath === 'string') return atPath;
  if (atPath && typeof atPath === 'object')
    return labelSelectorString(atPath as LabelSelectorObject);
  if (t.builtin) return labelSelectorString(o.spec?.selector);
  return '';
}

/** A copy of `existing` with the replicas a written Scale asks for. */
export function withScaledReplicas(
  existing: KubeObject,
  t: ResourceType,
  name: string,
  scale: any,
): KubeObject {
  const replicas = scale?.spec?.replicas;
  if (!Number.isInteger(replicas) || replicas < 0) {
    throw invalid('Scale', 'autoscaling', name, [
      {
        field: 'spec.replicas',
        message: `Invalid value: ${JSON.stringify(
          replicas,
        )}: must be greater than or equal to 0`,
        reason: 'FieldValueInvalid',
      },
    ]);
  }
  const target = structuredClone(existing);
  const segs = t.scaleSubresource!.specReplicasPath.split('.').filter(Boolean);
  let cur: any = target;
  for (const s of segs.slice(0, -1)) cur = cur[s] ??= {};
  cur[segs[segs.length - 1]] = replicas;
  return target;
}
