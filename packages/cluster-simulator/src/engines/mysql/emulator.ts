/*
 * The MySQL engine emulator: which images it serves, and where each pod's
 * server state lives. The state is an annotation on the pod's first
 * PersistentVolumeClaim (the data directory, so it outlives the pod and is
 * saved with the rest of the cluster by --state-dir), or on the pod when it
 * has no claim. A replica's SOURCE_HOST is resolved to a pod: `<pod>`,
 * `<pod>.<svc>[.<ns>[.svc.cluster.local]]` in the same cluster,
 * `<pod>.<cluster>.<svc>.<ns>.svc.clusterset.local` in another, or the
 * hostname a per-pod LoadBalancer Service publishes (what Percona's
 * `sourcesList` names), or `<svc>.<ns>.svc.clusterset.local`: a running pod
 * the Service selects in the cluster exporting it (a Helm chart's
 * `MYSQL_MASTER_HOST`). A replica StatefulSet's lag is its pods' Seconds_Behind_Source
 * (the furthest behind; see ./state and ../replicaLag).
 */
import { resolveHost } from '../../controllers/replication/dns';
import type { KubeObject } from '../../controllers/types';
import type { ClusterStore } from '../../store/ClusterStore';
import type { EngineEmulator, ExecTarget, PeerDirectory } from '../programs';
import { lastReceived, runningPodsOf, sideLag } from '../replicaLag';
import { mysqlClient } from './client';
import { initialTopology } from './initialTopology';
import {
  MysqlHost,
  MysqlState,
  ReplicationSource,
  SourceView,
  executedAt,
  initialState,
  materialize,
  replicaLagOf,
  replicaView,
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
      const stored = storedState(store, fresh());
      if (stored) return stored;
      const s = peekState(store, fresh(), now, peers);
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
    lastReceived: (linked, storedMs) =>
      lastReceived(store, `mysql/${ns}/${name}`, linked, now(), storedMs),
  };
  return host;
}

/** A pod's stored server state, or undefined when nothing has run in it yet. */
function storedState(
  store: ClusterStore,
  pod: KubeObject,
): MysqlState | undefined {
  const text = holderOf(store, pod).metadata.annotations?.[
    MYSQL_STATE_ANNOTATION
  ];
  return text ? (JSON.parse(text) as MysqlState) : undefined;
}

/** A pod's server state, or (not stored) the state a fresh server starts with. */
function peekState(
  store: ClusterStore,
  pod: KubeObject,
  now: () => number,
  peers?: PeerDirectory,
): MysqlState {
  const stored = storedState(store, pod);
  if (stored) return stored;
  const start = initialTopology(store, pod, peers);
  const ns = pod.metadata.namespace;
  return {
    ...initialState(
      `${store.name}/${ns}/${pod.metadata.name}`,
      start.readOnly,
      now(),
    ),
    source: start.source,
    channel: start.channel,
    replicaRunning: start.source !== undefined,
  };
}

function runsMysql(pod: KubeObject): boolean {
  return (pod.spec?.containers ?? []).some((c: any) =>
    isMysqlImage(c?.image ?? ''),
  );
}

/** The cluster exporting a Service as MCS resolves it, and the first running MySQL pod it selects. */
function exportedSource(
  service: string,
  ns: string,
  store: ClusterStore,
  peers: PeerDirectory | undefined,
): { store: ClusterStore; pod: string } | undefined {
  const names = peers?.names?.() ?? [store.name];
  const stores = new Map(
    names
      .map(n => [n, n === store.name ? store : peers?.store(n)] as const)
      .filter((e): e is readonly [string, ClusterStore] => e[1] !== undefined),
  );
  const r = resolveHost(`${service}.${ns}.svc.clusterset.local`, store, stores);
  const target = r.cluster !== undefined ? stores.get(r.cluster) : undefined;
  const selector: Record<string, string> = r.service?.spec?.selector ?? {};
  if (!target || !Object.keys(selector).length) return undefined;
  if (target !== store && !peers?.reachable(store.name, target.name))
    return undefined;
  const pod = [...target.peekAll('', 'Pod')].find(
    p =>
      p.metadata.namespace === ns &&
      p.status?.phase === 'Running' &&
      runsMysql(p) &&
      Object.entries(selector).every(([k, v]) => p.metadata.labels?.[k] === v),
  );
  return pod && { store: target, pod: pod.metadata.name };
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
    labels.length === 5 &&
    labels.slice(2).join('.') === 'svc.clusterset.local'
  ) {
    // A Service's Multi-Cluster Services name: the cluster exporting it.
    const behind = exportedSource(labels[0], labels[1], store, peers);
    if (!behind) return refused;
    target = behind.store;
    podName = behind.pod;
    podNs = labels[1];
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
  // A replica linked now keeps what it received when the link is cut.
  settle: (store, now, peers) => {
    for (const pod of store.peekAll('', 'Pod')) {
      if (pod.status?.phase !== 'Running' || !runsMysql(pod)) continue;
      const host = storeHost(store, pod, now, peers);
      const s = peekState(store, pod, now, peers);
      if (s.source && replicaView(s, host).ok)
        host.save(materialize(s, host, now()));
    }
  },
  replicaLag: ({ store, sts, now, peers }) =>
    sideLag(
      runningPodsOf(store, sts)
        .filter(runsMysql)
        .map(pod =>
          replicaLagOf(
            peekState(store, pod, now, peers),
            storeHost(store, pod, now, peers),
          ),
        ),
    ),
};
