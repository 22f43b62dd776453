/*
 * The simulated Strimzi operator's Kafka: node ids across the node pools,
 * one StrimziPodSet per pool with its pods and claims, the bootstrap and
 * broker Services, one Service per external listener, and the status that
 * publishes every listener's bootstrap address.
 */
import { createHash } from 'node:crypto';
import { placeOrdinal } from '../../instancePlacement';
import { type ControllerContext, type KubeObject } from '../../types';
import { ensure, ownedBy, setStatus } from '../shared';
import {
  CLUSTER,
  commonLabels,
  DEFAULT_KAFKA_VERSION,
  ensureClaim,
  ensurePod,
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
import { ensureKafkaServices, listenerOf, ListenerStatus } from './listeners';
import {
  assignNodeIds,
  nodePod,
  persistentVolumesOf,
  removeExtraNodes,
} from './nodePools';

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

/** Whether a Kafka's status publishes one of these bootstrap addresses. */
export function publishesAddress(
  kafka: KubeObject,
  addresses: string[],
): boolean {
  return (kafka.status?.listeners ?? []).some((l: any) =>
    bootstrapAddresses(
      l?.bootstrapServers,
      kafka.metadata.namespace ?? 'default',
    ).some(a => addresses.includes(a)),
  );
}
