/*
 * KubeFed federation: one FederatedStatefulSet on the host cluster holds
 * the template, the placement and each member's overrides.
 */
import { commonLabels } from '../labels';
import { KubeObject } from '../types';
import { NormalizedRequest } from '../validateRequest';
import { FederatedWorkload } from './federatedWorkload';

/** The FederatedStatefulSet that propagates the workload to every member. */
export function kubefedObjects(
  r: NormalizedRequest,
  { base, overrides, clusterNames }: FederatedWorkload,
): Array<{ file: string; object: KubeObject }> {
  const labels = commonLabels(r);
  const { metadata, spec } = base as KubeObject & { spec: unknown };
  return [
    {
      file: 'federation/federatedstatefulset.yaml',
      object: {
        apiVersion: 'types.kubefed.io/v1beta1',
        kind: 'FederatedStatefulSet',
        metadata: { name: r.name, namespace: r.namespace, labels },
        spec: {
          template: {
            metadata: {
              labels: metadata.labels,
              annotations: metadata.annotations,
            },
            spec,
          },
          placement: { clusters: clusterNames.map(name => ({ name })) },
          overrides: overrides.map(o => ({
            clusterName: o.cluster,
            clusterOverrides: o.ops.map(op => ({
              op: op.op,
              path: op.path,
              ...(op.op === 'remove' ? {} : { value: op.value }),
            })),
          })),
        },
      },
    },
  ];
}
