/*
 * The PostgreSQL engine emulator: which images it serves (the community
 * `postgres` image, Bitnami's `postgresql`, PostGIS, pgvector, TimescaleDB;
 * not CloudNativePG's or Zalando's Spilo images, whose operators run the
 * server), and where each pod's server state lives: an annotation on the
 * pod's first PersistentVolumeClaim (the data directory), or on the pod.
 * A primary_conninfo host is resolved to a pod as MySQL's SOURCE_HOST is:
 * `<pod>`, `<pod>.<svc>[.<ns>[.svc.cluster.local]]` in the same cluster, or
 * `<pod>.<cluster>.<svc>.<ns>.svc.clusterset.local` in another, reachable
 * cluster. A replica StatefulSet's lag is its standbys' replay lag (the
 * furthest behind; see ./state and ../replicaLag).
 */
import type { KubeObject } from '../../controllers/types';
import type { ClusterStore } from '../../store/ClusterStore';
import { holderOf } from '../mysql/emulator';
import type { EngineEmulator, ExecTarget, PeerDirectory } from '../programs';
import { lastReceived, runningPodsOf, sideLag } from '../replicaLag';
import { initialPrimaryConninfo } from './initialTopology';
import { psqlClient } from './psql';
import { hostOf } from './relations';
import { versionOfImage } from './settings';
import {
  initialState,
  isRunning,
  materialize,
  PgHost,
  PgState,
  positionAt,
  replayLagOf,
  streamingFrom,
  UpstreamView,
} from './state';
import { pgCtl, pgIsReady, pgRewind } from './tools';

/** The annotation holding a server's state. */
export const POSTGRES_STATE_ANNOTATION =
  'cluster-simulator.multicluster-statefulsets/postgres';

const MAX_CHAIN = 5;

/** Images the PostgreSQL emulator answers for. */
export function isPostgresImage(image: string): boolean {
  const repo = image
    .split('@')[0]
    .replace(/:[^/:]*$/, '')
    .toLowerCase();
  const last = repo.slice(repo.lastIndexOf('/') + 1);
  if (
    /cloudnative-pg|spilo|zalando|crunchydata|exporter|bouncer|pgpool/.test(
      repo,
    )
  )
    return false;
  return (
    ['postgres', 'postgresql', 'postgis', 'pgvector', 'timescaledb'].includes(
      last,
    ) || /^postgresql-repmgr$/.test(last)
  );
}

/** Whether a pod runs a server this emulator answers for. */
export function runsPostgres(pod: KubeObject): boolean {
  return (pod.spec?.containers ?? []).some((c: any) =>
    isPostgresImage(c?.image ?? ''),
  );
}

/** The literal env values of a container. */
export function containerEnv(
  container: { env?: any[] } | undefined,
): Record<string, string> {
  const env: Record<string, string> = {};
  for (const e of container?.env ?? [])
    if (typeof e?.name === 'string' && typeof e.value === 'string')
      env[e.name] = e.value;
  return env;
}

/** The state a pod's server has now, without writing it (a fresh server's initial state). */
export function peekState(
  store: ClusterStore,
  pod: KubeObject,
  now: number,
  peers?: PeerDirectory,
): PgState {
  const text = holderOf(store, pod).metadata.annotations?.[
    POSTGRES_STATE_ANNOTATION
  ];
  if (text) return JSON.parse(text) as PgState;
  const sts = pod.metadata.ownerReferences?.find(
    (o: any) => o?.kind === 'StatefulSet',
  )?.name;
  const ns = pod.metadata.namespace ?? 'default';
  const image = (pod.spec?.containers ?? []).find((c: any) =>
    isPostgresImage(c?.image ?? ''),
  )?.image;
  return {
    ...initialState(
      `${ns}/${sts ?? pod.metadata.name}`,
      now,
      initialPrimaryConninfo(store, pod, peers),
    ),
    version: image ? versionOfImage(image) : undefined,
  };
}

