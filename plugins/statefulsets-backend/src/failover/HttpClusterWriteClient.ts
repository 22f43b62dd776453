/*
 * The write edge towards one cluster for the failover engine: GET, JSON
 * merge patch, create and delete with a timeout, typed errors and the
 * cluster's write credentials (its own `write` entry, else the `kubernetes:`
 * one), resolved per request and cached until they expire. Kept apart from
 * the read path so a slow write never holds up a topology read. The engine
 * takes an impersonating variant per run, so the cluster's RBAC judges the
 * user who started it. `exec` runs a command in a pod over `pods/exec`
 * (PodExec) with the same credentials and identity.
 */
import { KubeConfig } from '@kubernetes/client-node';
import {
  ClusterWriteClient,
  ExecOptions,
  ExecResult,
  ExecTarget,
  ResourceRef,
} from '@multicluster/backstage-plugin-statefulsets-node';
import { ClusterHttp } from '../cluster/ClusterHttp';
import { ClusterRequestError } from '../cluster/ClusterRequestError';
import { WriteIdentity } from '../cluster/writeIdentity';
import { objectPath } from './kubePaths';

/** The deadline of an exec whose caller gives none. */
export const DEFAULT_EXEC_TIMEOUT_MS = 60_000;

/** Writes to one cluster through its API server. */
export class HttpClusterWriteClient implements ClusterWriteClient {
  readonly cluster: string;
  readonly #http: ClusterHttp;

  private constructor(http: ClusterHttp) {
    this.cluster = http.cluster;
    this.#http = http;
  }

  /** A client on a KubeConfig (its current cluster and user). */
  static fromKubeConfig(
    cluster: string,
    kc: KubeConfig,
    options: { timeoutMs: number },
  ): HttpClusterWriteClient {
    return new HttpClusterWriteClient(new ClusterHttp(cluster, kc, options));
  }

  /** A client on a cluster connection's write edge. */
  static on(http: ClusterHttp): HttpClusterWriteClient {
    return new HttpClusterWriteClient(http);
  }

  /** The identity the cluster evaluates this client's writes as, when impersonating. */
  get identity(): WriteIdentity | undefined {
    return this.#http.identity;
  }

  /** The same cluster and credentials, every request evaluated as `identity`. */
  impersonating(identity: WriteIdentity): HttpClusterWriteClient {
    return new HttpClusterWriteClient(this.#http.impersonating(identity));
  }

  pathOf(ref: ResourceRef): string {
    return objectPath(ref);
  }

  get<T = any>(path: string): Promise<T | undefined> {
    return this.#http.get<T>(path);
  }

  mergePatch<T = any>(path: string, patch: unknown): Promise<T> {
    return this.#http.request<T>(
      'PATCH',
      path,
      patch,
      'application/merge-patch+json',
    );
  }

  create<T = any>(path: string, body: unknown): Promise<T> {
    return this.#http.request<T>('POST', path, body, 'application/json');
  }

  async delete(path: string): Promise<void> {
    try {
      await this.#http.request('DELETE', path);
    } catch (err) {
      if (err instanceof ClusterRequestError && err.statusCode === 404) return;
      throw err;
    }
  }

  async exec(
    target: ExecTarget,
    command: string[],
    options: ExecOptions = {},
  ): Promise<ExecResult> {
    const { protocol: _protocol, ...result } = await this.#http.exec({
      ...target,
      command,
      timeoutMs: options.timeoutMs ?? DEFAULT_EXEC_TIMEOUT_MS,
      signal: options.signal,
    });
    return result;
  }
}
