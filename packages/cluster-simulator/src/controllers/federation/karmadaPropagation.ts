// Karmada's propagation of one resource template to one member cluster:
// the markers it writes on template and copy, and the per-cluster overrides.
import {
  type ClusterAffinity,
  matchesAffinity,
  type ResourceSelector,
  selects,
} from './clusterSelection';
import { memberCopy, splitList, syncMember } from './memberSync';
import { applyOverriders, type Overriders } from './overriders';
import type { ClusterApi, KubeObject } from '../types';

/** Label on every member copy Karmada manages. */
export const KARMADA_MANAGED = 'karmada.io/managed';
/** Label and annotation naming the PropagationPolicy behind an object. */
export const PP_NAME = 'propagationpolicy.karmada.io/name';
const PP_NAMESPACE = 'propagationpolicy.karmada.io/namespace';
const MANAGED_LABELS = 'resourcetemplate.karmada.io/managed-labels';
const MANAGED_ANNOTATIONS = 'resourcetemplate.karmada.io/managed-annotations';
const TEMPLATE_UID = 'resourcetemplate.karmada.io/uid';
const BINDING_NAME = 'resourcebinding.karmada.io/name';
const BINDING_NAMESPACE = 'resourcebinding.karmada.io/namespace';

/** Records on the template which policy propagates it, as Karmada does. */
export function markTemplate(
  host: ClusterApi,
  template: KubeObject,
  policy: KubeObject,
) {
  const annotations = template.metadata.annotations ?? {};
  if (
    annotations[PP_NAME] === policy.metadata.name &&
    annotations[PP_NAMESPACE] === policy.metadata.namespace
  ) {
    return template;
  }
  return host.update({
    ...template,
    metadata: {
      ...template.metadata,
      annotations: {
        ...annotations,
        [PP_NAME]: policy.metadata.name,
        [PP_NAMESPACE]: policy.metadata.namespace ?? 'default',
      },
    },
  });
}

/**
 * Writes a member's copy of a template: placed replicas, overrides, and the
 * markers that let the next round find and clean it up.
 */
export function propagateToMember(
  member: ClusterApi,
  template: KubeObject,
  policy: KubeObject,
  overridePolicies: KubeObject[],
  replicas: Map<string, number> | undefined,
): void {
  const desired = memberCopy(template);
  if (desired.kind === 'Service' && desired.spec) {
    for (const k of ['clusterIP', 'clusterIPs']) {
      if (desired.spec.clusterIP !== 'None') {
        delete desired.spec[k];
      }
    }
  }
  if (replicas && desired.spec) {
    desired.spec.replicas = replicas.get(member.name) ?? 0;
  }
  try {
    for (const op of overridePolicies) {
      const ns = op.metadata.namespace ?? 'default';
      const selectors = (op.spec?.resourceSelectors ??
        []) as ResourceSelector[];
      if (
        selectors.length > 0
          ? !selectors.some(s => selects(s, template, ns))
          : template.metadata.namespace !== ns
      ) {
        continue;
      }
      const rules: Array<{
        targetCluster?: ClusterAffinity;
        overriders?: Overriders;
      }> =
        op.spec?.overrideRules ??
        (op.spec?.overriders
          ? [
              {
                targetCluster: op.spec.targetCluster,
                overriders: op.spec.overriders,
              },
            ]
          : []);
      for (const rule of rules) {
        if (matchesAffinity(member, rule.targetCluster)) {
          applyOverriders(desired, rule.overriders ?? {});
        }
      }
    }
  } catch {
    // A broken override leaves the member as it is, as Karmada does.
    return;
  }
  const policyNamespace = policy.metadata.namespace ?? 'default';
  const labelKeys = Object.keys(desired.metadata.labels ?? {}).sort();
  const annotationKeys = Object.keys(desired.metadata.annotations ?? {}).sort();
  desired.metadata.labels = {
    ...desired.metadata.labels,
    [KARMADA_MANAGED]: 'true',
    [PP_NAME]: policy.metadata.name,
    [PP_NAMESPACE]: policyNamespace,
  };
  desired.metadata.annotations = {
    ...desired.metadata.annotations,
    [PP_NAME]: policy.metadata.name,
    [PP_NAMESPACE]: policyNamespace,
    [TEMPLATE_UID]: template.metadata.uid ?? '',
    [BINDING_NAME]: `${template.metadata.name}-${template.kind.toLowerCase()}`,
    [BINDING_NAMESPACE]: template.metadata.namespace ?? 'default',
    [MANAGED_LABELS]: labelKeys.join(','),
    [MANAGED_ANNOTATIONS]: annotationKeys.join(','),
  };
  const existing = member.get(
    desired.apiVersion,
    desired.kind,
    desired.metadata.namespace,
    desired.metadata.name,
  );
  if (existing) {
    const ours =
      existing.metadata.labels?.[KARMADA_MANAGED] === 'true' &&
      existing.metadata.labels?.[PP_NAME] === policy.metadata.name;
    if (!ours && policy.spec?.conflictResolution !== 'Overwrite') {
      // Abort (the default): never take over an object someone else owns.
      return;
    }
  }
  syncMember(member, desired, existing, {
    labels: splitList(existing?.metadata.annotations?.[MANAGED_LABELS]),
    annotations: splitList(
      existing?.metadata.annotations?.[MANAGED_ANNOTATIONS],
    ),
  });
}
