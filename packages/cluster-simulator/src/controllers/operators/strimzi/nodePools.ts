/*
 * The simulated Strimzi operator's node pools: node ids across the pools,
 * each pool's persistent volumes, the pod of one node as its pod set runs
 * it, and the pods, claims and volumes of nodes no pool holds any more.
 */
import { type ClusterApi, type KubeObject } from '../../types';
import { ownedBy } from '../shared';
import { CLUSTER, KIND, Labels, PODSET_API } from './resources';

/** The persistent volumes of a pool's storage: id (for JBOD), size, class, deleteClaim. */
export function persistentVolumesOf(storage: any): Array<{
  id?: number;
  size: string;
  class?: string;
  deleteClaim: boolean;
}> {
  const one = (v: any, jbod: boolean) =>
    v?.type === 'persistent-claim'
      ? [
          {
            ...(jbod ? { id: Number(v.id ?? 0) } : {}),
            size: v.size ?? '1Gi',
            class: v.class,
            deleteClaim: v.deleteClaim === true,
          },
        ]
      : [];
  if (storage?.type === 'jbod') {
    return (storage.volumes ?? []).flatMap((v: any) => one(v, true));
  }
  return one(storage, false);
}

/**
 * Node ids per pool: a pool keeps its ids (dropping the highest when it
 * shrinks) and new nodes take the lowest ids no pool holds.
 */
export function assignNodeIds(pools: KubeObject[]): Map<string, number[]> {
  const kept = new Map<string, number[]>();
  const used = new Set<number>();
  for (const pool of pools) {
    const replicas = Math.max(0, Number(pool.spec?.replicas ?? 0));
    const previous: number[] = [...(pool.status?.nodeIds ?? [])]
      .map(Number)
      .filter(n => Number.isInteger(n) && !used.has(n))
      .sort((a, b) => a - b)
      .slice(0, replicas);
    previous.forEach(n => used.add(n));
    kept.set(pool.metadata.name, previous);
  }
  let next = 0;
  for (const pool of pools) {
    const ids = kept.get(pool.metadata.name)!;
    const replicas = Math.max(0, Number(pool.spec?.replicas ?? 0));
    while (ids.length < replicas) {
      while (used.has(next)) next += 1;
      ids.push(next);
      used.add(next);
    }
    ids.sort((a, b) => a - b);
  }
  return kept;
}

/** The pod of one Kafka node, as its pod set runs it. */
export function nodePod(p: {
  kafka: KubeObject;
  pod: string;
  id: number;
  setName: string;
  owner: ReturnType<typeof ownedBy>[number];
  labels: Labels;
  image: string;
  version: string;
  node?: string;
  claims: Array<{ id?: number; claim: string }>;
}): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: p.pod,
      namespace: p.kafka.metadata.namespace,
      labels: {
        ...p.labels,
        'strimzi.io/controller': 'strimzipodset',
        'strimzi.io/controller-name': p.setName,
        'statefulset.kubernetes.io/pod-name': p.pod,
      },
      annotations: { 'strimzi.io/kafka-version': p.version },
      ownerReferences: [p.owner],
    },
    spec: {
      hostname: p.pod,
      subdomain: `${p.kafka.metadata.name}-kafka-brokers`,
      ...(p.node ? { nodeName: p.node } : {}),
      containers: [
        {
          name: 'kafka',
          image: p.image,
          env: [{ name: 'STRIMZI_KAFKA_NODE_ID', value: String(p.id) }],
          ports: [
            { name: 'tcp-ctrlplane', containerPort: 9090, protocol: 'TCP' },
            { name: 'tcp-replication', containerPort: 9091, protocol: 'TCP' },
          ],
        },
      ],
      volumes: p.claims.length
        ? p.claims.map(c => ({
            name: c.id === undefined ? 'data' : `data-${c.id}`,
            persistentVolumeClaim: { claimName: c.claim },
          }))
        : [{ name: 'data', emptyDir: {} }],
    },
  };
}

/**
 * Removes the nodes no pool runs any more, with their claims when the
 * storage says `deleteClaim: true`.
 */
export function removeExtraNodes(
  api: ClusterApi,
  kafka: KubeObject,
  wantedPods: Set<string>,
  wantedSets: Set<string>,
): void {
  const name = kafka.metadata.name;
  const namespace = kafka.metadata.namespace ?? 'default';
  const ours = (o: KubeObject) =>
    o.metadata.labels?.[CLUSTER] === name &&
    o.metadata.labels?.[KIND] === 'Kafka';
  for (const pod of api.list('v1', 'Pod', namespace)) {
    if (ours(pod) && !wantedPods.has(pod.metadata.name)) {
      api.delete('v1', 'Pod', namespace, pod.metadata.name);
    }
  }
  for (const set of api.list(PODSET_API, 'StrimziPodSet', namespace)) {
    if (ours(set) && !wantedSets.has(set.metadata.name)) {
      api.delete(PODSET_API, 'StrimziPodSet', namespace, set.metadata.name);
    }
  }
  for (const claim of api.list('v1', 'PersistentVolumeClaim', namespace)) {
    const pod = claim.metadata.name.replace(/^data-(\d+-)?/, '');
    if (
      !ours(claim) ||
      wantedPods.has(pod) ||
      claim.metadata.annotations?.['strimzi.io/delete-claim'] !== 'true'
    ) {
      continue;
    }
    api.delete('v1', 'PersistentVolumeClaim', namespace, claim.metadata.name);
    const volume = claim.spec?.volumeName;
    if (volume && api.get('v1', 'PersistentVolume', undefined, volume)) {
      api.delete('v1', 'PersistentVolume', undefined, volume);
    }
  }
}
