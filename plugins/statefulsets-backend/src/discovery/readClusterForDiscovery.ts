/*
 * The I/O of one discovery run in one cluster: the API groups it serves (by
 * `ClusterDiscovery`), then StatefulSets and the operators' resources the
 * cluster serves, listed in all namespaces page by page through the read
 * edge. Nothing is cached between runs; credentials stay in the connection.
 */
import { LoggerService } from '@backstage/backend-plugin-api';
import {
  ClusterObjects,
  emptyClusterObjects,
} from '@multicluster/backstage-plugin-statefulsets-common';
import { ClusterConnection } from '../cluster/ClusterConnection';
import { ClusterDiscovery } from '../cluster/ClusterDiscovery';
import { classifyClusterError } from '../cluster/ClusterRequestError';
import {
  collectionPath,
  KindSpec,
  KINDS,
  servedVersion,
} from '../cluster/kinds';
import { PluginOptions } from '../cluster/readClusterConfig';
import { slimObject } from '../cluster/slimObject';

/** Objects listed per request; larger lists are paged with `continue`. */
const PAGE_SIZE = 500;
/** Most objects read per kind and cluster, so one huge cluster cannot hold a run. */
const MAX_PER_KIND = 20_000;

/** The kinds discovery lists: StatefulSets and the operators' resources. */
export const DISCOVERY_KINDS: KindSpec[] = KINDS.filter(
  k =>
    k.key === 'statefulSets' ||
    (k.namespaceWide && k.group !== '' && !k.clusterScoped),
);

/** What one cluster answered: its objects, or why it could not be read. */
export interface ClusterDiscoveryRead {
  cluster: string;
  objects: ClusterObjects;
  count: number;
  error?: string;
}

/** Reads one cluster for discovery; the discovery object is kept across runs. */
export class ClusterDiscoveryReader {
  readonly #connection: ClusterConnection;
  readonly #discovery: ClusterDiscovery;
  readonly #timeoutMs: number;

  constructor(options: {
    connection: ClusterConnection;
    options: PluginOptions;
    logger: LoggerService;
  }) {
    this.#connection = options.connection;
    this.#timeoutMs = options.options.requestTimeoutMs;
    this.#discovery = new ClusterDiscovery({
      connection: options.connection,
      options: options.options,
      logger: options.logger.child({ cluster: options.connection.name }),
      onRediscovered: () => {},
    });
  }

  get cluster(): string {
    return this.#connection.name;
  }

  /** Lists the cluster's StatefulSets and served operator resources. */
  async read(): Promise<ClusterDiscoveryRead> {
    const objects = emptyClusterObjects();
    await this.#discovery.discover();
    const served = this.#discovery.served;
    if (!served || this.#discovery.error) {
      return {
        cluster: this.cluster,
        objects,
        count: 0,
        error: this.#discovery.error?.message ?? 'discovery has not answered',
      };
    }
    let count = 0;
    try {
      for (const kind of DISCOVERY_KINDS) {
        const version = servedVersion(kind, served);
        if (!version) continue;
        const items = await this.#list(kind, version);
        objects[kind.key] = items.map(item =>
          slimObject(kind.key, {
            ...item,
            apiVersion:
              kind.group === '' ? version : `${kind.group}/${version}`,
            kind: kind.kind,
          }),
        );
        count += items.length;
      }
    } catch (err) {
      return {
        cluster: this.cluster,
        objects: emptyClusterObjects(),
        count: 0,
        error: classifyClusterError(err).message,
      };
    }
    return { cluster: this.cluster, objects, count };
  }

  async #list(kind: KindSpec, version: string): Promise<any[]> {
    const items: any[] = [];
    let token: string | undefined;
    do {
      const query = new URLSearchParams({ limit: String(PAGE_SIZE) });
      if (token) query.set('continue', token);
      const page = await this.#connection.reader.getJson(
        `${collectionPath(kind, version)}?${query}`,
        { timeoutMs: this.#timeoutMs },
      );
      items.push(...(Array.isArray(page?.items) ? page.items : []));
      token = page?.metadata?.continue || undefined;
    } while (token && items.length < MAX_PER_KIND);
    return items;
  }

  close(): void {
    this.#discovery.close();
  }
}
