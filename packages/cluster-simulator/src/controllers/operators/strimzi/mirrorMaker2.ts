/*
 * The simulated Strimzi operator's KafkaMirrorMaker2: its Connect pods, the
 * connectors of each mirror and their states, where each mirror's source
 * runs (the Kafka publishing its bootstrap address), and the lag record of
 * each mirrored flow on the target Kafka.
 */
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
  ensurePod,
  kafkaImage,
  KIND,
  Labels,
  NAME,
  PODSET_API,
  readyCondition,
  safeList,
} from './resources';
import { bootstrapAddresses, publishesAddress } from './kafka';
import { clearRemoteLag, writeLag } from './mirrorMaker2Lag';

export { clearStaleLag } from './mirrorMaker2Lag';

/** The Kafka of one cluster whose status publishes one of these addresses. */
function kafkaPublishing(
  api: ClusterApi,
  addresses: string[],
): KubeObject | undefined {
  return safeList(api, 'Kafka').find(k => publishesAddress(k, addresses));
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
export function reconcileMirrorMaker2(
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
  const writer = `${api.name}/${namespace}/${name}`;
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
    // The lag is measured where the data lands: on the target Kafka, in
    // this cluster or, for a mirror reversed by its spec, in another.
    if (
      source &&
      target &&
      !written.includes(`${target.cluster}/${target.kafka.metadata.name}`)
    ) {
      writeLag(ctx, target, source.cluster, writer);
      written.push(`${target.cluster}/${target.kafka.metadata.name}`);
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
  clearRemoteLag(ctx, writer, written);
  const own = `${api.name}/`;
  return written.filter(w => w.startsWith(own)).map(w => w.slice(own.length));
}
