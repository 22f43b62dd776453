// The pod of one ordinal, as the StatefulSet controller and the scheduler
// create it together: from the template, with its claims, placed on a node,
// Pending until the kubelet runs it.
import { ensureClaim } from './volumeClaims';
import { ownerRef } from './pods';
import { desiredPodRole, POD_ROLE_LABEL } from './podRole';
import { placeOrdinal } from '../instancePlacement';
import { podInvalidMessage, podSpecErrors } from '../../api/podValidation';
import { isoSeconds } from '../../api/timestamp';
import type { ControllerContext, KubeObject } from '../types';

/**
 * The spec of the pod of `ordinal` as the controller instantiates it from
 * the template: each volumeClaimTemplate becomes a volume naming the
 * ordinal's claim, and the pod's hostname and subdomain come from its name
 * and the governing Service. No node yet.
 */
export function statefulPodSpec(sts: KubeObject, ordinal: number): any {
  const stsName = sts.metadata.name;
  const podName = `${stsName}-${ordinal}`;
  const template = structuredClone(sts.spec?.template ?? {});
  const volumes: any[] = [...(template.spec?.volumes ?? [])];
  for (const t of sts.spec?.volumeClaimTemplates ?? []) {
    if (!volumes.some(v => v.name === t.metadata.name)) {
      volumes.push({
        name: t.metadata.name,
        persistentVolumeClaim: {
          claimName: `${t.metadata.name}-${stsName}-${ordinal}`,
        },
      });
    }
  }
  return {
    ...template.spec,
    volumes,
    hostname: podName,
    ...(sts.spec?.serviceName ? { subdomain: sts.spec.serviceName } : {}),
  };
}

/**
 * Creates the pod of `ordinal` at `revision`, with its claims; undefined
 * when the API server would refuse the pod, which a FailedCreate event on
 * the StatefulSet then says.
 */
export function createPod(
  ctx: ControllerContext,
  sts: KubeObject,
  ordinal: number,
  revision: string,
  nodes: readonly KubeObject[],
): KubeObject | undefined {
  const { cluster } = ctx;
  const ns = sts.metadata.namespace!;
  const stsName = sts.metadata.name;
  const podName = `${stsName}-${ordinal}`;
  const template = sts.spec?.template ?? {};
  const { zone, node } = placeOrdinal(cluster.zones, nodes, ordinal);
  // Claims come first, as upstream: they stay when the pod is refused.
  for (const t of sts.spec?.volumeClaimTemplates ?? []) {
    const claimName = `${t.metadata.name}-${stsName}-${ordinal}`;
    ensureClaim(ctx, sts, t, claimName, node, zone);
  }
  const spec = statefulPodSpec(sts, ordinal);
  const causes = podSpecErrors(spec);
  if (causes.length) {
    ctx.recordEvent?.(
      sts,
      'Warning',
      'FailedCreate',
      `create Pod ${podName} in StatefulSet ${stsName} failed error: ${podInvalidMessage(
        podName,
        causes,
      )}`,
    );
    return undefined;
  }
  const role = desiredPodRole(sts, ordinal);
  const pod: KubeObject = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: podName,
      namespace: ns,
      labels: {
        ...template.metadata?.labels,
        'controller-revision-hash': revision,
        'apps.kubernetes.io/pod-index': String(ordinal),
        'statefulset.kubernetes.io/pod-name': podName,
        ...(role ? { [POD_ROLE_LABEL]: role } : {}),
      },
      annotations: template.metadata?.annotations,
      ownerReferences: [ownerRef(sts)],
    },
    spec: {
      ...spec,
      ...(node ? { nodeName: node.metadata.name } : {}),
    },
    status: {
      phase: 'Pending',
      qosClass: 'BestEffort',
      conditions: [
        {
          type: 'PodScheduled',
          status: 'True',
          lastTransitionTime: isoSeconds(ctx.now()),
        },
      ],
    },
  };
  if (!pod.metadata.annotations) delete pod.metadata.annotations;
  const created = cluster.create(pod);
  ctx.recordEvent?.(
    sts,
    'Normal',
    'SuccessfulCreate',
    `create Pod ${podName} in StatefulSet ${stsName} successful`,
  );
  if (node) {
    ctx.recordEvent?.(
      created,
      'Normal',
      'Scheduled',
      `Successfully assigned ${ns}/${podName} to ${node.metadata.name}`,
      'default-scheduler',
    );
  }
  return created;
}
