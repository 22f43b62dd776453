/*
 * Where the generate action learns which clusters exist: an interface, so
 * tests and other portals can supply their own list, and the production
 * implementation that asks the multi-cluster StatefulSets backend plugin.
 */
import {
  AuthService,
  BackstageCredentials,
  DiscoveryService,
} from '@backstage/backend-plugin-api';
import {
  STATEFULSETS_PLUGIN_ID,
  StatefulsetsBackendClient,
} from '../backend/StatefulsetsBackendClient';
import { ClusterInfo } from '../generate/types';

/** Lists the clusters a database may be placed in. */
export interface ClusterDirectory {
  /** The configured clusters; `credentials` are those of the user asking. */
  listClusters(options?: {
    credentials?: BackstageCredentials;
  }): Promise<ClusterInfo[]>;
}

/** The plugin id of the backend plugin serving `GET /clusters`. */
export { STATEFULSETS_PLUGIN_ID };

/** Reads the clusters from `GET /api/multicluster-statefulsets/clusters`. */
export class DiscoveryClusterDirectory implements ClusterDirectory {
  readonly #client: StatefulsetsBackendClient;

  private constructor(client: StatefulsetsBackendClient) {
    this.#client = client;
  }

  /** Creates the directory; `fetch` is replaceable for tests. */
  static create(options: {
    discovery: DiscoveryService;
    auth: AuthService;
    fetch?: typeof fetch;
  }): DiscoveryClusterDirectory {
    return new DiscoveryClusterDirectory(
      StatefulsetsBackendClient.create(options),
    );
  }

  async listClusters(options?: {
    credentials?: BackstageCredentials;
  }): Promise<ClusterInfo[]> {
    const body = await (
      await this.#client.rest.listClusters(
        await this.#client.callOptions({ credentials: options?.credentials }),
      )
    ).json();
    if (!Array.isArray(body.items)) {
      throw new Error('GET /clusters answered without an items array');
    }
    return body.items.map(item => ({
      name: String(item.name),
      ...(typeof item.title === 'string' ? { title: item.title } : {}),
      ...(typeof item.region === 'string' ? { region: item.region } : {}),
      zones: Array.isArray(item.zones) ? item.zones.map(String) : [],
      ...(item.federationHost === 'karmada' || item.federationHost === 'kubefed'
        ? { federationHost: item.federationHost }
        : {}),
    }));
  }
}

/** A fixed list of clusters, for tests and portals without the backend plugin. */
export class StaticClusterDirectory implements ClusterDirectory {
  readonly #clusters: ClusterInfo[];

  constructor(clusters: ClusterInfo[]) {
    this.#clusters = clusters;
  }

  async listClusters(): Promise<ClusterInfo[]> {
    return this.#clusters;
  }
}
