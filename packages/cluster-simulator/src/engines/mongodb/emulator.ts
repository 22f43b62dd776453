/*
 * The MongoDB engine emulator: which images it serves, and the replica set
 * world one exec sees. Each member's state is an annotation on the pod's
 * first PersistentVolumeClaim (its data directory: it outlives the pod), or
 * on the pod without a claim. A member reaches another when that member's
 * pod runs a MongoDB image and is Running, and its cluster is neither down
 * nor partitioned from this one. A replica StatefulSet's lag is its
 * members' lag as rs.status() shows it (the furthest behind; see ./state).
 */
import type { KubeObject } from '../../controllers/types';
import type { ClusterStore } from '../../store/ClusterStore';
import { holderOf } from '../mysql/emulator';
import type { EngineEmulator, ExecTarget, PeerDirectory } from '../programs';
import { mongoshClient } from './client';
import { configuredSet, isMongoImage, locate, selfMember } from './members';
import {
  MemberHandle,
  MemberState,
  RsWorld,
  initialMemberState,
  memberLagOf,
  observe,
} from './state';
import { runningPodsOf, sideLag } from '../replicaLag';

/** The annotation holding a member's state. */
export const MONGODB_STATE_ANNOTATION =
  'cluster-simulator.multicluster-statefulsets/mongodb';

/** A member's stored state, or undefined when nothing has run in it yet. */
export function storedState(
  store: ClusterStore,
  pod: KubeObject,
): MemberState | undefined {
  const text = holderOf(store, pod).metadata.annotations?.[
    MONGODB_STATE_ANNOTATION
  ];
  return text ? (JSON.parse(text) as MemberState) : undefined;
}

function runsMongo(pod: KubeObject): boolean {
  return (pod.spec?.containers ?? []).some((c: any) =>
    isMongoImage(String(c?.image ?? '')),
  );
}

function handleOf(
  store: ClusterStore,
  pod: KubeObject,
  host: string,
  now: () => number,
  readOnly: boolean,
): MemberHandle | undefined {
  const ns = pod.metadata.namespace!;
  const name = pod.metadata.name;
  const fresh = () => store.peek('', 'Pod', ns, name) ?? pod;
  const config = configuredSet(store, pod);
  if (!config) return undefined;
  const handle: MemberHandle = {
    host,
    cluster: store.name,
    load(): MemberState {
      const s = storedState(store, fresh());
      if (s) return s;
      const start = initialMemberState(config, now());
      handle.save(start);
      return start;
    },
    save(s: MemberState): void {
      if (readOnly) return;
      const holder = structuredClone(holderOf(store, fresh()));
      holder.metadata.annotations = {
        ...holder.metadata.annotations,
        [MONGODB_STATE_ANNOTATION]: JSON.stringify(s),
      };
      store.update(holder);
    },
  };
  return handle;
}

/**
 * The replica set as the member in `pod` sees it, or undefined for a
 * standalone mongod. A read-only world computes the same answers and
 * stores nothing (what an exporter's scrape sees).
 */
export function memberWorld(
  store: ClusterStore,
  pod: KubeObject,
  now: () => number,
  peers?: PeerDirectory,
  options?: { readOnly?: boolean },
): RsWorld | undefined {
  const readOnly = options?.readOnly === true;
  const config = configuredSet(store, pod);
  const me = config && selfMember(config, store, pod, peers);
  const self = me && handleOf(store, pod, me.host, now, readOnly);
  if (!self) return undefined;
  const ns = pod.metadata.namespace ?? 'default';
  const find = (host: string) => locate(host, store, ns, peers);
  return {
    now,
    self,
    reach(host) {
      if (host === self.host) return self;
      const found = find(host);
      if (!found || found.pod.status?.phase !== 'Running') return undefined;
      if (!runsMongo(found.pod)) return undefined;
      if (
        found.store !== store &&
        !peers?.reachable(store.name, found.store.name)
      )
        return undefined;
      return handleOf(found.store, found.pod, host, now, readOnly);
    },
    peek(host) {
      const found = find(host);
      return found ? storedState(found.store, found.pod) : undefined;
    },
    sleep: ms => new Promise(r => setTimeout(r, ms)),
  };
}

/** The MongoDB emulator: `mongosh` (and the legacy `mongo`) in MongoDB images. */
export const mongodbEmulator: EngineEmulator = {
  engine: 'mongodb',
  matchesImage: isMongoImage,
  programs: (t: ExecTarget) => {
    const program = (args: string[], io: Parameters<typeof mongoshClient>[1]) =>
      mongoshClient(
        args,
        io,
        memberWorld(t.store, t.pod, t.now, t.peers),
        configuredSet(t.store, t.pod) !== undefined,
      );
    return { mongosh: program, mongo: program };
  },
  settle: (store, now, peers) => {
    for (const pod of store.peekAll('', 'Pod')) {
      const world = runsMongo(pod) && memberWorld(store, pod, now, peers);
      if (world) observe(world);
    }
  },
  // Read as an exporter reads: nothing is stored.
  replicaLag: ({ store, sts, now, peers }) =>
    sideLag(
      runningPodsOf(store, sts)
        .filter(runsMongo)
        .map(pod => {
          const world = memberWorld(store, pod, now, peers, { readOnly: true });
          return world && memberLagOf(observe(world));
        }),
    ),
};
