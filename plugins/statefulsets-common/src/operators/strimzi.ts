/*
 * Strimzi: reads `Kafka` resources (KRaft, nodes from `KafkaNodePool`s), the
 * pods Strimzi runs for them without a StatefulSet (`<kafka>-<pool>-<id>`,
 * labelled `strimzi.io/cluster` and `strimzi.io/kind: Kafka`), and the
 * `KafkaMirrorMaker2` resources that mirror topics between Kubernetes
 * clusters.
 *
 * A mirror's ends are found by address: its source is the Kafka whose
 * status publishes the mirror's `source.bootstrapServers`
 * (`status.listeners[].bootstrapServers`), its target the Kafka publishing
 * `target.bootstrapServers`. An in-cluster (`.svc`) address names a Kafka of
 * the MirrorMaker's own Kubernetes cluster only; an external one (a load
 * balancer's, a route's) any cluster's. A Kafka that a MirrorMaker 2 of its
 * cluster mirrors into, and that is no mirror's source there, is passive.
 * A Kafka no MirrorMaker 2 of its cluster names is fed, if at all, from
 * another cluster (a failover turned the mirror around where it runs): the
 * role the failover wrote on it (`passive` or `fenced`) says so, read as the
 * declared role. Every other Kafka is active. Strimzi reports no
 * replication lag, so links carry none and the backend reads it from
 * MirrorMaker 2's metrics.
 */
import { KafkaDriftObject } from '../drift';
import { ANNOTATION_ROLE } from '../annotations';
import { annotationOf, ClusterObjects, KubeObject, labelOf } from '../kube';
import { ReplicationReadOptions } from '../replication';
import { ClusterRole, ReplicationLink, TopologyWorkload } from '../types';
import { OperatorConvention, WorkloadParts } from './types';

/** The label Strimzi puts on everything it runs for a resource, naming it. */
export const STRIMZI_CLUSTER_LABEL = 'strimzi.io/cluster';
/** The label naming the kind of resource a Strimzi pod runs for. */
export const STRIMZI_KIND_LABEL = 'strimzi.io/kind';
/** The label naming a Kafka node's pool. */
export const STRIMZI_POOL_LABEL = 'strimzi.io/pool-name';

const API_VERSION = 'kafka.strimzi.io/v1';

function sameNamespace(a: KubeObject, b: KubeObject): boolean {
  return (a.metadata.namespace ?? '') === (b.metadata.namespace ?? '');
}

/** The pods Strimzi runs for one Kafka, by node id. */
export function kafkaPods(kafka: KubeObject, objects: ClusterObjects) {
  return objects.pods
    .filter(
      p =>
        sameNamespace(p, kafka) &&
        labelOf(p, STRIMZI_CLUSTER_LABEL) === kafka.metadata.name &&
        labelOf(p, STRIMZI_KIND_LABEL) === 'Kafka',
    )
    .sort((a, b) => nodeIdOf(a) - nodeIdOf(b));
}

function nodeIdOf(pod: KubeObject): number {
  const m = /-(\d+)$/.exec(pod.metadata.name);
  return m ? Number(m[1]) : Number.MAX_SAFE_INTEGER;
}

/** The node pools of one Kafka (labelled `strimzi.io/cluster: <kafka>`). */
export function nodePoolsOf(
  kafka: KubeObject,
  objects: ClusterObjects,
): KubeObject[] {
  return objects.strimziNodePools
    .filter(
      p =>
        sameNamespace(p, kafka) &&
        labelOf(p, STRIMZI_CLUSTER_LABEL) === kafka.metadata.name,
    )
    .sort((a, b) => a.metadata.name.localeCompare(b.metadata.name));
}

/**
 * `host:port` entries of a bootstrap list, lower-cased, with in-cluster
 * names made whole (`svc:9092` → `svc.<namespace>.svc:9092`) so the short
 * and long forms of one address compare equal.
 */
