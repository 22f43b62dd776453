/*
 * Generated from plugins/statefulsets-backend/src/schema/openapi.yaml by
 * plugins/statefulsets-backend/scripts/generate-openapi.js.
 * Do not edit by hand; edit the YAML and regenerate.
 */
import {
  RequestOptions,
  sendRequest,
  StatefulSetsRestClientOptions,
  TypedResponse,
} from '../sendRequest';
import {
  ClusterHealth,
  EntityTopology,
  FailoverRequest,
  StartFailoverRequest,
  FailoverRunCreated,
  FailoverPlan,
  FailoverRun,
  FailoverRunDetails,
  LagHistoryWindow,
  LagHistory,
  ApplyRequest,
  ApplyResponse,
  GeneratedEntity,
  DiscoveredDatabases,
} from './models';

/** The backend plugin whose base URL the client asks discovery for. */
export const STATEFULSETS_PLUGIN_ID = 'multicluster-statefulsets';

/** The typed client of the multi-cluster StatefulSets REST API; any answer the spec does not declare as a result throws a ResponseError. */
export class StatefulSetsRestClient {
  readonly #client: StatefulSetsRestClientOptions & { pluginId: string };

  constructor(options: StatefulSetsRestClientOptions) {
    this.#client = { ...options, pluginId: STATEFULSETS_PLUGIN_ID };
  }

  /** The complete multi-cluster picture of one entity. Clusters that fail to answer in time appear with an error entry; the rest are answered. Supports conditional requests with ETag / If-None-Match. */
  async getEntityTopology(
    request: {
      path: { kind: string; namespace: string; name: string };
      headers?: { 'If-None-Match'?: string };
    },
    options?: RequestOptions,
  ): Promise<TypedResponse<EntityTopology | void>> {
    return sendRequest(
      this.#client,
      `/entities/${encodeURIComponent(request.path.kind)}/${encodeURIComponent(
        request.path.namespace,
      )}/${encodeURIComponent(request.path.name)}/topology`,
      { method: 'GET', headers: request.headers, okStatuses: [304] },
      options,
    );
  }

  /** The configured clusters with their placement and health. */
  async listClusters(options?: RequestOptions): Promise<
    TypedResponse<{
      items: Array<ClusterHealth>;
    }>
  > {
    return sendRequest(
      this.#client,
      `/clusters`,
      { method: 'GET', okStatuses: [] },
      options,
    );
  }

  /** The dry run of a failover: the checks with their evidence, the ordered steps, the data-loss window and whether the run would be allowed. Needs `multicluster-statefulsets.failover.execute` on the entity; audited as `failover-plan`. */
  async planFailover(
    request: {
      path: { kind: string; namespace: string; name: string };
      body: FailoverRequest;
    },
    options?: RequestOptions,
  ): Promise<TypedResponse<FailoverPlan>> {
    return sendRequest(
      this.#client,
      `/entities/${encodeURIComponent(request.path.kind)}/${encodeURIComponent(
        request.path.namespace,
      )}/${encodeURIComponent(request.path.name)}/failover/plan`,
      { method: 'POST', body: request.body, okStatuses: [] },
      options,
    );
  }

  /** The entity's failover runs, newest first, without their steps. Needs `multicluster-statefulsets.topology.read` on the entity. */
  async listFailoverRuns(
    request: { path: { kind: string; namespace: string; name: string } },
    options?: RequestOptions,
  ): Promise<
    TypedResponse<{
      items: Array<FailoverRun>;
    }>
  > {
    return sendRequest(
      this.#client,
      `/entities/${encodeURIComponent(request.path.kind)}/${encodeURIComponent(
        request.path.namespace,
      )}/${encodeURIComponent(request.path.name)}/failover/runs`,
      { method: 'GET', okStatuses: [] },
      options,
    );
  }

