/*
 * What the engine-failover browser test asks each demo database's engine,
 * with the real kubectl exec into a cluster's first pod: its role, the
 * source it replicates from, and whether it takes a write. One entry per
 * engine whose provider fails over through the engine itself; another
 * engine's entry is its entity, its clusters, three commands with their
 * parsers and the words its failover dialog shows.
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
  /** The address (and channel) it reads from; contains the source pod's name. */
  from: string;
  /** Whether the replication runs (both threads, or the engine's equivalent). */
  running: boolean;
}

/** One engine of the table. */
export interface EngineCase {
  engine: string;
  /** The catalog entity (also its kubernetes-id). */
  entity: string;
  namespace: string;
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
  /** The server's role from its own flags. */
  role: { command: string[]; parse(r: ExecResult): 'primary' | 'replica' };
  /** Where the server replicates from; undefined when it replicates from nowhere. */
  source: { command: string[]; parse(r: ExecResult): EngineSource | undefined };
  /** A write: accepted (exit 0) or refused with `refused` on stderr. */
  write: { command: string[]; refused: RegExp };
}

/** Fails with the command's output when it did not succeed. */
function ok(r: ExecResult, what: string): string {
  if (r.code !== 0) {
    throw new Error(`${what} exited with ${r.code}: ${r.stderr || r.stdout}`);
  }
  return r.stdout;
}

/** `Key: value` lines of the mysql client's vertical (-E) output. */
function verticalFields(text: string): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const m = /^\s*([A-Za-z_]+): ?(.*)$/.exec(line);
    if (m) fields[m[1]] = m[2];
  }
  return fields;
}

const mysql: EngineCase = {
  engine: 'mysql',
  entity: 'orders-mysql',
  namespace: 'databases',
  container: 'mysql',
  primary: 'eu-central',
  replica: 'eu-west',
  dialog: {
    commands: ['SET PERSIST super_read_only=ON', 'WAIT_FOR_EXECUTED_GTID_SET'],
    unit: 'transactions',
  },
  roleSource: 'the engine (mysqld_exporter)',
  role: {
    command: ['mysql', '-N', '-e', 'SELECT @@super_read_only, @@read_only'],
    parse(r) {
      const [superReadOnly, readOnly] = ok(r, 'mysql').trim().split(/\s+/);
      if (superReadOnly === '0' && readOnly === '0') return 'primary';
      if (superReadOnly === '1' && readOnly === '1') return 'replica';
      throw new Error(
        `super_read_only=${superReadOnly}, read_only=${readOnly}: neither a writable primary nor a fenced replica`,
      );
    },
  },
  source: {
    command: ['mysql', '-E', '-e', 'SHOW REPLICA STATUS'],
    parse(r) {
      const f = verticalFields(ok(r, 'mysql'));
      if (!f.Source_Host) return undefined;
      return {
        from: `channel '${f.Channel_Name}' from ${f.Source_Host}`,
        running:
          f.Replica_IO_Running === 'Yes' && f.Replica_SQL_Running === 'Yes',
      };
    },
  },
  write: {
    command: ['mysql', '-e', 'CREATE DATABASE IF NOT EXISTS e2e_check'],
    refused: /^ERROR 1290 \(HY000\)/m,
  },
};

/** The engines whose demo database the browser test fails over and back. */
export const ENGINE_CASES: EngineCase[] = [mysql];

/** Runs `command` in the first pod (lowest ordinal) of the entity's StatefulSet in `cluster`. */
export function execInFirstPod(
  c: EngineCase,
  cluster: string,
  command: string[],
): ExecResult {
  const pod = firstPod(c, cluster);
  // Not through `kubectl()`: a refused write is an expected answer here,
  // read from its exit status and stderr.
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
  const sts = list.items[0];
  if (!sts) {
    throw new Error(
      `no StatefulSet labelled backstage.io/kubernetes-id=${c.entity} in ${cluster}/${c.namespace}`,
    );
  }
  return `${sts.metadata.name}-${sts.spec.ordinals?.start ?? 0}`;
}

/** The role and source the engine of `cluster`'s first pod reports (reads only). */
export function readEngine(c: EngineCase, cluster: string) {
  return {
    pod: firstPod(c, cluster),
    role: c.role.parse(execInFirstPod(c, cluster, c.role.command)),
    source: c.source.parse(execInFirstPod(c, cluster, c.source.command)),
  };
}

/** Tries the engine's write on `cluster`'s first pod: accepted, refused, or what else happened. */
export function tryWrite(c: EngineCase, cluster: string): string {
  const r = execInFirstPod(c, cluster, c.write.command);
  if (r.code === 0) return 'accepted';
  if (c.write.refused.test(r.stderr)) return 'refused';
  return `failed otherwise (exit ${r.code}): ${r.stderr || r.stdout}`;
}
