/*
 * Plays the Strimzi cluster operator for `kafka.strimzi.io/v1` resources.
 *
 * A KRaft `Kafka` runs its nodes from the `KafkaNodePool`s labelled
 * `strimzi.io/cluster: <kafka>`: one `StrimziPodSet` `<kafka>-<pool>` per
 * pool owning the pods `<kafka>-<pool>-<node id>` (node ids unique across
 * the pools, kept while a pool keeps its size), data claims
 * `data-<kafka>-<pool>-<id>` (`data-<volume id>-…` for JBOD volumes), the
 * Services `<kafka>-kafka-bootstrap` and `<kafka>-kafka-brokers`, and one
 * bootstrap Service per external listener. The status publishes every
 * listener's bootstrap address (a load balancer's or route's host name
 * carries the Kubernetes cluster's name, so each cluster's address is its
 * own), the Kafka version, the cluster id and the node pools.
 *
 * A `KafkaMirrorMaker2` runs its Connect pods `<name>-mirrormaker2-<n>` and
 * reports one source (and checkpoint) connector per mirror. A mirror's
 * source is the Kafka, in any cluster of the world, whose status publishes
 * the mirror's bootstrap address (a `.svc` address only in the
 * MirrorMaker's own cluster). The lag of each mirrored flow is written as
 * the simulator's lag record on the target `Kafka`: it grows while the
 * source is cut off or down, or while the source connector is paused,
 * stopped or failed.
 *
 * Labels of a resource are propagated to what is made for it, as Strimzi
 * does.
 */
import { createHash } from 'node:crypto';
import { isoSeconds } from '../../api/timestamp';
import { placeOrdinal, zoneNodeAffinity } from '../instancePlacement';
import { lagIntervalMs, nextLag, type ReplicationSettings } from '../lagModel';
import {
  SIM_ENGINE,
  SIM_LAG_OBSERVED_AT,
  SIM_LAG_SECONDS,
  SIM_LAG_SOURCE,
} from '../metrics';
import type {
  ClusterApi,
  Controller,
  ControllerContext,
  KubeObject,
} from '../types';
import { ensure, jitter, ownedBy, setStatus } from './shared';

/** The API version of Strimzi's Kafka resources. */
export const STRIMZI_API = 'kafka.strimzi.io/v1';
/** The API version of Strimzi's pod sets. */
export const PODSET_API = 'core.strimzi.io/v1beta2';
/** The Strimzi release the simulated operator plays. */
export const OPERATOR_VERSION = '1.2.0';
/** The Kafka version a Kafka without `spec.kafka.version` runs. */
export const DEFAULT_KAFKA_VERSION = '4.1.0';

const CLUSTER = 'strimzi.io/cluster';
const KIND = 'strimzi.io/kind';
const NAME = 'strimzi.io/name';
const POOL = 'strimzi.io/pool-name';

type Labels = Record<string, string>;

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

const sorted = <T>(list: T[], key: (t: T) => string) =>
  [...list].sort((a, b) => key(a).localeCompare(key(b)));

function safeList(api: ClusterApi, kind: string): KubeObject[] {
  try {
    return api.list(STRIMZI_API, kind);
  } catch {
    // The CRD is not installed in this cluster: nothing to operate.
    return [];
  }
}

