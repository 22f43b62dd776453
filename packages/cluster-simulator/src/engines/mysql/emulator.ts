/*
 * The MySQL engine emulator: which images it serves, and where each pod's
 * server state lives. The state is an annotation on the pod's first
 * PersistentVolumeClaim (the data directory, so it outlives the pod and is
 * saved with the rest of the cluster by --state-dir), or on the pod when it
 * has no claim. A replica's SOURCE_HOST is resolved to a pod: `<pod>`,
 * `<pod>.<svc>[.<ns>[.svc.cluster.local]]` in the same cluster,
 * `<pod>.<cluster>.<svc>.<ns>.svc.clusterset.local` in another, or the
 * hostname a per-pod LoadBalancer Service publishes (what Percona's
 * `sourcesList` names).
 */
import type { KubeObject } from '../../controllers/types';
import type { ClusterStore } from '../../store/ClusterStore';
import type { EngineEmulator, ExecTarget, PeerDirectory } from '../programs';
import { mysqlClient } from './client';
import { initialTopology } from './initialTopology';
import {
  MysqlHost,
  MysqlState,
  ReplicationSource,
  SourceView,
  executedAt,
  initialState,
} from './state';

/** The annotation holding a server's state. */
export const MYSQL_STATE_ANNOTATION =
  'cluster-simulator.multicluster-statefulsets/mysql';

const MAX_CHAIN = 5;

/** The domain of the simulated load balancers' hostnames. */
const LOAD_BALANCER = 'elb.simulator.local';

/** Images the MySQL emulator answers for. */
export function isMysqlImage(image: string): boolean {
  const repo = image
    .split('@')[0]
    .replace(/:[^/:]*$/, '')
    .toLowerCase();
  const last = repo.slice(repo.lastIndexOf('/') + 1);
  return (
    repo === 'mysql' ||
    repo.endsWith('/mysql') ||
    (repo.includes('percona/') &&
      (last.includes('mysql') || last === 'percona-xtradb-cluster')) ||
    (repo.includes('bitnami/') && last.startsWith('mysql'))
  );
}

/** The object holding a pod's server state: its first claim, else the pod. */
export function holderOf(store: ClusterStore, pod: KubeObject): KubeObject {
  const ns = pod.metadata.namespace;
  for (const v of pod.spec?.volumes ?? []) {
    const claim = v?.persistentVolumeClaim?.claimName;
    const pvc = claim && store.peek('', 'PersistentVolumeClaim', ns, claim);
    if (pvc) return pvc;
  }
  return pod;
}

/** The server of a pod, its state kept in the store. */
export function storeHost(
  store: ClusterStore,
  pod: KubeObject,
  now: () => number,
  peers?: PeerDirectory,
  depth = 0,
): MysqlHost {
  const ns = pod.metadata.namespace!;
  const name = pod.metadata.name;
  const fresh = () => store.peek('', 'Pod', ns, name) ?? pod;
  const host: MysqlHost = {
    now,
    hostname: name,
    load(): MysqlState {
      const holder = holderOf(store, fresh());
      const text = holder.metadata.annotations?.[MYSQL_STATE_ANNOTATION];
      if (text) return JSON.parse(text) as MysqlState;
      const start = initialTopology(store, fresh(), peers);
      const s: MysqlState = {
        ...initialState(`${store.name}/${ns}/${name}`, start.readOnly, now()),
        source: start.source,
        channel: start.channel,
        replicaRunning: start.source !== undefined,
      };
      host.save(s);
      return s;
    },
    save(s: MysqlState): void {
      const holder = structuredClone(holderOf(store, fresh()));
      holder.metadata.annotations = {
        ...holder.metadata.annotations,
        [MYSQL_STATE_ANNOTATION]: JSON.stringify(s),
      };
      store.update(holder);
    },
    source(src: ReplicationSource): SourceView {
      return connect(src, store, ns, now, peers, depth);
    },
  };
  return host;
}

function connect(
  src: ReplicationSource,
  store: ClusterStore,
  ns: string,
  now: () => number,
  peers: PeerDirectory | undefined,
  depth: number,
): SourceView {
  const refused = {
    ok: false as const,
    error: `cannot connect to ${src.host}`,
  };
  if (depth >= MAX_CHAIN || src.port !== 3306) return refused;
  const labels = src.host.toLowerCase().replace(/\.$/, '').split('.');
  let target = store;
  let podName = labels[0];
  let podNs = labels[2] ?? ns;
  if (labels.length === 6 && labels.slice(3).join('.') === LOAD_BALANCER) {
    // A load balancer's hostname: `<service>.<ns>.<cluster>.elb.simulator.local`,
    // reaching the pod its per-pod Service selects.
    const other = labels[2] === store.name ? store : peers?.store(labels[2]);
    if (
      !other ||
      (other !== store && !peers!.reachable(store.name, other.name))
    )
      return refused;
    const svc = other.peek('', 'Service', labels[1], labels[0]);
    const selected =
      svc?.spec?.selector?.['statefulset.kubernetes.io/pod-name'];
    if (svc?.spec?.type !== 'LoadBalancer' || !selected) return refused;
    target = other;
    podName = selected;
    podNs = labels[1];
  } else if (
    labels.length === 7 &&
    labels.slice(4).join('.') === 'svc.clusterset.local'
  ) {
    const other = peers?.store(labels[1]);
    if (!other || !peers!.reachable(store.name, other.name)) return refused;
    target = other;
    podNs = labels[3];
  } else if (
    labels.length > 3 &&
    !'svc.cluster.local'.startsWith(labels.slice(3).join('.'))
  ) {
    return refused;
  }
  const pod = target.peek('', 'Pod', podNs, podName);
  if (!pod || pod.status?.phase !== 'Running') return refused;
  const image = pod.spec?.containers?.find((c: any) =>
    isMysqlImage(c.image ?? ''),
  );
  if (!image) return refused;
  const peer = storeHost(target, pod, now, peers, depth + 1);
  const s = peer.load();
  return {
    ok: true,
    executed: executedAt(s, peer, now()),
    serverUuid: s.serverUuid,
    serverId: s.serverId,
  };
}

/** The MySQL emulator: `mysql` in MySQL, Percona and Bitnami MySQL images. */
export const mysqlEmulator: EngineEmulator = {
  engine: 'mysql',
  matchesImage: isMysqlImage,
  programs: (t: ExecTarget) => ({
    mysql: (args, io) =>
      mysqlClient(args, io, storeHost(t.store, t.pod, t.now, t.peers)),
  }),
};
