/*
 * Where an emulated Kafka cluster is: the broker StatefulSet a pod belongs
 * to or a bootstrap server leads to, and the object its state is kept on
 * (the first broker's data claim, so it outlives pod restarts and is saved
 * with the rest of the cluster by --state-dir). Bootstrap hosts resolve as
 * a client pod's DNS would: `localhost` in a broker pod is that broker,
 * `<pod>.<svc>[.<ns>[.svc.cluster.local]]` and `<svc>[.<ns>…]` stay in the
 * cluster, `<pod>.<cluster>.<svc>.<ns>.svc.clusterset.local` leads to that
 * pod in another. A Strimzi `Kafka` is a cluster too: its brokers are the
 * pods of its broker node pools (labels `strimzi.io/cluster`,
 * `strimzi.io/kind=Kafka`, `strimzi.io/broker-role=true`), its bootstrap
 * Services select them, and its state lives on the data claim of its
 * lowest broker node id.
 */
import type { KubeObject } from '../../controllers/types';
import type { ClusterStore } from '../../store/ClusterStore';
import type { PeerDirectory } from '../programs';

/** The annotation holding a cluster's state. */
export const KAFKA_STATE_ANNOTATION =
  'cluster-simulator.multicluster-statefulsets/kafka';

/** The API group of Strimzi's `Kafka` and `KafkaMirrorMaker2`. */
export const STRIMZI_GROUP = 'kafka.strimzi.io';
const STRIMZI_CLUSTER = 'strimzi.io/cluster';
const STRIMZI_KIND = 'strimzi.io/kind';
const BROKER_ROLE = 'strimzi.io/broker-role';
const STRIMZI_KEY = 'Kafka:';

/**
 * One Kafka cluster: the broker StatefulSet in its Kubernetes cluster, or
 * the Strimzi `Kafka` whose broker node pools run the brokers.
 */
export interface BrokerCluster {
  store: ClusterStore;
  /** The broker StatefulSet or the Strimzi `Kafka`. */
  workload: KubeObject;
  /** `<cluster>/<namespace>/<statefulset>` or `<cluster>/<namespace>/Kafka:<kafka>`. */
  key: string;
}

/** Whether an object is a Strimzi `Kafka`. */
export function isStrimziKafka(o: KubeObject | undefined): boolean {
  return (
    o?.kind === 'Kafka' &&
    String(o.apiVersion ?? '').startsWith(`${STRIMZI_GROUP}/`)
  );
}

/** The Kafka cluster a Strimzi `Kafka` runs. */
export function strimziCluster(
  store: ClusterStore,
  kafka: KubeObject,
): BrokerCluster {
  return {
    store,
    workload: kafka,
    key: `${store.name}/${kafka.metadata.namespace}/${STRIMZI_KEY}${kafka.metadata.name}`,
  };
}

/** The Strimzi `Kafka` named by the labels of one of its objects. */
function strimziKafkaOf(
  store: ClusterStore,
  namespace: string | undefined,
  labels: Record<string, string>,
): BrokerCluster | undefined {
  if (labels[STRIMZI_KIND] !== 'Kafka' || !labels[STRIMZI_CLUSTER])
    return undefined;
  const kafka = store.peek(
    STRIMZI_GROUP,
    'Kafka',
    namespace,
    labels[STRIMZI_CLUSTER],
  );
  return kafka && strimziCluster(store, kafka);
}

/** Whether a pod is a broker of a Strimzi `Kafka` (not a controller-only node). */
function isStrimziBroker(pod: KubeObject, c: BrokerCluster): boolean {
  const l = pod.metadata.labels ?? {};
  return (
    pod.metadata.namespace === c.workload.metadata.namespace &&
    l[STRIMZI_CLUSTER] === c.workload.metadata.name &&
    l[STRIMZI_KIND] === 'Kafka' &&
    l[BROKER_ROLE] === 'true'
  );
}

/** The trailing node id of a Strimzi pod or claim name. */
const nodeIdOf = (name: string) => Number(/-(\d+)$/.exec(name)?.[1] ?? NaN);

/** The node ids of a cluster's brokers, ascending. */
export function brokerIds(c: BrokerCluster): number[] {
  const w = c.workload;
  if (isStrimziKafka(w)) {
    const ids = [...c.store.peekAll('', 'Pod')]
      .filter(p => isStrimziBroker(p, c))
      .map(p => nodeIdOf(p.metadata.name))
      .filter(Number.isInteger)
      .sort((a, b) => a - b);
    return ids.length ? ids : [0];
  }
  const start = Number(w.spec?.ordinals?.start ?? 0);
  const n = Math.max(1, Number(w.spec?.replicas ?? 1));
  return Array.from({ length: n }, (_, i) => start + i);
}