  /** Starts a failover run; the engine carries it on in the background. Needs `multicluster-statefulsets.failover.execute` on the entity; audited as `failover-execute`. */
  async startFailoverRun(
    request: {
      path: { kind: string; namespace: string; name: string };
      body: StartFailoverRequest;
    },
    options?: RequestOptions,
  ): Promise<TypedResponse<FailoverRunCreated>> {
    return sendRequest(
      this.#client,
      `/entities/${encodeURIComponent(request.path.kind)}/${encodeURIComponent(
        request.path.namespace,
      )}/${encodeURIComponent(request.path.name)}/failover/runs`,
      { method: 'POST', body: request.body, okStatuses: [] },
      options,
    );
  }

  /** One run of the entity with its journal of steps. Needs `multicluster-statefulsets.topology.read` on the entity. */
  async getFailoverRun(
    request: {
      path: { kind: string; namespace: string; name: string; id: string };
    },
    options?: RequestOptions,
  ): Promise<TypedResponse<FailoverRunDetails>> {
    return sendRequest(
      this.#client,
      `/entities/${encodeURIComponent(request.path.kind)}/${encodeURIComponent(
        request.path.namespace,
      )}/${encodeURIComponent(
        request.path.name,
      )}/failover/runs/${encodeURIComponent(request.path.id)}`,
      { method: 'GET', okStatuses: [] },
      options,
    );
  }

  /** The replication lag of each of the entity's links over the last hour or day: from Prometheus range queries where the link's lag is measured by Prometheus, else from the samples this backend replica kept while it computed the topology (one per link every 10 s at most, for a day). With the entity's failover lag bound and its failover runs in the window. Needs `multicluster-statefulsets.topology.read` on the entity. */
  async getLagHistory(
    request: {
      path: { kind: string; namespace: string; name: string };
      query?: { window?: LagHistoryWindow };
    },
    options?: RequestOptions,
  ): Promise<TypedResponse<LagHistory>> {
    return sendRequest(
      this.#client,
      `/entities/${encodeURIComponent(request.path.kind)}/${encodeURIComponent(
        request.path.namespace,
      )}/${encodeURIComponent(request.path.name)}/lag-history`,
      { method: 'GET', query: request.query, okStatuses: [] },
      options,
    );
  }

  /** Server-side apply of generated manifests to the named clusters, as the scaffolder action asks for it. Needs `multicluster-statefulsets.deploy`; audited as `deploy`. A failure in some clusters is a result (`status: failed` per cluster), not an HTTP error. Bodies up to 10 MB are accepted. Only the kinds the template generates, in the entity's own namespace, are accepted (400); an entity already registered is applied only by its owners (403), and a name the catalog holds from elsewhere is not registered over (409). */
  async apply(
    request: { body: ApplyRequest },
    options?: RequestOptions,
  ): Promise<TypedResponse<ApplyResponse>> {
    return sendRequest(
      this.#client,
      `/apply`,
      { method: 'POST', body: request.body, okStatuses: [] },
      options,
    );
  }

  /** The catalog entities registered by `POST /apply`, for the catalog provider. Open to service principals only. */
  async listGeneratedEntities(options?: RequestOptions): Promise<
    TypedResponse<{
      items: Array<GeneratedEntity>;
    }>
  > {
    return sendRequest(
      this.#client,
      `/generated-entities`,
      { method: 'GET', okStatuses: [] },
      options,
    );
  }

  /** Databases found running in two or more configured clusters that no entity created by the portal owns yet, grouped by the same `backstage.io/kubernetes-id`, the same Helm release or the same operator resource, each with the catalog entity suggested for it (or why there is none). Users need the discovery read permission; service principals (the catalog provider) may always read. */
  async listDiscoveredDatabases(
    options?: RequestOptions,
  ): Promise<TypedResponse<DiscoveredDatabases>> {
    return sendRequest(
      this.#client,
      `/discovery/databases`,
      { method: 'GET', okStatuses: [] },
      options,
    );
  }
}