/** Strimzi's labels on everything made for one resource. */
function commonLabels(
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
function readyCondition(
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
function ensurePod(api: ClusterApi, pod: KubeObject, now: number): void {
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
function ensureClaim(
  api: ClusterApi,
  p: {
    namespace: string;
    name: string;
    labels: Labels;
    owner?: ReturnType<typeof ownerRef>;
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
  const storageClassName = p.storageClass ?? 'standard';
  const provisioner = `${storageClassName}.csi.simulator.local`;
  const claim = api.create({
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: {
      name: p.name,
      namespace: p.namespace,
      labels: p.labels,
      annotations: {
        'strimzi.io/delete-claim': String(!!p.owner),
        'pv.kubernetes.io/bind-completed': 'yes',
        'volume.beta.kubernetes.io/storage-provisioner': provisioner,
        ...(p.node ? { 'volume.kubernetes.io/selected-node': p.node } : {}),
      },
      ...(p.owner ? { ownerReferences: [p.owner] } : {}),
    },
    spec: {
      accessModes: ['ReadWriteOnce'],
      resources: { requests: { storage: p.size } },
      storageClassName,
      volumeMode: 'Filesystem',
    },
  });
  const volumeName = `pvc-${claim.metadata.uid}`;
  api.create({
    apiVersion: 'v1',
    kind: 'PersistentVolume',
    metadata: {
      name: volumeName,
      annotations: { 'pv.kubernetes.io/provisioned-by': provisioner },
    },
    spec: {
      capacity: { storage: p.size },
      accessModes: ['ReadWriteOnce'],
      persistentVolumeReclaimPolicy: p.owner ? 'Delete' : 'Retain',
      storageClassName,
      volumeMode: 'Filesystem',
      claimRef: {
        apiVersion: 'v1',
        kind: 'PersistentVolumeClaim',
        namespace: p.namespace,
        name: p.name,
        uid: claim.metadata.uid,
      },
      csi: {
        driver: provisioner,
        volumeHandle: `vol-${claim.metadata.uid}`,
        fsType: 'ext4',
      },
      ...zoneNodeAffinity(p.zone),
    },
    status: { phase: 'Bound' },
  });
  const bound = api.update({ ...claim, spec: { ...claim.spec, volumeName } });
  api.updateStatus({
    ...bound,
    status: {
      phase: 'Bound',
      accessModes: ['ReadWriteOnce'],
      capacity: { storage: p.size },
    },
  });
}

/** The persistent volumes of a pool's storage: id (for JBOD), size, class, deleteClaim. */
function persistentVolumesOf(storage: any): Array<{
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

interface ListenerStatus {
  name: string;
  addresses: Array<{ host: string; port: number }>;
  bootstrapServers: string;
}

/** What a listener publishes, and the Service it is reached through. */
function listenerOf(
  api: ClusterApi,
  kafka: KubeObject,
  listener: any,
): { status?: ListenerStatus; service?: KubeObject } {
  const name = kafka.metadata.name;
  const namespace = kafka.metadata.namespace ?? 'default';
  const port = Number(listener?.port);
  const lname = String(listener?.name ?? '');
  const internalHost = `${name}-kafka-bootstrap.${namespace}.svc`;
  const published = (host: string, p: number): ListenerStatus => ({
    name: lname,
    addresses: [{ host, port: p }],
    bootstrapServers: `${host}:${p}`,
  });
  switch (listener?.type) {
    case 'internal':
      return { status: published(internalHost, port) };
    case 'cluster-ip':
      return {
        status: published(
          `${name}-kafka-${lname}-bootstrap.${namespace}.svc`,
          port,
        ),
      };
    case 'loadbalancer':
    case 'route':
    case 'tlsroute':
    case 'ingress': {
      const lb = listener.type === 'loadbalancer';
      // A load balancer's host name is the cloud's; a route's or ingress's
      // may be set in the listener.
      const host: string =
        (!lb && listener.configuration?.bootstrap?.host) ||
        externalBootstrapHost(api.name, namespace, name, lname);
      return {
        status: published(host, lb ? port : 443),
        service: {
          apiVersion: 'v1',
          kind: 'Service',
          metadata: {
            name: `${name}-kafka-${lname}-bootstrap`,
            namespace,
            labels: {},
          },
          spec: {
            type: lb ? 'LoadBalancer' : 'ClusterIP',
            ports: [{ name: lname, port, targetPort: port, protocol: 'TCP' }],
          },
          status: lb ? { loadBalancer: { ingress: [{ hostname: host }] } } : {},
        },
      };
    }
    default:
      // A node port's address is a node's; nothing stable to publish here.
      return {};
  }
}

/** The pod of one Kafka node, as its pod set runs it. */
function nodePod(p: {
  kafka: KubeObject;
  pod: string;
  id: number;
  setName: string;
  owner: ReturnType<typeof ownerRef>;
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
function removeExtraNodes(
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

/** The Services every Kafka has, and one per external listener. */
function ensureKafkaServices(
  api: ClusterApi,
  kafka: KubeObject,
  labels: Labels,
  services: KubeObject[],
): void {
  const name = kafka.metadata.name;
  const namespace = kafka.metadata.namespace ?? 'default';
  const brokerSelector = {
    [CLUSTER]: name,
    [NAME]: `${name}-kafka`,
    [KIND]: 'Kafka',
    'strimzi.io/broker-role': 'true',
  };
  const internalPorts = (kafka.spec?.kafka?.listeners ?? [])
    .filter((l: any) => l?.type === 'internal')
    .map((l: any) => ({
      name: `tcp-${l.name}`,
      port: Number(l.port),
      targetPort: Number(l.port),
      protocol: 'TCP',
    }));
  const port = (n: string, p: number) => ({
    name: n,
    port: p,
    targetPort: p,
    protocol: 'TCP',
  });
  const metadata = (serviceName: string) => ({
    name: serviceName,
    namespace,
    labels,
    ownerReferences: ownedBy(kafka, false),
  });
  ensure(api, {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: metadata(`${name}-kafka-bootstrap`),
    spec: {
      type: 'ClusterIP',
      selector: brokerSelector,
      ports: [port('tcp-replication', 9091), ...internalPorts],
    },
  });
  ensure(api, {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: metadata(`${name}-kafka-brokers`),
    spec: {
      clusterIP: 'None',
      publishNotReadyAddresses: true,
      selector: { [CLUSTER]: name, [NAME]: `${name}-kafka`, [KIND]: 'Kafka' },
      ports: [
        port('tcp-ctrlplane', 9090),
        port('tcp-replication', 9091),
        ...internalPorts,
      ],
    },
  });
  for (const service of services) {
    const made = ensure(api, {
      ...service,
      metadata: metadata(service.metadata.name),
      spec: { ...service.spec, selector: brokerSelector },
    });
    setStatus(api, made, service.status);
  }
}

function reconcileKafka(
  ctx: ControllerContext,
  kafka: KubeObject,
  allPools: KubeObject[],
): void {
  const api = ctx.cluster;
  const now = ctx.now();
  const name = kafka.metadata.name;
  const namespace = kafka.metadata.namespace ?? 'default';
  const version: string = kafka.spec?.kafka?.version ?? DEFAULT_KAFKA_VERSION;
  const image: string = kafka.spec?.kafka?.image ?? kafkaImage(version);
  const pools = sorted(
    allPools.filter(
      p =>
        p.metadata.namespace === kafka.metadata.namespace &&
        p.metadata.labels?.[CLUSTER] === name,
    ),
    p => p.metadata.name,
  );
  const clusterId: string =
    kafka.status?.clusterId ??
    createHash('sha256')
      .update(`${api.name}/${kafka.metadata.uid ?? name}`)
      .digest('base64url')
      .slice(0, 22);
  const base = commonLabels(kafka, 'kafka', `${name}-kafka`);
  const podTemplateLabels: Labels =
    kafka.spec?.kafka?.template?.pod?.metadata?.labels ?? {};
  const nodes = api.list('v1', 'Node');
  const ids = assignNodeIds(pools);
  const wantedPods = new Set<string>();
  const wantedSets = new Set<string>();
  let roles = new Set<string>();
  let index = 0;

  for (const pool of pools) {
    const poolName = pool.metadata.name;
    const poolRoles: string[] = pool.spec?.roles ?? [];
    roles = new Set([...roles, ...poolRoles]);
    const setName = `${name}-${poolName}`;
    const poolLabels: Labels = {
      ...base,
      [POOL]: poolName,
      'strimzi.io/component-type': 'kafka',
      'strimzi.io/broker-role': String(poolRoles.includes('broker')),
      'strimzi.io/controller-role': String(poolRoles.includes('controller')),
    };
    const nodeIds = ids.get(poolName) ?? [];
    const podNames = nodeIds.map(id => `${setName}-${id}`);
    const podSet = ensure(api, {
      apiVersion: PODSET_API,
      kind: 'StrimziPodSet',
      metadata: {
        name: setName,
        namespace,
        labels: poolLabels,
        ownerReferences: ownedBy(kafka, false),
      },
      spec: {
        selector: {
          matchLabels: {
            [CLUSTER]: name,
            [NAME]: `${name}-kafka`,
            [KIND]: 'Kafka',
            [POOL]: poolName,
          },
        },
        pods: podNames.map(pod => ({ metadata: { name: pod } })),
      },
    });
    wantedSets.add(setName);
    const volumes = persistentVolumesOf(pool.spec?.storage);
    for (const id of nodeIds) {
      const pod = `${setName}-${id}`;
      wantedPods.add(pod);
      const { zone, node } = placeOrdinal(api.zones, nodes, index);
      index += 1;
      const claims = volumes.map(v => ({
        ...v,
        claim: v.id === undefined ? `data-${pod}` : `data-${v.id}-${pod}`,
      }));
      for (const c of claims) {
        ensureClaim(api, {
          namespace,
          name: c.claim,
          labels: { ...poolLabels },
          owner: c.deleteClaim ? ownedBy(kafka, false)[0] : undefined,
          size: c.size,
          storageClass: c.class,
          zone,
          node: node?.metadata.name,
        });
      }
      ensurePod(
        api,
        nodePod({
          kafka,
          pod,
          id,
          setName,
          owner: ownedBy(podSet, false)[0],
          labels: { ...podTemplateLabels, ...poolLabels },
          image,
          version,
          node: node?.metadata.name,
          claims,
        }),
        now,
      );
    }
    const readyIds = nodeIds;
    setStatus(api, podSet, {
      observedGeneration: podSet.metadata.generation,
      pods: podNames.length,
      readyPods: podNames.length,
      currentPods: podNames.length,
    });
    setStatus(api, pool, {
      observedGeneration: pool.metadata.generation,
      nodeIds: readyIds,
      clusterId,
      roles: poolRoles,
      replicas: readyIds.length,
      labelSelector: `${CLUSTER}=${name},${NAME}=${name}-kafka,${KIND}=Kafka,${POOL}=${poolName}`,
    });
  }

  removeExtraNodes(api, kafka, wantedPods, wantedSets);
  const listeners = (kafka.spec?.kafka?.listeners ?? []).map((l: any) =>
    listenerOf(api, kafka, l),
  );
  ensureKafkaServices(
    api,
    kafka,
    base,
    listeners.flatMap((l: { service?: KubeObject }) =>
      l.service ? [l.service] : [],
    ),
  );

  const missing = ['broker', 'controller'].filter(r => !roles.has(r));
  const ready = missing.length === 0;
  const [major, minor] = version.split('.');
  setStatus(api, kafka, {
    conditions: readyCondition(
      kafka,
      ready,
      now,
      ready ? undefined : 'InvalidResourceException',
      ready
        ? undefined
        : `The Kafka cluster ${name} has no KafkaNodePool with the ${missing.join(
            ' and ',
          )} role`,
    ),
    observedGeneration: kafka.metadata.generation,
    listeners: listeners.flatMap((l: { status?: ListenerStatus }) =>
      l.status ? [l.status] : [],
    ),
    kafkaNodePools: pools.map(p => ({ name: p.metadata.name })),
    clusterId,
    operatorLastSuccessfulVersion: OPERATOR_VERSION,
    kafkaVersion: version,
    kafkaMetadataVersion:
      kafka.spec?.kafka?.metadataVersion ?? `${major}.${minor ?? 0}-IV0`,
  });
}

/** `host:port` entries of a bootstrap list, with in-cluster names made whole. */
export function bootstrapAddresses(
  servers: string | undefined,
  namespace: string,
): string[] {
  return String(servers ?? '')
    .split(',')
    .map(s => s.trim().toLowerCase())
    .filter(Boolean)
    .map(s => {
      const [host, port] = s.split(':');
      let h = host.replace(/\.cluster\.local\.?$/, '');
      if (!h.includes('.')) h = `${h}.${namespace}.svc`;
      else if (/^[^.]+\.[^.]+$/.test(h)) h = `${h}.svc`;
      return `${h}:${port ?? '9092'}`;
    });
}

/** The Kafka of one cluster whose status publishes one of these addresses. */
function kafkaPublishing(
  api: ClusterApi,
  addresses: string[],
): KubeObject | undefined {
  return safeList(api, 'Kafka').find(k =>
    (k.status?.listeners ?? []).some((l: any) =>
      bootstrapAddresses(
        l?.bootstrapServers,
        k.metadata.namespace ?? 'default',
      ).some(a => addresses.includes(a)),
    ),
  );
}

/**
 * Where a mirror's source is: the cluster and Kafka publishing its
 * bootstrap address. `.svc` addresses resolve in the MirrorMaker's own
 * cluster only.
 */
function locate(
  ctx: ControllerContext,
  servers: string | undefined,
  namespace: string,
): { cluster: string; kafka: KubeObject } | undefined {
  const addresses = bootstrapAddresses(servers, namespace);
  const own = kafkaPublishing(ctx.cluster, addresses);
  if (own) return { cluster: ctx.cluster.name, kafka: own };
  if (addresses.every(a => a.split(':')[0].endsWith('.svc'))) return undefined;
  for (const [name, api] of ctx.clusters) {
    if (name === ctx.cluster.name) continue;
    const kafka = kafkaPublishing(api, addresses);
    if (kafka) return { cluster: name, kafka };
  }
  return undefined;
}

const CONNECTOR_STATES: Record<string, string> = {
  paused: 'PAUSED',
  stopped: 'STOPPED',
  running: 'RUNNING',
};

/** Moves the lag record on the target Kafka one step of the lag model. */
function writeLag(
  ctx: ControllerContext,
  target: KubeObject,
  source: string,
  flowing: boolean,
): void {
  const api = ctx.cluster;
  const now = ctx.now();
  const settings = (ctx.replication ?? {}) as ReplicationSettings;
  const current = api.get(
    STRIMZI_API,
    'Kafka',
    target.metadata.namespace,
    target.metadata.name,
  );
  if (!current) return;
  const a = current.metadata.annotations ?? {};
  const prevAt = Date.parse(a[SIM_LAG_OBSERVED_AT] ?? '');
  const sameSource = a[SIM_LAG_SOURCE] === source;
  if (
    sameSource &&
    Number.isFinite(prevAt) &&
    now - prevAt < lagIntervalMs(settings)
  ) {
    return;
  }
  const cut =
    !flowing || ctx.isDown(source) || ctx.isPartitioned(source, api.name);
  const measured = nextLag(
    sameSource && Number.isFinite(prevAt)
      ? { lag: Number(a[SIM_LAG_SECONDS]) || 0, at: prevAt }
      : undefined,
    now,
    { cut, quiesced: false },
    settings,
    jitter(now, `${api.name}/${target.metadata.name}`),
  );
  api.update({
    ...current,
    metadata: {
      ...current.metadata,
      annotations: {
        ...a,
        [SIM_LAG_SECONDS]: String(Math.round(measured.lag * 1000) / 1000),
        [SIM_LAG_SOURCE]: source,
        [SIM_LAG_OBSERVED_AT]: isoSeconds(now),
        [SIM_ENGINE]: 'kafka',
      },
    },
  });
}

function connectorStatus(
  name: string,
  state: string,
  worker: string,
  trace?: string,
) {
  return {
    name,
    connector: { state, worker_id: worker },
    tasks: [
      {
        id: 0,
        state,
        worker_id: worker,
        ...(trace ? { trace } : {}),
      },
    ],
    type: 'source',
  };
}

/** Runs one MirrorMaker 2; answers the target Kafkas it wrote a lag record on. */
function reconcileMirrorMaker2(
  ctx: ControllerContext,
  mm2: KubeObject,
): string[] {
  const api = ctx.cluster;
  const now = ctx.now();
  const name = mm2.metadata.name;
  const namespace = mm2.metadata.namespace ?? 'default';
  const version: string = mm2.spec?.version ?? DEFAULT_KAFKA_VERSION;
  const image: string = mm2.spec?.image ?? kafkaImage(version);
  const replicas = Math.max(0, Number(mm2.spec?.replicas ?? 1));
  const setName = `${name}-mirrormaker2`;
  const labels: Labels = {
    ...commonLabels(mm2, 'kafka-mirror-maker-2', setName),
    'strimzi.io/component-type': 'kafka-mirror-maker-2',
  };
  const podNames = Array.from(
    { length: replicas },
    (_, i) => `${setName}-${i}`,
  );
  const podSet = ensure(api, {
    apiVersion: PODSET_API,
    kind: 'StrimziPodSet',
    metadata: {
      name: setName,
      namespace,
      labels,
      ownerReferences: ownedBy(mm2, false),
    },
    spec: {
      selector: {
        matchLabels: {
          [CLUSTER]: name,
          [NAME]: setName,
          [KIND]: 'KafkaMirrorMaker2',
        },
      },
      pods: podNames.map(pod => ({ metadata: { name: pod } })),
    },
  });
  const nodes = api.list('v1', 'Node');
  podNames.forEach((pod, i) => {
    const { node } = placeOrdinal(api.zones, nodes, i);
    ensurePod(
      api,
      {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: {
          name: pod,
          namespace,
          labels: {
            ...(mm2.spec?.template?.pod?.metadata?.labels ?? {}),
            ...labels,
            'strimzi.io/controller': 'strimzipodset',
            'strimzi.io/controller-name': setName,
          },
          ownerReferences: ownedBy(podSet, false),
        },
        spec: {
          hostname: pod,
          ...(node ? { nodeName: node.metadata.name } : {}),
          containers: [
            {
              name: setName,
              image,
              ports: [
                { name: 'tcp-rest', containerPort: 8083, protocol: 'TCP' },
              ],
            },
          ],
        },
      },
      now,
    );
  });
  for (const pod of api.list('v1', 'Pod', namespace)) {
    const l = pod.metadata.labels ?? {};
    if (
      l[CLUSTER] === name &&
      l[KIND] === 'KafkaMirrorMaker2' &&
      !podNames.includes(pod.metadata.name)
    ) {
      api.delete('v1', 'Pod', namespace, pod.metadata.name);
    }
  }
  setStatus(api, podSet, {
    observedGeneration: podSet.metadata.generation,
    pods: replicas,
    readyPods: replicas,
    currentPods: replicas,
  });
  ensure(api, {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: {
      name: `${setName}-api`,
      namespace,
      labels,
      ownerReferences: ownedBy(mm2, false),
    },
    spec: {
      type: 'ClusterIP',
      selector: {
        [CLUSTER]: name,
        [NAME]: setName,
        [KIND]: 'KafkaMirrorMaker2',
      },
      ports: [
        { name: 'rest-api', port: 8083, targetPort: 8083, protocol: 'TCP' },
      ],
    },
  });

  const worker = `${setName}-0.${setName}.${namespace}.svc:8083`;
  const targetAlias: string = mm2.spec?.target?.alias ?? 'target';
  const target = locate(ctx, mm2.spec?.target?.bootstrapServers, namespace);
  const connectors: unknown[] = [];
  const written: string[] = [];
  for (const mirror of mm2.spec?.mirrors ?? []) {
    const sourceAlias: string = mirror?.source?.alias ?? 'source';
    const source = locate(ctx, mirror?.source?.bootstrapServers, namespace);
    const wanted =
      CONNECTOR_STATES[mirror?.sourceConnector?.state ?? 'running'] ??
      'RUNNING';
    const reachable = !!source && !!target && replicas > 0;
    const state = reachable ? wanted : 'FAILED';
    const trace = reachable
      ? undefined
      : `org.apache.kafka.common.errors.TimeoutException: no Kafka answers at ${
          source
            ? mm2.spec?.target?.bootstrapServers
            : mirror?.source?.bootstrapServers
        }`;
    const prefix = `${sourceAlias}->${targetAlias}`;
    connectors.push(
      connectorStatus(`${prefix}.MirrorSourceConnector`, state, worker, trace),
    );
    if (mirror?.checkpointConnector) {
      const checkpoint =
        CONNECTOR_STATES[mirror.checkpointConnector.state ?? 'running'] ??
        'RUNNING';
      connectors.push(
        connectorStatus(
          `${prefix}.MirrorCheckpointConnector`,
          reachable ? checkpoint : 'FAILED',
          worker,
          trace,
        ),
      );
    }
    // The lag is measured where the data lands: on the target Kafka.
    if (
      source &&
      target &&
      target.cluster === api.name &&
      !written.includes(target.kafka.metadata.name)
    ) {
      writeLag(ctx, target.kafka, source.cluster, state === 'RUNNING');
      written.push(target.kafka.metadata.name);
    }
  }
  let problem: string | undefined;
  if (replicas === 0) problem = 'MirrorMaker 2 runs no replicas';
  else if (!target) {
    problem = `No Kafka answers at the target ${mm2.spec?.target?.bootstrapServers}`;
  }
  setStatus(api, mm2, {
    conditions: readyCondition(
      mm2,
      !problem,
      now,
      problem ? 'TimeoutException' : undefined,
      problem,
    ),
    observedGeneration: mm2.metadata.generation,
    url: `http://${setName}-api.${namespace}.svc:8083`,
    connectors,
    labelSelector: `${CLUSTER}=${name},${NAME}=${setName},${KIND}=KafkaMirrorMaker2`,
    replicas,
  });
  return written;
}

/** Drops the lag record of Kafkas no MirrorMaker 2 mirrors into any more. */
function clearStaleLag(
  api: ClusterApi,
  kafkas: KubeObject[],
  targets: Set<string>,
): void {
  for (const kafka of kafkas) {
    const key = `${kafka.metadata.namespace}/${kafka.metadata.name}`;
    const current = api.get(
      STRIMZI_API,
      'Kafka',
      kafka.metadata.namespace,
      kafka.metadata.name,
    );
    const a = current?.metadata.annotations ?? {};
    if (!current || targets.has(key) || a[SIM_LAG_SOURCE] === undefined)
      continue;
    const rest = Object.fromEntries(
      Object.entries(a).filter(
        ([k]) =>
          ![
            SIM_LAG_SECONDS,
            SIM_LAG_SOURCE,
            SIM_LAG_OBSERVED_AT,
            SIM_ENGINE,
          ].includes(k),
      ),
    );
    api.update({
      ...current,
      metadata: { ...current.metadata, annotations: rest },
    });
  }
}

/** The Strimzi cluster operator, run in every cluster that has its CRDs. */
export function strimziController(): Controller {
  return {
    name: 'strimzi',
    reconcile(ctx) {
      if (ctx.isDown(ctx.cluster.name)) return;
      const api = ctx.cluster;
      const kafkas = safeList(api, 'Kafka').filter(
        k => !k.metadata.deletionTimestamp,
      );
      if (kafkas.length) {
        const pools = safeList(api, 'KafkaNodePool');
        for (const kafka of kafkas) reconcileKafka(ctx, kafka, pools);
      }
      const targets = new Set<string>();
      for (const mm2 of safeList(api, 'KafkaMirrorMaker2')) {
        if (mm2.metadata.deletionTimestamp) continue;
        const namespace = mm2.metadata.namespace ?? 'default';
        for (const kafka of reconcileMirrorMaker2(ctx, mm2)) {
          targets.add(`${namespace}/${kafka}`);
        }
      }
      clearStaleLag(api, kafkas, targets);
    },
  };
}