/** Images the Kafka emulator answers for. */
export function isKafkaImage(image: string): boolean {
  const repo = image
    .split('@')[0]
    .replace(/:[^/:]*$/, '')
    .toLowerCase();
  return (
    /(^|\/)apache\/kafka(-native)?$/.test(repo) ||
    /(^|\/)bitnami\/kafka$/.test(repo) ||
    /(^|\/)confluentinc\/cp-kafka$/.test(repo) ||
    /(^|\/)strimzi\/kafka$/.test(repo)
  );
}

/** Whether a container runs Kafka Connect (MirrorMaker 2) rather than a broker. */
export function runsConnect(container: any): boolean {
  const argv: string[] = [
    ...(container?.command ?? []),
    ...(container?.args ?? []),
  ];
  return argv.some(a => /connect-(mirror-maker|distributed)\.sh/.test(a));
}

/** Whether a StatefulSet runs Kafka brokers. */
export function isBrokerSet(sts: KubeObject | undefined): boolean {
  const containers: any[] = sts?.spec?.template?.spec?.containers ?? [];
  return containers.some(c => isKafkaImage(c?.image ?? '') && !runsConnect(c));
}

/** The Kafka cluster a broker StatefulSet runs, or undefined for another StatefulSet. */
export function brokerCluster(
  store: ClusterStore,
  sts: KubeObject | undefined,
): BrokerCluster | undefined {
  if (!sts || !isBrokerSet(sts)) return undefined;
  return {
    store,
    workload: sts,
    key: `${store.name}/${sts.metadata.namespace}/${sts.metadata.name}`,
  };
}

function ownerSet(
  store: ClusterStore,
  pod: KubeObject,
): KubeObject | undefined {
  const owner = pod.metadata.ownerReferences?.find(
    (o: any) => o?.kind === 'StatefulSet',
  )?.name;
  return owner
    ? store.peek('apps', 'StatefulSet', pod.metadata.namespace, owner)
    : undefined;
}

/** The Kafka cluster a broker pod belongs to. */
export function clusterOfPod(
  store: ClusterStore,
  pod: KubeObject,
): BrokerCluster | undefined {
  const strimzi = strimziKafkaOf(
    store,
    pod.metadata.namespace,
    pod.metadata.labels ?? {},
  );
  if (strimzi) return isStrimziBroker(pod, strimzi) ? strimzi : undefined;
  return brokerCluster(store, ownerSet(store, pod));
}

/** The Kafka cluster a state key names, if it still exists in `store`. */
export function clusterByKey(
  store: ClusterStore,
  key: string,
): BrokerCluster | undefined {
  const [, ns, name] = key.split('/');
  if (name?.startsWith(STRIMZI_KEY)) {
    const kafka = store.peek(
      STRIMZI_GROUP,
      'Kafka',
      ns,
      name.slice(STRIMZI_KEY.length),
    );
    return kafka && strimziCluster(store, kafka);
  }
  const sts = store.peek('apps', 'StatefulSet', ns, name);
  return sts && { store, workload: sts, key };
}

/** Whether a broker of the cluster listens without TLS on `port` of localhost. */
function listensOn(c: BrokerCluster, port: number): boolean {
  if (!isStrimziKafka(c.workload)) return port === 9092;
  return (c.workload.spec?.kafka?.listeners ?? []).some(
    (l: any) => Number(l?.port) === port && l?.tls !== true,
  );
}

/** The broker StatefulSet a Service selects. */
function clusterOfService(
  store: ClusterStore,
  svc: KubeObject,
): BrokerCluster | undefined {
  const selector: Record<string, string> = svc.spec?.selector ?? {};
  if (!Object.keys(selector).length) return undefined;
  const strimzi = strimziKafkaOf(store, svc.metadata.namespace, selector);
  if (strimzi) return strimzi;
  for (const sts of store.peekAll('apps', 'StatefulSet')) {
    if (sts.metadata.namespace !== svc.metadata.namespace) continue;
    const labels = sts.spec?.template?.metadata?.labels ?? {};
    if (Object.entries(selector).every(([k, v]) => labels[k] === v)) {
      const found = brokerCluster(store, sts);
      if (found) return found;
    }
  }
  return undefined;
}

