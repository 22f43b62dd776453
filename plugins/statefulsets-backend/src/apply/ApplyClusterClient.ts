/*
 * The HTTP edge the apply service uses towards one cluster: GET (discovery
 * and current objects) and server-side apply, each with a timeout and typed
 * errors. Credentials come from the cluster module and never appear in
 * messages; with impersonation on, the cluster judges each apply as the
 * user who asked for it.
 */
import { KubeConfig } from '@kubernetes/client-node';
import { ClusterHttp } from '../cluster/ClusterHttp';
import { WriteIdentity } from '../cluster/writeIdentity';

/** The field manager every apply of this plugin uses. */
export const FIELD_MANAGER = 'multicluster-statefulsets';

/** Reads and server-side-applies objects in one cluster. */
export class ApplyClusterClient {
  readonly cluster: string;
  readonly #http: ClusterHttp;

  private constructor(http: ClusterHttp) {
    this.cluster = http.cluster;
    this.#http = http;
  }

  /** A client on a KubeConfig's current cluster and user. */
  static fromKubeConfig(
    cluster: string,
    kc: KubeConfig,
    options: { timeoutMs: number },
  ): ApplyClusterClient {
    return new ApplyClusterClient(new ClusterHttp(cluster, kc, options));
  }

  /** A client on a cluster connection's write edge. */
  static on(http: ClusterHttp): ApplyClusterClient {
    return new ApplyClusterClient(http);
  }

  /** The same cluster and credentials, every request evaluated as `identity`. */
  impersonating(identity: WriteIdentity): ApplyClusterClient {
    return new ApplyClusterClient(this.#http.impersonating(identity));
  }

  /** GETs a path; undefined when the API server answers 404. */
  get<T = any>(path: string): Promise<T | undefined> {
    return this.#http.get<T>(path);
  }

  /**
   * Server-side apply of one object at its path. `force` takes over fields
   * other managers hold; the caller sets it only on objects stamped for the
   * entity it applies, so a conflict on anything else is an error.
   */
  apply<T = any>(
    path: string,
    object: unknown,
    options: { dryRun: boolean; force?: boolean },
  ): Promise<T> {
    const query = new URLSearchParams({ fieldManager: FIELD_MANAGER });
    if (options.force) query.set('force', 'true');
    if (options.dryRun) query.set('dryRun', 'All');
    // JSON is valid YAML, so the apply-patch+yaml body needs no YAML writer.
    return this.#http.request<T>(
      'PATCH',
      `${path}?${query}`,
      object,
      'application/apply-patch+yaml',
    );
  }
}
