// The pod of a CloudNativePG instance: created with its role labels and
// readiness, then kept in step as the instance's role and fencing change.
import type { Placement } from './instanceClaims';
import type { Role } from './clusterResource';
import { isoSeconds } from '../../api/timestamp';
import type { ClusterApi } from '../types';

function podStatus(
  ready: boolean,
  index: number,
  image: string,
  startedAt: string,
): Record<string, unknown> {
  const flag = ready ? 'True' : 'False';
  return {
    phase: 'Running',
    conditions: [
      { type: 'PodScheduled', status: 'True', lastTransitionTime: startedAt },
      { type: 'Initialized', status: 'True', lastTransitionTime: startedAt },
      { type: 'ContainersReady', status: flag, lastTransitionTime: startedAt },
      { type: 'Ready', status: flag, lastTransitionTime: startedAt },
    ],
    podIP: `10.42.${Math.floor(index / 250)}.${(index % 250) + 2}`,
    startTime: startedAt,
    containerStatuses: [
      {
        name: 'postgres',
        image,
        imageID: '',
        ready,
        started: true,
        restartCount: 0,
        state: { running: { startedAt } },
      },
    ],
  };
}

/** Creates the instance's pod, or moves its role labels and readiness. */
export function ensurePod(
  api: ClusterApi,
  p: {
    placement: Placement;
    namespace: string;
    cluster: string;
    pod: string;
    index: number;
    role: Role;
    ready: boolean;
    image: string;
    resources: unknown;
    inherited: {
      labels?: Record<string, string>;
      annotations?: Record<string, string>;
    };
    owner: any;
    now: number;
  },
): void {
  const labels = {
    ...p.inherited.labels,
    'cnpg.io/cluster': p.cluster,
    'cnpg.io/instanceName': p.pod,
    'cnpg.io/podRole': 'instance',
    'cnpg.io/instanceRole': p.role,
    // The legacy label CloudNativePG still sets beside cnpg.io/instanceRole.
    role: p.role,
  };
  const existing = api.get('v1', 'Pod', p.namespace, p.pod);
  if (!existing) {
    api.create({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        name: p.pod,
        namespace: p.namespace,
        labels,
        annotations: {
          ...p.inherited.annotations,
          'cnpg.io/nodeSerial': String(p.index),
        },
        ownerReferences: [p.owner],
      },
      spec: {
        hostname: p.pod,
        ...(p.placement.node ? { nodeName: p.placement.node } : {}),
        containers: [
          {
            name: 'postgres',
            image: p.image,
            ports: [
              { name: 'postgresql', containerPort: 5432, protocol: 'TCP' },
            ],
            resources: p.resources ?? {},
          },
        ],
        volumes: [
          { name: 'pgdata', persistentVolumeClaim: { claimName: p.pod } },
        ],
      },
      status: podStatus(p.ready, p.index, p.image, isoSeconds(p.now)),
    });
    return;
  }
  const labelsChanged = Object.entries(labels).some(
    ([k, v]) => existing.metadata.labels?.[k] !== v,
  );
  let current = existing;
  if (labelsChanged) {
    current = api.update({
      ...existing,
      metadata: {
        ...existing.metadata,
        labels: { ...existing.metadata.labels, ...labels },
      },
    });
  }
  const isReady = (current.status?.conditions ?? []).some(
    (c: any) => c.type === 'Ready' && c.status === 'True',
  );
  if (isReady !== p.ready) {
    const startedAt = current.status?.startTime ?? isoSeconds(p.now);
    api.updateStatus({
      ...current,
      status: podStatus(p.ready, p.index, p.image, startedAt),
    });
  }
}