/** The server of a pod, its state kept in the store. */
export function storeHost(
  store: ClusterStore,
  pod: KubeObject,
  now: () => number,
  peers?: PeerDirectory,
  depth = 0,
): PgHost {
  const ns = pod.metadata.namespace!;
  const name = pod.metadata.name;
  const fresh = () => store.peek('', 'Pod', ns, name) ?? pod;
  const host: PgHost = {
    now,
    hostname: name,
    podUid: String(fresh().metadata.uid ?? name),
    load(): PgState {
      const p = fresh();
      const holder = holderOf(store, p);
      if (holder.metadata.annotations?.[POSTGRES_STATE_ANNOTATION])
        return peekState(store, p, now(), peers);
      const s = peekState(store, p, now(), peers);
      host.save(s);
      return s;
    },
    save(s: PgState): void {
      const holder = structuredClone(holderOf(store, fresh()));
      holder.metadata.annotations = {
        ...holder.metadata.annotations,
        [POSTGRES_STATE_ANNOTATION]: JSON.stringify(s),
      };
      store.update(holder);
    },
    upstream(conninfo: string): UpstreamView {
      const peer = resolve(conninfo, store, ns, now, peers, depth);
      if (!peer) {
        return {
          ok: false,
          error: `could not connect to ${
            hostOf(conninfo).host || 'the server'
          }`,
        };
      }
      const s = peer.load();
      if (!isRunning(s, peer)) {
        return {
          ok: false,
          error: `connection to server at "${
            hostOf(conninfo).host
          }", port 5432 failed: Connection refused`,
        };
      }
      return {
        ok: true,
        systemId: s.systemId,
        position: positionAt(s, peer, now()),
        autoConf: s.autoConf,
      };
    },
    lastReceived: (streaming, storedMs) =>
      lastReceived(store, `postgres/${ns}/${name}`, streaming, now(), storedMs),
    downstreams() {
      const out: ReturnType<NonNullable<PgHost['downstreams']>> = [];
      if (depth > 0) return out;
      const stores = [
        store,
        ...(peers?.names?.() ?? [])
          .filter(n => n !== store.name)
          .map(n => peers!.store(n))
          .filter((o): o is ClusterStore => o !== undefined),
      ];
      for (const [inStore, p] of stores.flatMap(st =>
        [...st.peekAll('', 'Pod')].map(o => [st, o] as const),
      )) {
        if (
          inStore === store &&
          p.metadata.name === name &&
          p.metadata.namespace === ns
        )
          continue;
        if (p.status?.phase !== 'Running' || !runsPostgres(p)) continue;
        const other = storeHost(inStore, p, now, peers, depth + 1);
        const s = peekState(inStore, p, now(), peers);
        const up = streamingFrom(s, other);
        const target =
          up && resolvedPod(up.conninfo, inStore, p.metadata.namespace!, peers);
        if (
          up &&
          target?.store === store &&
          target.pod.metadata.name === name &&
          target.pod.metadata.namespace === ns
        )
          out.push({
            hostname: p.metadata.name,
            conninfo: up.conninfo,
            lsn: up.position.lsn,
            host: other,
          });
      }
      return out;
    },
  };
  return host;
}

/** The running PostgreSQL pod a connection string's host names, and its cluster. */
function resolvedPod(
  conninfo: string,
  store: ClusterStore,
  ns: string,
  peers: PeerDirectory | undefined,
): { store: ClusterStore; pod: KubeObject } | undefined {
  const { host, port } = hostOf(conninfo);
  if (!host || port !== 5432) return undefined;
  const labels = host.toLowerCase().replace(/\.$/, '').split('.');
  let target = store;
  let podNs = labels[2] ?? ns;
  if (
    labels.length === 7 &&
    labels.slice(4).join('.') === 'svc.clusterset.local'
  ) {
    const other = peers?.store(labels[1]);
    if (!other || !peers!.reachable(store.name, other.name)) return undefined;
    target = other;
    podNs = labels[3];
  } else if (
    labels.length > 3 &&
    !'svc.cluster.local'.startsWith(labels.slice(3).join('.'))
  ) {
    return undefined;
  }
  const pod = target.peek('', 'Pod', podNs, labels[0]);
  if (!pod || pod.status?.phase !== 'Running' || !runsPostgres(pod))
    return undefined;
  return { store: target, pod };
}

