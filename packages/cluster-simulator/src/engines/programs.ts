/*
 * What runs when a command is exec'd in a pod: the engine emulator picked
 * by the container's image supplies the programs (`mysql`, `psql`, …);
 * `sh -c '<script>'` runs in the small shell of shellScript (simple
 * commands, lists, `set -e`, `if`, redirections to /dev/null); anything
 * else is `not found` (exit 127), as a shell in the container would answer.
 */
import type { ClusterStore } from '../store/ClusterStore';
import type { KubeObject } from '../controllers/types';
import { kafkaEmulator } from './kafka/emulator';
import { elasticsearchEmulator } from './elasticsearch/emulator';
import { containerEnv } from './elasticsearch/podFiles';
import { mongodbEmulator } from './mongodb/emulator';
import { mysqlEmulator } from './mysql/emulator';
import { postgresEmulator } from './postgres/emulator';
import type { EngineLagReader, LagTarget, ReplicaLag } from './replicaLag';
import { runShellScript } from './shellScript';

/** The streams of one exec'd program. */
export interface ProgramIo {
  stdout(text: string): void;
  stderr(text: string): void;
  /** Everything the client sends on stdin (empty when stdin is off). */
  stdin(): Promise<string>;
  /** Whether the client has gone (a waiting program may stop). */
  gone?(): boolean;
}

/** Other clusters, for a replica whose source lives elsewhere. */
export interface PeerDirectory {
  store(cluster: string): ClusterStore | undefined;
  /** Whether `from` can open connections to `to` (not down, not partitioned). */
  reachable(from: string, to: string): boolean;
  /** The names of every cluster (a MirrorMaker 2 may run in any of them). */
  names?(): string[];
}

/** Where a command runs. */
export interface ExecTarget {
  store: ClusterStore;
  pod: KubeObject;
  container: { name: string; image?: string; env?: any[] };
  now(): number;
  peers?: PeerDirectory;
}

/** One program: its arguments (without argv[0]) in, exit status out. */
export type Program = (args: string[], io: ProgramIo) => Promise<number>;

/** An engine emulator: which images it serves and the programs it brings. */
export interface EngineEmulator {
  engine: string;
  matchesImage(image: string): boolean;
  programs(target: ExecTarget): Record<string, Program>;
  /**
   * Records every server's position as of now. Called before the
   * reachability between clusters changes: engines that compute positions
   * when read would otherwise date what happened before the change after it.
   */
  settle?(store: ClusterStore, now: () => number, peers: PeerDirectory): void;
  /**
   * The replication lag of a replica StatefulSet whose containers run this
   * engine, as the engine's own commands report it in its pods at this
   * moment (./replicaLag); undefined when the engine has no answer (no pod
   * runs).
   */
  replicaLag?(target: LagTarget): ReplicaLag | undefined;
  /**
   * The cluster a replica StatefulSet replicates from, as its engine is
   * configured in its pods now (e.g. PostgreSQL's primary_conninfo), whether
   * or not that cluster answers; undefined for a primary, a replica of its
   * own cluster, or an engine that cannot say.
   */
  replicaSource?(target: LagTarget): string | undefined;
}

/** The registered emulators, first match wins. */
export const ENGINE_EMULATORS: EngineEmulator[] = [
  mysqlEmulator,
  kafkaEmulator,
  elasticsearchEmulator,
  postgresEmulator,
  mongodbEmulator,
];

/** Lets every emulator record its servers' positions in every cluster. */
export function settleEngines(now: () => number, peers: PeerDirectory): void {
  for (const name of peers.names?.() ?? []) {
    const store = peers.store(name);
    if (!store) continue;
    for (const e of ENGINE_EMULATORS) e.settle?.(store, now, peers);
  }
}

/** The emulator for a container image, if any. */
export function emulatorFor(
  image: string | undefined,
): EngineEmulator | undefined {
  return image ? ENGINE_EMULATORS.find(e => e.matchesImage(image)) : undefined;
}

/** The emulator that reports a StatefulSet's replication lag, if any. */
function lagEmulatorOf(sts: KubeObject): EngineEmulator | undefined {
  for (const c of sts.spec?.template?.spec?.containers ?? []) {
    const e = emulatorFor(typeof c?.image === 'string' ? c.image : undefined);
    if (e?.replicaLag) return e;
  }
  return undefined;
}

/** Reads replica lags from the emulators, in the clusters `peers` holds. */
export function engineLagReader(
  peers: PeerDirectory,
  now: () => number,
): EngineLagReader {
  return {
    serves: sts => lagEmulatorOf(sts) !== undefined,
    lag(cluster, sts) {
      const store = peers.store(cluster);
      const e = lagEmulatorOf(sts);
      return store && e?.replicaLag?.({ store, sts, now, peers });
    },
    source(cluster, sts) {
      const store = peers.store(cluster);
      const e = lagEmulatorOf(sts);
      return store && e?.replicaSource?.({ store, sts, now, peers });
    },
  };
}

const SHELLS = new Set(['sh', 'bash', 'dash', 'ash']);

function envOf(target: ExecTarget): Record<string, string> {
  const env: Record<string, string> = {};
  // Values from a Secret or ConfigMap key resolve as the kubelet sets them.
  for (const e of target.container.env ?? []) {
    if (typeof e?.name !== 'string') continue;
    const value = containerEnv(
      target.store,
      target.pod,
      target.container,
      e.name,
    );
    if (value !== undefined) env[e.name] = value;
  }
  return env;
}

/** Runs one program of the container's emulator. */
function runProgram(
  argv: string[],
  target: ExecTarget,
  io: ProgramIo,
): Promise<number> {
  const name = argv[0] ?? '';
  const base = name.slice(name.lastIndexOf('/') + 1);
  const program = emulatorFor(target.container.image)?.programs(target)[base];
  if (!program) {
    io.stderr(`sh: ${name}: not found\n`);
    return Promise.resolve(127);
  }
  return program(argv.slice(1), io);
}

/** Runs an exec command in a container; resolves to its exit status. */
export async function runCommand(
  command: string[],
  target: ExecTarget,
  io: ProgramIo,
): Promise<number> {
  const shell = command[0] ?? '';
  const base = shell.slice(shell.lastIndexOf('/') + 1);
  if (SHELLS.has(base) && command[1] === '-c') {
    return runShellScript(
      command[2] ?? '',
      envOf(target),
      (argv, out) =>
        runProgram(argv, target, {
          stdout: out.stdout,
          stderr: out.stderr,
          stdin: () => io.stdin(),
          gone: () => io.gone?.() ?? false,
        }),
      {
        stdout: text => io.stdout(text),
        stderr: text => io.stderr(text),
      },
      base,
    );
  }
  return runProgram(command, target, io);
}
