/*
 * Everything that reaches one configured cluster, made once per cluster and
 * shared by the watch cache, the failover engine and the apply: the read
 * credentials (the `kubernetes:` entry, or this plugin's `auth` override)
 * and the write credentials (its `write` entry, else the read ones), each
 * resolved per request and cached until they expire, behind the read edge
 * (GETs and the watches' KubeConfig) and the write edge (JSON requests,
 * server-side apply, impersonation). Requests, timeouts and error mapping
 * live under both in `sendRequest` and `ClusterRequestError`.
 */
import { AuthenticationStrategy } from '@backstage/plugin-kubernetes-node';
import { ClusterCredentials } from './ClusterCredentials';
import { ClusterHttp } from './ClusterHttp';
import { KubeHttpClient } from './KubeHttpClient';
import { ConfiguredCluster, writeDetailsOf } from './readClusterConfig';

/** One configured cluster's connection. */
export class ClusterConnection {
  readonly cluster: ConfiguredCluster;
  /** GETs and the watches' KubeConfig, with the read credentials. */
  readonly reader: KubeHttpClient;
  readonly #readCredentials: ClusterCredentials;
  readonly #writeCredentials: ClusterCredentials;

  private constructor(
    cluster: ConfiguredCluster,
    read: ClusterCredentials,
    write: ClusterCredentials,
  ) {
    this.cluster = cluster;
    this.#readCredentials = read;
    this.#writeCredentials = write;
    this.reader = new KubeHttpClient(read);
  }

  /** The connection of a configured cluster; nothing is contacted until a request. */
  static create(
    cluster: ConfiguredCluster,
    strategy: AuthenticationStrategy,
  ): ClusterConnection {
    const read = ClusterCredentials.fromStrategy(cluster.details, strategy);
    const write = cluster.write
      ? ClusterCredentials.fromStrategy(writeDetailsOf(cluster), strategy)
      : read;
    return new ClusterConnection(cluster, read, write);
  }

  /** The connections of every configured cluster. */
  static createAll(
    clusters: ConfiguredCluster[],
    strategy: AuthenticationStrategy,
  ): ClusterConnection[] {
    return clusters.map(c => ClusterConnection.create(c, strategy));
  }

  /** The cluster's configured name. */
  get name(): string {
    return this.cluster.details.name;
  }

  /** The write edge with the write credentials and a timeout per request. */
  writer(options: { timeoutMs: number }): ClusterHttp {
    return new ClusterHttp(this.name, this.#writeCredentials, options);
  }

  /** Resolves the credentials anew on their next use (after a failed discovery). */
  refreshCredentials(): void {
    this.#readCredentials.invalidate();
    if (this.#writeCredentials !== this.#readCredentials) {
      this.#writeCredentials.invalidate();
    }
  }
}
