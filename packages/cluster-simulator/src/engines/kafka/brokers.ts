/*
 * Where an emulated Kafka cluster is: the broker StatefulSet a pod belongs
 * to or a bootstrap server leads to, and the object its state is kept on
 * (the first broker's data claim, so it outlives pod restarts and is saved
 * with the rest of the cluster by --state-dir). Bootstrap hosts resolve as
 * a client pod's DNS would: `localhost` in a broker pod is that broker,
 * `<pod>.<svc>[.<ns>[.svc.cluster.local]]` and `<svc>[.<ns>…]` stay in the
 * cluster, `<pod>.<cluster>.<svc>.<ns>.svc.clusterset.local` leads to that
 * pod in another.
 */
import type { KubeObject } from '../../controllers/types';
import type { ClusterStore } from '../../store/ClusterStore';
import type { PeerDirectory } from '../programs';

/** The annotation holding a cluster's state. */
export const KAFKA_STATE_ANNOTATION =
  'cluster-simulator.multicluster-statefulsets/kafka';

/** One Kafka cluster: the broker StatefulSet in its Kubernetes cluster. */
export interface BrokerCluster {
  store: ClusterStore;
  statefulSet: KubeObject;
  /** `<cluster>/<namespace>/<statefulset>`. */
  key: string;
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
    statefulSet: sts,
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
  return brokerCluster(store, ownerSet(store, pod));
}

/** The broker StatefulSet a Service selects. */
function clusterOfService(
  store: ClusterStore,
  svc: KubeObject,
): BrokerCluster | undefined {
  const selector: Record<string, string> = svc.spec?.selector ?? {};
  if (!Object.keys(selector).length) return undefined;
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
    return own && port === 9092 ? { ok: true, cluster: own } : refused;
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

/** The object a cluster's state lives on: its first broker's first claim. */
export function holderOf(c: BrokerCluster): KubeObject {
  const sts = c.statefulSet;
  const first = `${sts.metadata.name}-${Number(
    sts.spec?.ordinals?.start ?? 0,
  )}`;
  for (const t of sts.spec?.volumeClaimTemplates ?? []) {
    const pvc = c.store.peek(
      '',
      'PersistentVolumeClaim',
      sts.metadata.namespace,
      `${t?.metadata?.name}-${first}`,
    );
    if (pvc) return pvc;
  }
  return (
    c.store.peek(
      'apps',
      'StatefulSet',
      sts.metadata.namespace,
      sts.metadata.name,
    ) ?? sts
  );
}

/** Whether any broker of the cluster runs (a client can connect). */
export function anyBrokerRunning(c: BrokerCluster): boolean {
  const name = c.statefulSet.metadata.name;
  for (const pod of c.store.peekAll('', 'Pod')) {
    if (pod.metadata.namespace !== c.statefulSet.metadata.namespace) continue;
    const owner = pod.metadata.ownerReferences?.find(
      (o: any) => o?.kind === 'StatefulSet',
    )?.name;
    if (owner === name && pod.status?.phase === 'Running') return true;
  }
  return false;
}