export function bootstrapAddresses(
  servers: unknown,
  namespace: string,
): string[] {
  if (typeof servers !== 'string') return [];
  return servers
    .split(',')
    .map(s => s.trim().toLowerCase())
    .filter(Boolean)
    .map(s => {
      const colon = s.lastIndexOf(':');
      const host = colon > 0 ? s.slice(0, colon) : s;
      const port = colon > 0 ? s.slice(colon + 1) : '9092';
      let h = host.replace(/\.cluster\.local\.?$/, '');
      if (!h.includes('.')) h = `${h}.${namespace}.svc`;
      else if (/^[^.]+\.[^.]+$/.test(h)) h = `${h}.svc`;
      return `${h}:${port}`;
    });
}

const isInCluster = (address: string) => /\.svc:\d+$/.test(address);

/** Every address a Kafka's status publishes for its listeners. */
export function publishedAddresses(kafka: KubeObject): Set<string> {
  const namespace = kafka.metadata.namespace ?? 'default';
  const out = new Set<string>();
  for (const listener of kafka.status?.listeners ?? []) {
    for (const a of bootstrapAddresses(listener?.bootstrapServers, namespace)) {
      out.add(a);
    }
    for (const a of listener?.addresses ?? []) {
      if (!a?.host || a?.port === undefined) continue;
      for (const one of bootstrapAddresses(`${a.host}:${a.port}`, namespace)) {
        out.add(one);
      }
    }
  }
  return out;
}

function publishes(
  kafka: KubeObject,
  servers: unknown,
  namespace: string,
): boolean {
  const published = publishedAddresses(kafka);
  return bootstrapAddresses(servers, namespace).some(a => published.has(a));
}

/** Whether a Kafka runs one of the entity's pods. */
function runsPods(kafka: KubeObject, objects: ClusterObjects): boolean {
  return kafkaPods(kafka, objects).length > 0;
}

/** The related Kafkas of one cluster that publish one of these addresses. */
function localKafkaAt(
  servers: unknown,
  mm2: KubeObject,
  objects: ClusterObjects,
): KubeObject | undefined {
  const namespace = mm2.metadata.namespace ?? 'default';
  return objects.strimziKafkas.find(
    k => runsPods(k, objects) && publishes(k, servers, namespace),
  );
}

// Lists say which kind a resource is: objects read from a list may lack `kind`.
function isRelated(resource: KubeObject, objects: ClusterObjects): boolean {
  if (objects.strimziNodePools.includes(resource)) {
    return objects.pods.some(
      p =>
        sameNamespace(p, resource) &&
        labelOf(p, STRIMZI_KIND_LABEL) === 'Kafka' &&
        labelOf(p, STRIMZI_CLUSTER_LABEL) ===
          labelOf(resource, STRIMZI_CLUSTER_LABEL),
    );
  }
  if (objects.strimziMirrorMakers2.includes(resource)) {
    const runsEntityPods = objects.pods.some(
      p =>
        sameNamespace(p, resource) &&
        labelOf(p, STRIMZI_KIND_LABEL) === 'KafkaMirrorMaker2' &&
        labelOf(p, STRIMZI_CLUSTER_LABEL) === resource.metadata.name,
    );
    const spec = resource.spec ?? {};
    return (
      runsEntityPods ||
      !!localKafkaAt(spec.target?.bootstrapServers, resource, objects) ||
      (spec.mirrors ?? []).some(
        (m: any) =>
          !!localKafkaAt(m?.source?.bootstrapServers, resource, objects),
      )
    );
  }
  return runsPods(resource, objects);
}

/**
 * The MirrorMaker 2 resources of one cluster that concern the entity: they
 * run its pods, or mirror into or out of one of its Kafkas. The others of
 * the namespace stay in the objects (they are not among `resources`) and
 * are passed over here.
 */
