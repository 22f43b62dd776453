// The claim a StatefulSet's volumeClaimTemplate gives one ordinal,
// provisioned dynamically: a volume bound to it at once, pinned to the pod's
// zone, owned by the StatefulSet only under whenDeleted: Delete.
import { ownerRef } from './pods';
import { provisionClaim } from '../dynamicProvisioning';
import type { ControllerContext, KubeObject } from '../types';

/** Creates the claim and its volume, unless the claim exists. */
export function ensureClaim(
  ctx: ControllerContext,
  sts: KubeObject,
  template: any,
  claimName: string,
  node: KubeObject | undefined,
  zone: string | undefined,
): void {
  const { cluster } = ctx;
  const ns = sts.metadata.namespace!;
  if (cluster.get('v1', 'PersistentVolumeClaim', ns, claimName)) return;
  provisionClaim(
    cluster,
    {
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: {
        name: claimName,
        namespace: ns,
        // Claims are kept when their StatefulSet goes (the default Retain
        // policy); with whenDeleted: Delete they are owned and collected.
        ...(sts.spec?.persistentVolumeClaimRetentionPolicy?.whenDeleted ===
        'Delete'
          ? {
              ownerReferences: [
                {
                  ...ownerRef(sts),
                  controller: false,
                  blockOwnerDeletion: true,
                },
              ],
            }
          : {}),
        labels: {
          ...sts.spec?.selector?.matchLabels,
          ...template.metadata?.labels,
        },
        annotations: { 'pv.kubernetes.io/bound-by-controller': 'yes' },
      },
      spec: structuredClone(template.spec ?? {}),
    },
    { zone, node: node?.metadata.name },
  );
  ctx.recordEvent?.(
    sts,
    'Normal',
    'SuccessfulCreate',
    `create Claim ${claimName} Pod ${sts.metadata.name}-${claimName
      .split('-')
      .pop()} in StatefulSet ${sts.metadata.name} success`,
  );
}
