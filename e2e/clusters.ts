/*
 * The demo clusters as the browser tests see them from outside the portal:
 * kubectl with the simulator's kubeconfig for the truth, and the simulator's
 * admin API to inject faults.
 */
import { execFileSync } from 'node:child_process';
import path from 'node:path';

const root = path.resolve(__dirname, '..');
const kubeconfig = path.join(root, 'data/simulator/kubeconfig');
const kubectlBin = path.join(root, '.toolchain/bin/kubectl');
const adminUrl = process.env.SIMULATOR_ADMIN_URL ?? 'http://127.0.0.1:16440';

/** Runs kubectl against one demo cluster and returns its output. */
export function kubectl(context: string, ...args: string[]): string {
  return execFileSync(
    kubectlBin,
    ['--kubeconfig', kubeconfig, '--context', context, ...args],
    { encoding: 'utf8' },
  );
}

/** The demo clusters' names. */
export const CLUSTERS = ['eu-central', 'eu-west', 'us-east'];

/** StatefulSets of a database (by its kubernetes-id) in one cluster. */
export function statefulSetsOf(
  context: string,
  id: string,
): Array<{ name: string; replicas: number; role?: string }> {
  const list = JSON.parse(
    kubectl(
      context,
      'get',
      'statefulsets',
      '-n',
      'databases',
      '-l',
      `backstage.io/kubernetes-id=${id}`,
      '-o',
      'json',
    ),
  );
  return list.items.map((s: any) => ({
    name: s.metadata.name,
    replicas: s.spec.replicas ?? 1,
    role: s.metadata.annotations?.['multicluster-statefulsets/role'],
  }));
}

/** Replaces a cluster's injected faults (empty object clears them). */
export async function setFaults(cluster: string, faults: object) {
  const res = await fetch(`${adminUrl}/clusters/${cluster}/faults`, {
    method: Object.keys(faults).length ? 'PUT' : 'DELETE',
    headers: { 'Content-Type': 'application/json' },
    body: Object.keys(faults).length ? JSON.stringify(faults) : undefined,
  });
  if (!res.ok) throw new Error(`admin API answered ${res.status}`);
}

/** Cuts replication from one demo cluster to another (the API servers still answer). */
export async function partition(from: string, to: string) {
  const res = await fetch(`${adminUrl}/partitions`, {
    method: 'PUT',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ from, to }),
  });
  if (!res.ok) throw new Error(`admin API answered ${res.status}`);
}

/** Heals every partition. */
export async function heal() {
  const res = await fetch(`${adminUrl}/partitions`, { method: 'DELETE' });
  if (!res.ok) throw new Error(`admin API answered ${res.status}`);
}
