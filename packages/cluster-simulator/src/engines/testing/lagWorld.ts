/*
 * A small world for the engines' lag tests: cluster stores on a manual
 * clock, partitions and downed clusters as the simulator's admin API sets
 * them (settling the engines first), exec into pods, and the replication
 * lag controller reading the emulators.
 */
import { replicationLagController } from '../../controllers/replicationLagController';
import type { ControllerContext, KubeObject } from '../../controllers/types';
import { ClusterStore } from '../../store/ClusterStore';
import {
  engineLagReader,
  type PeerDirectory,
  runCommand,
  settleEngines,
} from '../programs';

/** What the lag tests drive. */
export interface LagWorld {
  store(cluster: string): ClusterStore;
  /** The clusters as the engines see them (reachability included). */
  peers: PeerDirectory;
  now(): number;
  advance(ms: number): void;
  /** Cuts two clusters apart (after the engines record their positions). */
  partition(a: string, b: string): void;
  /** Takes a cluster down (after the engines record their positions). */
  down(cluster: string): void;
  /** Lifts every partition and downed cluster. */
  heal(): void;
  /** Runs a command in a pod's first container. */
  exec(
    cluster: string,
    namespace: string,
    pod: string,
    command: string[],
    stdin?: string,
  ): Promise<{ code: number; stdout: string; stderr: string }>;
  /** Runs the replication lag controller once over every cluster. */
  reconcile(): void;
  /** A StatefulSet's annotations as stored. */
  annotations(
    cluster: string,
    namespace: string,
    sts: string,
  ): Record<string, string>;
}

/** Creates the world with the named clusters, each with the namespace `ns`. */
export function lagWorld(names: string[], ns: string): LagWorld {
  let clock = Date.UTC(2026, 5, 1, 12);
  const now = () => clock;
  const stores = new Map(
    names.map(n => [n, new ClusterStore({ name: n, region: n, zones: [] })]),
  );
  for (const s of stores.values())
    s.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
  let partitions: Array<[string, string]> = [];
  const downed = new Set<string>();
  const cut = (a: string, b: string) =>
    partitions.some(([x, y]) => (x === a && y === b) || (x === b && y === a));
  const peers: PeerDirectory = {
    store: n => stores.get(n),
    names: () => [...stores.keys()],
    reachable: (from, to) => !downed.has(to) && !cut(from, to),
  };
  const controller = replicationLagController(
    () => 0.5,
    engineLagReader(peers, now),
  );
  const store = (n: string) => stores.get(n)!;
  return {
    store,
    peers,
    now,
    advance: ms => {
      clock += ms;
    },
    partition: (a, b) => {
      settleEngines(now, peers);
      partitions.push([a, b]);
    },
    down: n => {
      settleEngines(now, peers);
      downed.add(n);
    },
    heal: () => {
      settleEngines(now, peers);
      partitions = [];
      downed.clear();
    },
    async exec(cluster, namespace, podName, command, stdin = '') {
      const s = store(cluster);
      const pod = s.peek('', 'Pod', namespace, podName) as KubeObject;
      let stdout = '';
      let stderr = '';
      const code = await runCommand(
        command,
        {
          store: s,
          pod,
          container: pod.spec.containers[0],
          now,
          peers,
        },
        {
          stdout: t => {
            stdout += t;
          },
          stderr: t => {
            stderr += t;
          },
          stdin: async () => stdin,
        },
      );
      return { code, stdout, stderr };
    },
    reconcile() {
      for (const s of stores.values()) {
        const ctx: ControllerContext = {
          cluster: s,
          clusters: stores,
          now,
          isPartitioned: cut,
          isDown: n => downed.has(n),
        };
        controller.reconcile(ctx);
      }
    },
    annotations: (cluster, namespace, sts) =>
      store(cluster).peek('apps', 'StatefulSet', namespace, sts)?.metadata
        .annotations ?? {},
  };
}

/** A Running pod of a StatefulSet, with its ordinal label. */
export function runningPod(
  sts: string,
  ordinal: number,
  namespace: string,
  spec: Record<string, unknown>,
): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: `${sts}-${ordinal}`,
      namespace,
      uid: `${sts}-${ordinal}-uid`,
      labels: { 'apps.kubernetes.io/pod-index': String(ordinal) },
      ownerReferences: [
        { apiVersion: 'apps/v1', kind: 'StatefulSet', name: sts, uid: sts },
      ],
    },
    spec,
    status: { phase: 'Running' },
  };
}
