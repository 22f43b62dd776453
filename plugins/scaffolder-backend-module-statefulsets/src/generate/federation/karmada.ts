/*
 * Karmada federation: the workload itself is the template on the host
 * cluster, a PropagationPolicy copies it whole to every member, and an
 * OverridePolicy per differing member patches its copy.
 */
import { commonLabels } from '../labels';
import { KubeObject } from '../types';
import { NormalizedRequest } from '../validateRequest';
import { FederatedWorkload } from './federatedWorkload';

/** The template, its PropagationPolicy and the members' OverridePolicies. */
export function karmadaObjects(
  r: NormalizedRequest,
  { base, overrides, clusterNames }: FederatedWorkload,
): Array<{ file: string; object: KubeObject }> {
  const labels = commonLabels(r);
  const selector = {
    apiVersion: base.apiVersion,
    kind: base.kind,
    name: r.name,
    namespace: r.namespace,
  };
  const templateFile =
    base.kind === 'Cluster'
      ? 'federation/cluster.yaml'
      : 'federation/statefulset.yaml';
  return [
    { file: templateFile, object: base },
    {
      file: 'federation/propagationpolicy.yaml',
      object: {
        apiVersion: 'policy.karmada.io/v1alpha1',
        kind: 'PropagationPolicy',
        metadata: { name: r.name, namespace: r.namespace, labels },
        spec: {
          resourceSelectors: [selector],
          placement: {
            clusterAffinity: { clusterNames },
            // Every member runs its own full copy; the overrides size each one.
            replicaScheduling: { replicaSchedulingType: 'Duplicated' },
          },
        },
      },
    },
    ...overrides.map(o => ({
      file: `federation/overridepolicy-${o.cluster}.yaml`,
      object: {
        apiVersion: 'policy.karmada.io/v1alpha1',
        kind: 'OverridePolicy',
        metadata: {
          name: `${r.name}-${o.cluster}`,
          namespace: r.namespace,
          labels,
        },
        spec: {
          resourceSelectors: [selector],
          overrideRules: [
            {
              targetCluster: { clusterNames: [o.cluster] },
              overriders: {
                plaintext: o.ops.map(op => ({
                  path: op.path,
                  operator: op.op,
                  ...(op.op === 'remove' ? {} : { value: op.value }),
                })),
              },
            },
          ],
        },
      },
    })),
  ];
}
