/*
 * What the simulated Strimzi operator makes everything from: its API
 * versions and labels, the Kafka image, the pods and claims of a
 * StrimziPodSet, and the Ready condition it reports.
 */
import { isoSeconds } from '../../../api/timestamp';
import { provisionClaim } from '../../dynamicProvisioning';
import { type ClusterApi, type KubeObject } from '../../types';
import type { ownedBy } from '../shared';

/** The API version of Strimzi's Kafka resources. */
export const STRIMZI_API = 'kafka.strimzi.io/v1';
/** The API version of Strimzi's pod sets. */
export const PODSET_API = 'core.strimzi.io/v1beta2';
/** The Strimzi release the simulated operator plays. */
export const OPERATOR_VERSION = '1.2.0';
/** The Kafka version a Kafka without `spec.kafka.version` runs. */
export const DEFAULT_KAFKA_VERSION = '4.1.0';

export const CLUSTER = 'strimzi.io/cluster';
export const KIND = 'strimzi.io/kind';
export const NAME = 'strimzi.io/name';
export const POOL = 'strimzi.io/pool-name';

export type Labels = Record<string, string>;

/** The image Strimzi runs for a Kafka version (`<operator>-kafka-<kafka>`). */
export function kafkaImage(version: string): string {
  return `quay.io/strimzi/kafka:${OPERATOR_VERSION}-kafka-${version}`;
}

/**
 * The host name of an external listener's bootstrap load balancer or route:
 * stable, and naming the Kubernetes cluster, as a cloud's would.
 */
export function externalBootstrapHost(
  cluster: string,
  namespace: string,
  kafka: string,
  listener: string,
): string {
  return `${kafka}-kafka-${listener}-bootstrap-${namespace}.${cluster}.lb.simulator.local`;
}

export const sorted = <T>(list: T[], key: (t: T) => string) =>
  [...list].sort((a, b) => key(a).localeCompare(key(b)));

export function safeList(api: ClusterApi, kind: string): KubeObject[] {
  try {
    return api.list(STRIMZI_API, kind);
  } catch {
    // The CRD is not installed in this cluster: nothing to operate.
    return [];
  }
}

/** Strimzi's labels on everything made for one resource. */
export function commonLabels(
  resource: KubeObject,
  appName: string,
  strimziName: string,
): Labels {
  const name = resource.metadata.name;
  return {
    ...resource.metadata.labels,
    [CLUSTER]: name,
    [KIND]: resource.kind,
    [NAME]: strimziName,
    'app.kubernetes.io/name': appName,
    'app.kubernetes.io/instance': name,
    'app.kubernetes.io/part-of': `strimzi-${name}`,
    'app.kubernetes.io/managed-by': 'strimzi-cluster-operator',
  };
}

/** A `Ready` condition, keeping its transition time while its status holds. */
export function readyCondition(
  previous: KubeObject,
  ready: boolean,
  now: number,
  reason?: string,
  message?: string,
) {
  const old = (previous.status?.conditions ?? []).find(
    (c: any) => c?.type === 'Ready',
  );
  const status = ready ? 'True' : 'False';
  return [
    {
      type: 'Ready',
      status,
      lastTransitionTime:
        old?.status === status ? old.lastTransitionTime : isoSeconds(now),
      ...(reason ? { reason } : {}),
      ...(message ? { message } : {}),
    },
  ];
}

function podStatus(
  ready: boolean,
  container: string,
  image: string,
  at: string,
) {
  const flag = ready ? 'True' : 'False';
  return {
    phase: 'Running',
    conditions: ['PodScheduled', 'Initialized', 'ContainersReady', 'Ready'].map(
      type => ({
        type,
        status:
          type === 'PodScheduled' || type === 'Initialized' ? 'True' : flag,
        lastTransitionTime: at,
      }),
    ),
    startTime: at,
    containerStatuses: [
      {
        name: container,
        image,
        imageID: '',
        ready,
        started: true,
        restartCount: 0,
        state: { running: { startedAt: at } },
      },
    ],
  };
}

/** Creates a pod, or updates its labels; pods are never rebuilt in place. */
export function ensurePod(api: ClusterApi, pod: KubeObject, now: number): void {
  const existing = api.get(
    'v1',
    'Pod',
    pod.metadata.namespace,
    pod.metadata.name,
  );
  if (!existing) {
    const container = pod.spec.containers[0];
    api.create({
      ...pod,
      status: podStatus(true, container.name, container.image, isoSeconds(now)),
    });
    return;
  }
  const changed = Object.entries(pod.metadata.labels ?? {}).some(
    ([k, v]) => existing.metadata.labels?.[k] !== v,
  );
  if (changed) {
    api.update({
      ...existing,
      metadata: {
        ...existing.metadata,
        labels: { ...existing.metadata.labels, ...pod.metadata.labels },
      },
    });
  }
}

/** A dynamically provisioned claim and its volume, bound at once. */
export function ensureClaim(
  api: ClusterApi,
  p: {
    namespace: string;
    name: string;
    labels: Labels;
    owner?: ReturnType<typeof ownedBy>[number];
    size: string;
    storageClass?: string;
    zone?: string;
    node?: string;
  },
): void {
  const existing = api.get('v1', 'PersistentVolumeClaim', p.namespace, p.name);
  if (existing) {
    // deleteClaim may change later: the claim's annotation and owner follow.
    const deleteClaim = String(!!p.owner);
    if (
      existing.metadata.annotations?.['strimzi.io/delete-claim'] !== deleteClaim
    ) {
      const { ownerReferences: _dropped, ...metadata } = existing.metadata;
      api.update({
        ...existing,
        metadata: {
          ...metadata,
          annotations: {
            ...existing.metadata.annotations,
            'strimzi.io/delete-claim': deleteClaim,
          },
          ...(p.owner ? { ownerReferences: [p.owner] } : {}),
        },
      });
    }
    return;
  }
  provisionClaim(
    api,
    {
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: {
        name: p.name,
        namespace: p.namespace,
        labels: p.labels,
        annotations: { 'strimzi.io/delete-claim': String(!!p.owner) },
        ...(p.owner ? { ownerReferences: [p.owner] } : {}),
      },
      spec: {
        resources: { requests: { storage: p.size } },
        storageClassName: p.storageClass ?? 'standard',
      },
    },
    { zone: p.zone, node: p.node, retain: !p.owner },
  );
}
