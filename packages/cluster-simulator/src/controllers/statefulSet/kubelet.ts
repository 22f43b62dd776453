// The kubelet's part: a pending pod starts Running and Ready, with its IPs,
// container statuses and the events `kubectl describe` shows.
import { createHash } from 'node:crypto';
import { isoSeconds } from '../../api/timestamp';
import type { ControllerContext, KubeObject } from '../types';

function hashIp(s: string, prefix: string): string {
  const h = createHash('md5').update(s).digest();
  return `${prefix}.${h[0]}.${(h[1] % 253) + 1}`;
}

/** Runs a pending pod; undefined when it is gone meanwhile. */
export function markRunning(
  ctx: ControllerContext,
  p: KubeObject,
): KubeObject | undefined {
  const t = isoSeconds(ctx.now());
  const fresh = ctx.cluster.get(
    'v1',
    'Pod',
    p.metadata.namespace,
    p.metadata.name,
  );
  if (!fresh) return undefined;
  const node = fresh.spec?.nodeName
    ? ctx.cluster.get('v1', 'Node', undefined, fresh.spec.nodeName)
    : undefined;
  const hostIP =
    node?.status?.addresses?.find((a: any) => a.type === 'InternalIP')
      ?.address ?? '10.0.0.1';
  const podIP = hashIp(
    `${ctx.cluster.name}/${fresh.metadata.namespace}/${fresh.metadata.name}`,
    '10.244',
  );
  const cond = (type: string) => ({
    type,
    status: 'True',
    lastProbeTime: null,
    lastTransitionTime: t,
  });
  for (const c of fresh.spec?.containers ?? []) {
    const say = (reason: string, message: string) =>
      ctx.recordEvent?.(fresh, 'Normal', reason, message, 'kubelet');
    say('Pulled', `Container image "${c.image}" already present on machine`);
    say('Created', `Created container: ${c.name}`);
    say('Started', `Started container ${c.name}`);
  }
  return ctx.cluster.updateStatus({
    ...fresh,
    status: {
      phase: 'Running',
      qosClass: 'BestEffort',
      hostIP,
      hostIPs: [{ ip: hostIP }],
      podIP,
      podIPs: [{ ip: podIP }],
      startTime: fresh.metadata.creationTimestamp,
      conditions: [
        cond('PodReadyToStartContainers'),
        cond('Initialized'),
        cond('Ready'),
        cond('ContainersReady'),
        cond('PodScheduled'),
      ],
      containerStatuses: (fresh.spec?.containers ?? []).map((c: any) => ({
        name: c.name,
        image: c.image,
        imageID: `${c.image}@sha256:${createHash('sha256')
          .update(String(c.image))
          .digest('hex')}`,
        containerID: `containerd://${createHash('sha256')
          .update(`${fresh.metadata.uid}/${c.name}`)
          .digest('hex')}`,
        ready: true,
        started: true,
        restartCount: 0,
        state: { running: { startedAt: t } },
        lastState: {},
      })),
    },
  });
}
