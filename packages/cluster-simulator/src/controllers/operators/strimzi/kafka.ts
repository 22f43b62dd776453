/*
 * The simulated Strimzi operator's Kafka: node ids across the node pools,
 * one StrimziPodSet per pool with its pods and claims, the bootstrap and
 * broker Services, one Service per external listener, and the status that
 * publishes every listener's bootstrap address.
 */
import { createHash } from 'node:crypto';
import { placeOrdinal } from '../../instancePlacement';
import {
  type ClusterApi,
  type ControllerContext,
  type KubeObject,
} from '../../types';
import { ensure, ownedBy, setStatus } from '../shared';
import {
  CLUSTER,
  commonLabels,
  DEFAULT_KAFKA_VERSION,
  ensureClaim,
  ensurePod,
  externalBootstrapHost,
  kafkaImage,
  KIND,
  Labels,
  NAME,
  OPERATOR_VERSION,
  PODSET_API,
  POOL,
  readyCondition,
  sorted,
} from './resources';

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

export function reconcileKafka(
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
