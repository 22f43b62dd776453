/*
 * What the engine-failover browser test asks each demo database's engine,
 * with the real kubectl: its role, the source it replicates from, and
 * whether a write there becomes the database's. Most engines answer
 * through `kubectl exec` into a cluster's first pod; one whose roles live
 * in configuration (MirrorMaker 2's flows) reads it with `kubectl get`.
 * The entries themselves are in ./engineCases.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { kubectl } from './clusters';

const root = path.resolve(__dirname, '..');
const kubeconfig = path.join(root, 'data/simulator/kubeconfig');
const kubectlBin = path.join(root, '.toolchain/bin/kubectl');

/** A command's outcome: kubectl exec's exit status and both streams. */
export interface ExecResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** The source a server replicates from, as the engine reports it. */
export interface EngineSource {
  /** What it reads from (an address, a channel, a flow); names the source. */
  from: string;
  /** Whether the replication runs (both threads, or the engine's equivalent). */
  running: boolean;
}

/** What a write on a cluster came to. */
export type WriteOutcome = 'accepted' | 'refused' | string;

/** One engine of the table. */
export interface EngineCase {
  engine: string;
  /** The catalog entity (also its kubernetes-id). */
  entity: string;
  namespace: string;
  /** The StatefulSet of the engine's servers, when the entity has others (MirrorMaker 2). */
  workload?: string;
  /** The container the engine's client runs in. */
  container: string;
  /** The cluster whose database takes writes when the demo starts. */
  primary: string;
  /** The cluster that replicates from it and is switched over to. */
  replica: string;
  /** What the failover dialog states before anything runs. */
  dialog: {
    /** The engine commands the steps name. */
    commands: string[];
    /** The engine's unit of the data-loss window, next to the seconds. */
    unit: string;
  };
  /** The page's words for the role source when Prometheus scrapes the clusters. */
  roleSource: string;
  /**
   * What a replica's source names when it replicates from `cluster`, whose
   * first pod is `pod`; the pod's name unless the engine says otherwise.
   */
  sourceMark?(cluster: string, pod: string): string;
  /** The server's role and source, for engines not read by the two commands below. */
  read?(cluster: string): {
    role: 'primary' | 'replica';
    source?: EngineSource;
  };
  /** The server's role from its own flags. */
  role?: { command: string[]; parse(r: ExecResult): 'primary' | 'replica' };
  /** Where the server replicates from; undefined when it replicates from nowhere. */
  source?: {
    command: string[];
    parse(r: ExecResult): EngineSource | undefined;
  };
  /** A write on `cluster`: accepted, refused, or what else happened. */
  write(cluster: string): WriteOutcome;
}

/** Fails with the command's output when it did not succeed. */
export function ok(r: ExecResult, what: string): string {
  if (r.code !== 0) {
    throw new Error(`${what} exited with ${r.code}: ${r.stderr || r.stdout}`);
  }
  return r.stdout;
}

/** Runs `command` in the first pod (lowest ordinal) of the entity's StatefulSet in `cluster`. */
export function execInFirstPod(
  c: EngineCase,
  cluster: string,
  command: string[],
): ExecResult {
  const pod = firstPod(c, cluster);
  // Not through `kubectl()`: a refused write is an expected answer here,
  // read from its exit status and output.
  const r = spawnSync(
    kubectlBin,
    [
      '--kubeconfig',
      kubeconfig,
      '--context',
      cluster,
      '-n',
      c.namespace,
      'exec',
      pod,
      '-c',
      c.container,
      '--',
      ...command,
    ],
    { encoding: 'utf8', timeout: 30_000 },
  );
  if (r.error) throw r.error;
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** A write command whose exit status tells: 0 accepted, `refused` on stderr refused. */
export function writeByExit(
  c: () => EngineCase,
  command: string[],
  refused: RegExp,
): (cluster: string) => WriteOutcome {
  return cluster => {
    const r = execInFirstPod(c(), cluster, command);
    if (r.code === 0) return 'accepted';
    if (refused.test(r.stderr)) return 'refused';
    return `failed otherwise (exit ${r.code}): ${r.stderr || r.stdout}`;
  };
}

/** The name of the entity's first pod in `cluster`: `<statefulset>-<ordinals.start>`. */
export function firstPod(c: EngineCase, cluster: string): string {
  const list = JSON.parse(
    kubectl(
      cluster,
      'get',
      'statefulsets',
      '-n',
      c.namespace,
      '-l',
      `backstage.io/kubernetes-id=${c.entity}`,
      '-o',
      'json',
    ),
  );
  const name = c.workload ?? c.entity;
  const sts =
    list.items.find((s: any) => s.metadata.name === name) ?? list.items[0];
  if (!sts) {
    throw new Error(
      `no StatefulSet labelled backstage.io/kubernetes-id=${c.entity} in ${cluster}/${c.namespace}`,
    );
  }
  return `${sts.metadata.name}-${sts.spec.ordinals?.start ?? 0}`;
}

/** The role and source the engine of `cluster`'s first pod reports (reads only). */
export function readEngine(c: EngineCase, cluster: string) {
  const pod = firstPod(c, cluster);
  if (c.read) return { pod, source: undefined, ...c.read(cluster) };
  if (!c.role || !c.source) {
    throw new Error(`${c.engine}: neither read() nor role and source commands`);
  }
  return {
    pod,
    role: c.role.parse(execInFirstPod(c, cluster, c.role.command)),
    source: c.source.parse(execInFirstPod(c, cluster, c.source.command)),
  };
}

/** Blocks for `ms` (the probes are synchronous, as kubectl is run). */
export function pause(ms: number) {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}
