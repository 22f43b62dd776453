/*
 * The HTTP client of the multi-cluster StatefulSets backend. Topology reads
 * are conditional (If-None-Match), so keeping a page open costs a 304 per
 * change notification instead of a full topology.
 */
import { CompoundEntityRef } from '@backstage/catalog-model';
import { DiscoveryApi, FetchApi } from '@backstage/core-plugin-api';
import { ResponseError } from '@backstage/errors';
import {
  ClusterHealth,
  FailoverPlan,
  FailoverRun,
  FailoverRunDetails,
} from '@multicluster/backstage-plugin-statefulsets-common';
import {
  FailoverRequest,
  MultiClusterStatefulSetsApi,
  TopologyResponse,
} from './MultiClusterStatefulSetsApi';

function entityPath(entityRef: CompoundEntityRef): string {
  return [entityRef.kind, entityRef.namespace, entityRef.name]
    .map(encodeURIComponent)
    .join('/');
}

const JSON_HEADERS = { 'Content-Type': 'application/json' };

/** Backend plugin id, the base of every route. */
export const PLUGIN_ID = 'multicluster-statefulsets';

/** Default {@link MultiClusterStatefulSetsApi} over the backend's REST API. */
export class MultiClusterStatefulSetsClient
  implements MultiClusterStatefulSetsApi
{
  readonly #discoveryApi: DiscoveryApi;
  readonly #fetchApi: FetchApi;

  constructor(options: { discoveryApi: DiscoveryApi; fetchApi: FetchApi }) {
    this.#discoveryApi = options.discoveryApi;
    this.#fetchApi = options.fetchApi;
  }

  async getTopology(
    entityRef: CompoundEntityRef,
    options?: { etag?: string; signal?: AbortSignal },
  ): Promise<TopologyResponse> {
    const res = await this.#request(
      `/entities/${entityPath(entityRef)}/topology`,
      {
        headers: options?.etag ? { 'If-None-Match': options.etag } : undefined,
        signal: options?.signal,
      },
    );
    const etag = res.headers.get('ETag') ?? undefined;
    if (res.status === 304) {
      return { notModified: true, etag: etag ?? options!.etag! };
    }
    return { notModified: false, etag, topology: await res.json() };
  }

  async listClusters(): Promise<ClusterHealth[]> {
    const res = await this.#request('/clusters');
    const body = await res.json();
    return body.items;
  }

  async planFailover(
    entityRef: CompoundEntityRef,
    request: FailoverRequest,
  ): Promise<FailoverPlan> {
    const res = await this.#request(
      `/entities/${entityPath(entityRef)}/failover/plan`,
      { method: 'POST', headers: JSON_HEADERS, body: JSON.stringify(request) },
    );
    return res.json();
  }

  async startFailover(
    entityRef: CompoundEntityRef,
    request: FailoverRequest & {
      confirm: string;
      force?: boolean;
      reason?: string;
    },
  ): Promise<{ id: string }> {
    const res = await this.#request(
      `/entities/${entityPath(entityRef)}/failover/runs`,
      { method: 'POST', headers: JSON_HEADERS, body: JSON.stringify(request) },
    );
    return res.json();
  }

  async listFailoverRuns(entityRef: CompoundEntityRef): Promise<FailoverRun[]> {
    const res = await this.#request(
      `/entities/${entityPath(entityRef)}/failover/runs`,
    );
    return (await res.json()).items;
  }

  async getFailoverRun(
    entityRef: CompoundEntityRef,
    id: string,
  ): Promise<FailoverRunDetails> {
    const res = await this.#request(
      `/entities/${entityPath(entityRef)}/failover/runs/${encodeURIComponent(
        id,
      )}`,
    );
    return res.json();
  }

  async #request(path: string, init?: RequestInit): Promise<Response> {
    const baseUrl = await this.#discoveryApi.getBaseUrl(PLUGIN_ID);
    const res = await this.#fetchApi.fetch(`${baseUrl}${path}`, init);
    if (!res.ok && res.status !== 304) {
      throw await ResponseError.fromResponse(res);
    }
    return res;
  }
}