function resolve(
  conninfo: string,
  store: ClusterStore,
  ns: string,
  now: () => number,
  peers: PeerDirectory | undefined,
  depth: number,
): PgHost | undefined {
  if (depth >= MAX_CHAIN) return undefined;
  const found = resolvedPod(conninfo, store, ns, peers);
  return found && storeHost(found.store, found.pod, now, peers, depth + 1);
}

/** The PostgreSQL emulator: psql, pg_ctl, pg_rewind and pg_isready in PostgreSQL images. */
export const postgresEmulator: EngineEmulator = {
  engine: 'postgresql',
  matchesImage: isPostgresImage,
  programs: (t: ExecTarget) => {
    const host = () => storeHost(t.store, t.pod, t.now, t.peers);
    const env = containerEnv(t.container);
    const ns = t.pod.metadata.namespace ?? 'default';
    return {
      psql: (args, io) =>
        psqlClient(args, io, host(), env, h =>
          resolve(`host=${h}`, t.store, ns, t.now, t.peers, 0),
        ),
      pg_ctl: (args, io) => pgCtl(args, io, host(), env),
      pg_rewind: (args, io) => pgRewind(args, io, host(), env),
      pg_isready: (args, io) => pgIsReady(args, io, host()),
    };
  },
  // A standby streaming now keeps what it received when the link is cut.
  settle: (store, now, peers) => {
    for (const pod of store.peekAll('', 'Pod')) {
      if (pod.status?.phase !== 'Running' || !runsPostgres(pod)) continue;
      const host = storeHost(store, pod, now, peers);
      const s = peekState(store, pod, now(), peers);
      if (streamingFrom(s, host)) host.save(materialize(s, host, now()));
    }
  },
  // The side's replay lag is its furthest standby's.
  replicaLag: ({ store, sts, now, peers }) =>
    sideLag(
      runningPodsOf(store, sts)
        .filter(runsPostgres)
        .map(pod =>
          replayLagOf(
            peekState(store, pod, now(), peers),
            storeHost(store, pod, now, peers),
          ),
        ),
    ),
  replicaSource: ({ store, sts, now, peers }) =>
    runningPodsOf(store, sts)
      .filter(runsPostgres)
      .map(pod => sourceClusterOf(store, pod, now(), peers))
      .find(c => c !== undefined),
};

/**
 * The first cluster other than the pod's own that its chain of
 * primary_conninfo hosts names (a standby of a local standby follows it),
 * read from the servers' configuration, not from whether they answer.
 * Undefined for a primary or a chain that stays in the pod's cluster.
 */
function sourceClusterOf(
  store: ClusterStore,
  pod: KubeObject,
  now: number,
  peers: PeerDirectory | undefined,
): string | undefined {
  let current: KubeObject | undefined = pod;
  for (let i = 0; current && i < MAX_CHAIN; i++) {
    const s = peekState(store, current, now, peers);
    const conninfo = s.inRecovery ? s.settings.primary_conninfo : undefined;
    if (!conninfo) return undefined;
    const labels = hostOf(conninfo)
      .host.toLowerCase()
      .replace(/\.$/, '')
      .split('.');
    const clusterset =
      labels.length === 7 &&
      labels.slice(4).join('.') === 'svc.clusterset.local';
    if (clusterset && labels[1] !== store.name) return labels[1];
    const ns = clusterset ? labels[3] : labels[2] ?? pod.metadata.namespace;
    current = store.peek('', 'Pod', ns!, labels[0]);
  }
  return undefined;
}
