/*
 * KubeFed federation: a FederatedNamespace federates the database's
 * namespace (KubeFed places a namespaced resource only in clusters its
 * namespace is placed on, and nothing at all in a namespace without one),
 * and one FederatedStatefulSet on the host cluster holds the template, the
 * placement and each member's overrides. The FederatedTypeConfigs that make
 * KubeFed handle these kinds are the platform's (`kubefedctl enable`).
 */
import { commonLabels } from '../labels';
import { KubeObject } from '../types';
import { NormalizedRequest } from '../validateRequest';
import { FederatedWorkload } from './federatedWorkload';

/** The FederatedNamespace and the FederatedStatefulSet that propagate the workload to every member. */
export function kubefedObjects(
  r: NormalizedRequest,
  { base, overrides, clusterNames }: FederatedWorkload,
): Array<{ file: string; object: KubeObject }> {
  const labels = commonLabels(r);
  const { metadata, spec } = base as KubeObject & { spec: unknown };
  const placement = { clusters: clusterNames.map(name => ({ name })) };
  return [
    {
      file: 'federation/federatednamespace.yaml',
      object: {
        apiVersion: 'types.kubefed.io/v1beta1',
        kind: 'FederatedNamespace',
        metadata: { name: r.namespace, namespace: r.namespace, labels },
        spec: { placement },
      },
    },
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
          placement,
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
