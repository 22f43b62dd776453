/*
 * The frontend's client of the multi-cluster StatefulSets backend: the
 * generated StatefulSetsRestClient (from the backend's openapi.yaml) over the
 * app's fetchApi, which adds the user's token. Topology reads are conditional
 * (If-None-Match), so keeping a page open costs a 304 per change notification
 * instead of a full topology.
 */
import { CompoundEntityRef } from '@backstage/catalog-model';
import { DiscoveryApi, FetchApi } from '@backstage/core-plugin-api';
import {
  ClusterHealth,
  EntityTopology,
  FailoverPlan,
  FailoverRequest,
  FailoverRun,
  FailoverRunDetails,
  STATEFULSETS_PLUGIN_ID,
  StartFailoverRequest,
  StatefulSetsRestClient,
} from '@multicluster/backstage-plugin-statefulsets-common';
import {
  DiscoveredDatabases,
  LagHistory,
  LagHistoryWindow,
  MultiClusterStatefulSetsApi,
  TopologyResponse,
} from './MultiClusterStatefulSetsApi';

/** Backend plugin id, the base of every route. */
export const PLUGIN_ID = STATEFULSETS_PLUGIN_ID;

const pathOf = (entityRef: CompoundEntityRef) => ({
  kind: entityRef.kind,
  namespace: entityRef.namespace,
  name: entityRef.name,
});

/**
 * Default {@link MultiClusterStatefulSetsApi} over the backend's REST API.
 * The spec describes the topology and plans loosely; the bodies are the
 * common package's types, which the backend serves.
 */
export class MultiClusterStatefulSetsClient
  implements MultiClusterStatefulSetsApi
{
  readonly #client: StatefulSetsRestClient;

  constructor(options: { discoveryApi: DiscoveryApi; fetchApi: FetchApi }) {
    this.#client = new StatefulSetsRestClient(options);
  }

  async getTopology(
    entityRef: CompoundEntityRef,
    options?: { etag?: string; signal?: AbortSignal },
  ): Promise<TopologyResponse> {
    const res = await this.#client.getEntityTopology(
      {
        path: pathOf(entityRef),
        headers: { 'If-None-Match': options?.etag },
      },
      { signal: options?.signal },
    );
    const etag = res.headers.get('ETag') ?? undefined;
    if (res.status === 304) {
      return { notModified: true, etag: etag ?? options!.etag! };
    }
    const topology = (await res.json()) as EntityTopology;
    return { notModified: false, etag, topology };
  }

  async listDiscoveredDatabases(): Promise<DiscoveredDatabases> {
    const res = await this.#client.listDiscoveredDatabases();
    return (await res.json()) as DiscoveredDatabases;
  }

  async listClusters(): Promise<ClusterHealth[]> {
    const res = await this.#client.listClusters();
    return (await res.json()).items as ClusterHealth[];
  }

  async planFailover(
    entityRef: CompoundEntityRef,
    request: FailoverRequest,
  ): Promise<FailoverPlan> {
    const res = await this.#client.planFailover({
      path: pathOf(entityRef),
      body: request,
    });
    return (await res.json()) as FailoverPlan;
  }

  async startFailover(
    entityRef: CompoundEntityRef,
    request: StartFailoverRequest,
  ): Promise<{ id: string }> {
    const res = await this.#client.startFailoverRun({
      path: pathOf(entityRef),
      body: request,
    });
    return res.json();
  }

  async listFailoverRuns(entityRef: CompoundEntityRef): Promise<FailoverRun[]> {
    const res = await this.#client.listFailoverRuns({
      path: pathOf(entityRef),
    });
    return (await res.json()).items as FailoverRun[];
  }

  async getFailoverRun(
    entityRef: CompoundEntityRef,
    id: string,
  ): Promise<FailoverRunDetails> {
    const res = await this.#client.getFailoverRun({
      path: { ...pathOf(entityRef), id },
    });
    return (await res.json()) as FailoverRunDetails;
  }

  async getLagHistory(
    entityRef: CompoundEntityRef,
    window: LagHistoryWindow,
    options?: { signal?: AbortSignal },
  ): Promise<LagHistory> {
    const res = await this.#client.getLagHistory(
      { path: pathOf(entityRef), query: { window } },
      { signal: options?.signal },
    );
    return res.json();
  }
}
