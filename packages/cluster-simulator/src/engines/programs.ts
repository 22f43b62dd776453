/*
 * What runs when a command is exec'd in a pod: the engine emulator picked
 * by the container's image supplies the programs (`mysql`, …); `sh -c
 * '<one command>'` is unwrapped; anything else is `not found` (exit 127),
 * as a shell in the container would answer.
 */
import type { ClusterStore } from '../store/ClusterStore';
import type { KubeObject } from '../controllers/types';
import { mysqlEmulator } from './mysql/emulator';
import { splitShellWords } from './shellWords';

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
}

/** The registered emulators, first match wins. */
export const ENGINE_EMULATORS: EngineEmulator[] = [mysqlEmulator];

/** The emulator for a container image, if any. */
export function emulatorFor(
  image: string | undefined,
): EngineEmulator | undefined {
  return image ? ENGINE_EMULATORS.find(e => e.matchesImage(image)) : undefined;
}

const SHELLS = new Set(['sh', 'bash', 'dash', 'ash']);

function envOf(target: ExecTarget): Record<string, string> {
  const env: Record<string, string> = {};
  for (const e of target.container.env ?? [])
    if (typeof e?.name === 'string' && typeof e.value === 'string')
      env[e.name] = e.value;
  return env;
}

/** Runs an exec command in a container; resolves to its exit status. */
export async function runCommand(
  command: string[],
  target: ExecTarget,
  io: ProgramIo,
): Promise<number> {
  let argv = command;
  const base = (p: string) => p.slice(p.lastIndexOf('/') + 1);
  if (SHELLS.has(base(argv[0] ?? '')) && argv[1] === '-c') {
    const script = argv[2] ?? '';
    try {
      argv = splitShellWords(script, envOf(target));
    } catch (e) {
      io.stderr(`${base(argv[0])}: ${(e as Error).message}\n`);
      return 2;
    }
    if (argv.length === 0) return 0;
  }
  const name = base(argv[0] ?? '');
  const program = emulatorFor(target.container.image)?.programs(target)[name];
  if (!program) {
    io.stderr(`sh: ${argv[0]}: not found\n`);
    return 127;
  }
  return program(argv.slice(1), io);
}