/** Where a bootstrap server leads, seen from a pod of `store` in `namespace`. */
export type Resolved =
  | { ok: true; cluster: BrokerCluster }
  | { ok: false; error: string };

/** Resolves `host[:port]` to a Kafka cluster, checking reachability from `store`. */
export function resolveBootstrap(
  server: string,
  store: ClusterStore,
  namespace: string,
  peers: PeerDirectory | undefined,
  self?: KubeObject,
): Resolved {
  const [rawHost, rawPort] = server.trim().split(':');
  const host = rawHost.toLowerCase().replace(/\.$/, '');
  const port = Number(rawPort ?? 9092);
  const refused: Resolved = {
    ok: false,
    error: `Connection to node -1 (${host}:${port}) could not be established. Node may not be available.`,
  };
  if (host === 'localhost' || host === '127.0.0.1') {
    const own = self && clusterOfPod(store, self);
    return own && listensOn(own, port) ? { ok: true, cluster: own } : refused;
  }
  const labels = host.split('.');
  let target = store;
  let candidates: Array<{ pod?: string; svc?: string; ns: string }>;
  if (host.endsWith('.svc.clusterset.local') && labels.length === 7) {
    const other = peers?.store(labels[1]);
    if (!other) return { ok: false, error: `unknown host ${host}` };
    if (!peers!.reachable(store.name, other.name)) return refused;
    target = other;
    candidates = [{ pod: labels[0], ns: labels[3] }];
  } else {
    const local = host.replace(/\.svc\.cluster\.local$/, '').split('.');
    candidates = [
      { pod: local[0], ns: local[2] ?? namespace },
      { svc: local[0], ns: local[1] ?? namespace },
    ];
  }
  for (const c of candidates) {
    let found: BrokerCluster | undefined;
    if (c.pod) {
      const pod = target.peek('', 'Pod', c.ns, c.pod);
      if (pod && pod.status?.phase !== 'Running') return refused;
      found = pod && clusterOfPod(target, pod);
    } else if (c.svc) {
      const svc = target.peek('', 'Service', c.ns, c.svc);
      found = svc && clusterOfService(target, svc);
    }
    if (found) return { ok: true, cluster: found };
  }
  return { ok: false, error: `unknown host ${host}` };
}

/**
 * The object a cluster's state lives on: its first broker's first claim (a
 * Strimzi Kafka's: the data claim of its lowest broker node id), else the
 * StatefulSet or Kafka itself.
 */
export function holderOf(c: BrokerCluster): KubeObject {
  const w = c.workload;
  const ns = w.metadata.namespace;
  if (isStrimziKafka(w)) {
    const claims = [...c.store.peekAll('', 'PersistentVolumeClaim')]
      .filter(
        p =>
          p.metadata.namespace === ns &&
          p.metadata.labels?.[STRIMZI_CLUSTER] === w.metadata.name &&
          p.metadata.labels?.[STRIMZI_KIND] === 'Kafka' &&
          p.metadata.labels?.[BROKER_ROLE] === 'true',
      )
      .sort(
        (a, b) =>
          nodeIdOf(a.metadata.name) - nodeIdOf(b.metadata.name) ||
          a.metadata.name.localeCompare(b.metadata.name),
      );
    return (
      claims[0] ??
      c.store.peek(STRIMZI_GROUP, 'Kafka', ns, w.metadata.name) ??
      w
    );
  }
  const first = `${w.metadata.name}-${Number(w.spec?.ordinals?.start ?? 0)}`;
  for (const t of w.spec?.volumeClaimTemplates ?? []) {
    const pvc = c.store.peek(
      '',
      'PersistentVolumeClaim',
      ns,
      `${t?.metadata?.name}-${first}`,
    );
    if (pvc) return pvc;
  }
  return c.store.peek('apps', 'StatefulSet', ns, w.metadata.name) ?? w;
}

/** Whether any broker of the cluster runs (a client can connect). */
export function anyBrokerRunning(c: BrokerCluster): boolean {
  const strimzi = isStrimziKafka(c.workload);
  const name = c.workload.metadata.name;
  for (const pod of c.store.peekAll('', 'Pod')) {
    if (pod.status?.phase !== 'Running') continue;
    if (strimzi) {
      if (isStrimziBroker(pod, c)) return true;
      continue;
    }
    if (pod.metadata.namespace !== c.workload.metadata.namespace) continue;
    const owner = pod.metadata.ownerReferences?.find(
      (o: any) => o?.kind === 'StatefulSet',
    )?.name;
    if (owner === name) return true;
  }
  return false;
}