function relatedMirrorMakers(objects: ClusterObjects): KubeObject[] {
  return objects.strimziMirrorMakers2.filter(m => isRelated(m, objects));
}

/**
 * A Kafka's role in its cluster: passive when a MirrorMaker 2 there mirrors
 * into it and none mirrors out of it; when none there names it, the role
 * declared on it (passive or fenced; no source then: it is the
 * annotation's); else active.
 */
function roleOfKafka(
  kafka: KubeObject,
  objects: ClusterObjects,
): { role: ClusterRole; roleSource?: 'strimzi' } {
  let target = false;
  let source = false;
  for (const mm2 of relatedMirrorMakers(objects)) {
    const namespace = mm2.metadata.namespace ?? 'default';
    if (publishes(kafka, mm2.spec?.target?.bootstrapServers, namespace)) {
      target = true;
    }
    if (
      (mm2.spec?.mirrors ?? []).some((m: any) =>
        publishes(kafka, m?.source?.bootstrapServers, namespace),
      )
    ) {
      source = true;
    }
  }
  if (target && !source) return { role: 'passive', roleSource: 'strimzi' };
  const declared = annotationOf(kafka, ANNOTATION_ROLE);
  if (!target && !source && (declared === 'passive' || declared === 'fenced'))
    return { role: declared };
  return { role: 'active', roleSource: 'strimzi' };
}

const isReady = (pod: KubeObject) =>
  (pod.status?.conditions ?? []).some(
    (c: any) => c?.type === 'Ready' && c?.status === 'True',
  );

function workloads(
  objects: ClusterObjects,
  parts: WorkloadParts,
): TopologyWorkload[] {
  return objects.strimziKafkas.map(kafka => {
    const { name } = kafka.metadata;
    const pods = kafkaPods(kafka, objects);
    const pools = nodePoolsOf(kafka, objects);
    const desired = pools.reduce(
      (sum, p) => sum + (Number(p.spec?.replicas) || 0),
      0,
    );
    const ready = pods.filter(isReady).length;
    const image: string | undefined =
      pods
        .flatMap(p => p.spec?.containers ?? [])
        .find((c: any) => c?.name === 'kafka')?.image ??
      pods[0]?.spec?.containers?.[0]?.image ??
      kafka.spec?.kafka?.image;
    return parts.workloadOf(kafka, pods, {
      kind: 'Kafka',
      apiVersion: kafka.apiVersion ?? API_VERSION,
      name,
      namespace: kafka.metadata.namespace ?? 'default',
      ...roleOfKafka(kafka, objects),
      replicas: { desired, ready, updated: ready },
      image,
      ordinalsStart: 0,
      serviceName: `${name}-kafka-bootstrap`,
    });
  });
}

/**
 * The Kafkas as drift compares them: each with its node pools beside it
 * (`nodePools`), since replicas and storage live there.
 */
function driftObjects(objects: ClusterObjects): KubeObject[] {
  return objects.strimziKafkas.map(
    (kafka): KafkaDriftObject => ({
      ...kafka,
      kind: 'Kafka',
      nodePools: nodePoolsOf(kafka, objects),
    }),
  );
}

/** A Kafka of any cluster that publishes an address, and its cluster. */
function findKafka(
  objectsByCluster: Record<string, ClusterObjects>,
  ownCluster: string,
  servers: unknown,
  namespace: string,
): { cluster: string; kafka: KubeObject } | undefined {
  const addresses = bootstrapAddresses(servers, namespace);
  if (!addresses.length) return undefined;
  const inClusterOnly = addresses.every(isInCluster);
  const order = [
    ownCluster,
    ...Object.keys(objectsByCluster).filter(c => c !== ownCluster),
  ];
  for (const cluster of order) {
    if (cluster !== ownCluster && inClusterOnly) break;
    const objects = objectsByCluster[cluster];
    const kafka = objects?.strimziKafkas.find(k => {
      const published = publishedAddresses(k);
      return addresses.some(
        a => published.has(a) && (cluster === ownCluster || !isInCluster(a)),
      );
    });
    if (kafka) return { cluster, kafka };
  }
  return undefined;
}

