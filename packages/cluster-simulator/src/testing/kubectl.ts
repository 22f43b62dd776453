/*
 * A real kubectl v1.35 for the conformance tests: fetched once into
 * `.toolchain/bin/` (repository root) and run with its own HOME, kubeconfig
 * and discovery cache, so nothing of the machine's own configuration leaks in.
 */
import { execFile, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ClusterEndpoint, kubeconfigFor } from '../output';
import { packageRoot } from '../packageRoot';

const ROOT = path.resolve(packageRoot(), '..', '..');

/** Where scripts/fetch-kubectl.sh puts kubectl. */
export const KUBECTL = path.join(ROOT, '.toolchain', 'bin', 'kubectl');

/** Fetches kubectl unless it is there already. */
export function fetchKubectl(): void {
  execFileSync(
    'bash',
    [path.join(packageRoot(), 'scripts', 'fetch-kubectl.sh')],
    { stdio: 'inherit', timeout: 280000 },
  );
}

/** What a kubectl run printed and returned. */
export interface KubectlResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** A temporary home with a kubeconfig for some clusters. */
export class KubectlHome {
  readonly dir: string;
  readonly env: NodeJS.ProcessEnv;

  constructor(clusters: ClusterEndpoint[], prefix = 'sim-kubectl-') {
    this.dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
    fs.writeFileSync(
      path.join(this.dir, 'kubeconfig'),
      kubeconfigFor(clusters),
    );
    this.env = {
      PATH: process.env.PATH,
      HOME: this.dir,
      KUBECONFIG: path.join(this.dir, 'kubeconfig'),
      KUBECACHEDIR: path.join(this.dir, 'cache'),
    };
  }

  /** Runs kubectl (with a 10 s request timeout); `input` goes to its stdin. */
  run(args: string[], input?: string): Promise<KubectlResult> {
    return new Promise(resolve => {
      const child = execFile(
        KUBECTL,
        ['--request-timeout=10s', ...args],
        { env: this.env, timeout: 30000 },
        (err, stdout, stderr) => {
          const code =
            typeof (err as any)?.code === 'number' ? (err as any).code : 1;
          resolve({ code: err ? code : 0, stdout, stderr });
        },
      );
      if (input !== undefined) child.stdin!.end(input);
    });
  }

  /** Removes the home. */
  remove(): void {
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}
