/*
 * Discovery of one cluster: the API groups it serves, and its region and
 * zones from node labels where configuration gives none. Single-flight, and
 * retried with backoff after a failure, with credentials resolved anew.
 */
import { LoggerService } from '@backstage/backend-plugin-api';
import {
  ClusterError,
  ClusterInfo,
  LABEL_TOPOLOGY_REGION,
  LABEL_TOPOLOGY_ZONE,
} from '@multicluster/backstage-plugin-statefulsets-common';
import { backoffDelay } from './backoff';
import {
  classifyClusterError,
  ClusterRequestError,
} from './ClusterRequestError';
import { parseApiGroupList, ServedGroups } from './kinds';
import { ClusterConnection } from './ClusterConnection';
import { KubeHttpClient } from './KubeHttpClient';
import { PluginOptions } from './readClusterConfig';

/** What discovery knows about one cluster. */
export class ClusterDiscovery {
  readonly #connection: ClusterConnection;
  readonly #options: PluginOptions;
  readonly #logger: LoggerService;
  /** Called after each successful rediscovery, so failing watches reconnect. */
  readonly #onRediscovered: () => void;
  #inFlight?: Promise<void>;
  #attempt = 0;
  #retry?: NodeJS.Timeout;
  #closed = false;
  #placement: Partial<ClusterInfo> = {};
  served?: ServedGroups;
  error?: ClusterError & { at: number };
  latencyMs?: number;

  constructor(options: {
    connection: ClusterConnection;
    options: PluginOptions;
    logger: LoggerService;
    onRediscovered: () => void;
  }) {
    this.#connection = options.connection;
    this.#options = options.options;
    this.#logger = options.logger;
    this.#onRediscovered = options.onRediscovered;
  }

  /** The cluster's read edge. */
  get client(): KubeHttpClient {
    return this.#connection.reader;
  }

  /** Whether a discovery is running now. */
  get running(): boolean {
    return !!this.#inFlight;
  }

  /** Static facts, with region and zones from node labels where config has none. */
  info(): ClusterInfo {
    const configured = this.#connection.cluster.info;
    return {
      ...configured,
      region: configured.region ?? this.#placement.region,
      zones: configured.zones.length
        ? configured.zones
        : this.#placement.zones ?? [],
    };
  }

  /** Refreshes the served API groups; single-flight. */
  discover(): Promise<void> {
    if (!this.#inFlight) {
      this.#inFlight = this.#run().finally(() => {
        this.#inFlight = undefined;
      });
    }
    return this.#inFlight;
  }

  /** Schedules another discovery after the backoff, once. */
  scheduleRetry(): void {
    if (this.#retry || this.#closed) return;
    const delay = backoffDelay(this.#attempt++, {
      initialMs: this.#options.backoffInitialMs,
      maxMs: this.#options.backoffMaxMs,
    });
    this.#retry = setTimeout(() => {
      this.#retry = undefined;
      if (!this.#closed) this.discover().catch(() => {});
    }, delay);
    this.#retry.unref?.();
  }

  close(): void {
    this.#closed = true;
    clearTimeout(this.#retry);
  }

  async #run(): Promise<void> {
    const started = Date.now();
    // After a failure the credentials may be what failed (a rotated token).
    if (this.error) this.#connection.refreshCredentials();
    try {
      const client = this.#connection.reader;
      const body = await client.getJson('/apis', {
        timeoutMs: this.#options.requestTimeoutMs,
      });
      let served: ServedGroups;
      try {
        served = parseApiGroupList(body);
      } catch (cause) {
        throw new ClusterRequestError(
          'malformed',
          'discovery answer is not an APIGroupList',
          { cause },
        );
      }
      this.latencyMs = Date.now() - started;
      const rediscovered = this.served !== undefined;
      this.served = served;
      this.error = undefined;
      this.#attempt = 0;
      if (rediscovered) this.#onRediscovered();
      if (!this.#connection.cluster.info.region)
        await this.#readPlacement(client);
    } catch (err) {
      const error = classifyClusterError(err);
      this.error = { ...error, at: Date.now() };
      this.#logger.warn(`Discovery failed: ${error.reason}: ${error.message}`);
    }
  }

  async #readPlacement(client: KubeHttpClient): Promise<void> {
    try {
      const nodes = await client.getJson('/api/v1/nodes?limit=200', {
        timeoutMs: this.#options.requestTimeoutMs,
      });
      const regions = new Set<string>();
      const zones = new Set<string>();
      for (const node of nodes?.items ?? []) {
        const region = node?.metadata?.labels?.[LABEL_TOPOLOGY_REGION];
        const zone = node?.metadata?.labels?.[LABEL_TOPOLOGY_ZONE];
        if (region) regions.add(region);
        if (zone) zones.add(zone);
      }
      this.#placement = {
        region: regions.size === 1 ? [...regions][0] : undefined,
        zones: [...zones].sort(),
      };
    } catch (err) {
      // Placement from nodes is a fallback; lacking it only hides the region.
      this.#logger.debug(
        `Could not read node labels: ${classifyClusterError(err).message}`,
      );
    }
  }
}