function conditionProblem(mm2: KubeObject): string | undefined {
  const ready = (mm2.status?.conditions ?? []).find(
    (c: any) => c?.type === 'Ready',
  );
  if (ready?.status === 'True') return undefined;
  const why = [ready?.reason, ready?.message].filter(Boolean).join(': ');
  return `MirrorMaker 2 ${mm2.metadata.name} is not Ready${
    why ? ` (${why})` : ''
  }`;
}

function connectorProblem(
  mm2: KubeObject,
  sourceAlias: string,
  targetAlias: string,
): string | undefined {
  const prefix = `${sourceAlias}->${targetAlias}.`;
  for (const c of mm2.status?.connectors ?? []) {
    if (typeof c?.name !== 'string' || !c.name.startsWith(prefix)) continue;
    const states = [
      c.connector?.state,
      ...(c.tasks ?? []).map((t: any) => t?.state),
    ].filter(Boolean);
    const bad = states.find((s: string) => s !== 'RUNNING');
    if (bad) {
      return `MirrorMaker 2 connector ${c.name} is ${bad}`;
    }
  }
  return undefined;
}

function links(
  objectsByCluster: Record<string, ClusterObjects>,
  _options: ReplicationReadOptions,
): ReplicationLink[] {
  const result: ReplicationLink[] = [];
  for (const [cluster, objects] of Object.entries(objectsByCluster)) {
    for (const mm2 of relatedMirrorMakers(objects)) {
      const namespace = mm2.metadata.namespace ?? 'default';
      const spec = mm2.spec ?? {};
      const target = findKafka(
        objectsByCluster,
        cluster,
        spec.target?.bootstrapServers,
        namespace,
      );
      for (const mirror of spec.mirrors ?? []) {
        const source = findKafka(
          objectsByCluster,
          cluster,
          mirror?.source?.bootstrapServers,
          namespace,
        );
        if (!source && !target) continue;
        const sourceAlias = String(mirror?.source?.alias ?? '');
        const problem =
          conditionProblem(mm2) ??
          connectorProblem(
            mm2,
            sourceAlias,
            String(spec.target?.alias ?? ''),
          ) ??
          (source
            ? undefined
            : `no Kafka read publishes the source address ${mirror?.source?.bootstrapServers}`) ??
          (target
            ? undefined
            : `no Kafka read publishes the target address ${spec.target?.bootstrapServers}`);
        result.push({
          from: source?.cluster ?? (sourceAlias || 'unknown'),
          to: target?.cluster ?? cluster,
          workload: target?.kafka.metadata.name ?? mm2.metadata.name,
          provider: 'strimzi',
          lagSeconds: null,
          healthy: false,
          reason: problem ?? 'lag not reported by Strimzi',
        });
      }
    }
  }
  return result.sort((a, b) =>
    `${a.to}/${a.workload}/${a.from}`.localeCompare(
      `${b.to}/${b.workload}/${b.from}`,
    ),
  );
}

/** Strimzi's Kafka, node pool and MirrorMaker 2 resources, as the topology reads them. */
export const strimziConvention: OperatorConvention = {
  id: 'strimzi',
  title: 'Strimzi',
  engine: 'kafka',
  selectorOf: resource =>
    resource.kind === 'Kafka' || (!resource.kind && resource.spec?.kafka)
      ? `${STRIMZI_CLUSTER_LABEL}=${resource.metadata.name}`
      : undefined,
  // Only the Kafkas: discovery makes one database of each resource listed
  // here, and node pools and MirrorMakers belong to a Kafka's.
  resources: objects => objects.strimziKafkas,
  isRelated,
  workloads,
  driftObjects,
  links,
};
